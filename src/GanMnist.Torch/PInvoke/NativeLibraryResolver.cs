using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace GanMnist.Torch.PInvoke;

/// <summary>
/// Finds the native shim: the <c>GANMNIST_TORCH_NATIVE</c> override (a file or a folder), else the
/// package layout <c>runtimes/&lt;rid&gt;/native/</c> and the folder of the application and of this
/// assembly, else the operating system's own search. A failure lists every place tried and why.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>Environment variable naming the shim file, or the folder that holds it.</summary>
    internal const string OverrideVariable = "GANMNIST_TORCH_NATIVE";

    internal const string FileName = "libGanMnistTorchNative.so";

    private static readonly Lock Gate = new();
    private static IntPtr _loaded;

    internal static void Register(Assembly assembly)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already registered for this assembly (e.g. by a host); keep it.
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName)
        {
            return IntPtr.Zero;
        }

        lock (Gate)
        {
            if (_loaded == IntPtr.Zero)
            {
                _loaded = Load(Environment.GetEnvironmentVariable(OverrideVariable), DefaultCandidates(assembly));
                NativeRuntimeDefaults.AfterLoad(_loaded);
            }

            return _loaded;
        }
    }

    /// <summary>
    /// Loads the first candidate that loads. With an override, only the override is tried: a wrong
    /// override is an error, not a reason to pick up some other copy silently.
    /// </summary>
    /// <exception cref="TorchNativeLibraryException">Nothing loaded; the message lists each attempt.</exception>
    internal static IntPtr Load(string? overridePath, IEnumerable<string> candidates)
    {
        var attempts = new List<string>();
        IEnumerable<string> paths = string.IsNullOrWhiteSpace(overridePath)
            ? candidates
            : [Directory.Exists(overridePath) ? Path.Combine(overridePath, FileName) : overridePath];

        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            if (Path.IsPathRooted(path) && !File.Exists(path))
            {
                attempts.Add($"{path}: not found");
                continue;
            }

            try
            {
                return NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                attempts.Add($"{path}: {e.Message}");
            }
        }

        throw new TorchNativeLibraryException(Describe(overridePath, attempts));
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location (single-file app) is skipped; AppContext.BaseDirectory is searched first.")]
    private static IEnumerable<string> DefaultCandidates(Assembly assembly)
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        var portableRid = $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        var assemblyDir = Path.GetDirectoryName(assembly.Location);
        var folders = new List<string> { AppContext.BaseDirectory };
        if (!string.IsNullOrEmpty(assemblyDir))
        {
            folders.Add(assemblyDir);
            // Referenced straight from a NuGet package folder: lib/net10.0/ -> runtimes/<rid>/native/.
            folders.Add(Path.Combine(assemblyDir, "..", ".."));
        }

        foreach (var folder in folders)
        {
            yield return Path.GetFullPath(Path.Combine(folder, "runtimes", rid, "native", FileName));
            yield return Path.GetFullPath(Path.Combine(folder, "runtimes", portableRid, "native", FileName));
            yield return Path.GetFullPath(Path.Combine(folder, FileName));
        }

        // Last, the system's own search (LD_LIBRARY_PATH, ld.so.cache).
        yield return FileName;
    }

    private static string Describe(string? overridePath, List<string> attempts)
    {
        var text = new StringBuilder();
        text.Append("The GanMnist.Torch native library (").Append(FileName).Append(") could not be loaded.");
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            text.Append(' ').Append(OverrideVariable).Append(" is set to '").Append(overridePath)
                .Append("', so only that location was tried.");
        }

        text.AppendLine().AppendLine("Tried:");
        foreach (var attempt in attempts)
        {
            text.Append("  - ").AppendLine(attempt);
        }

        text.Append("The shim is built with the GanMnist.Torch project (dotnet build) and needs libtorch at run time: ")
            .Append("on Debian/Ubuntu 'sudo apt-get install libtorch-dev'; for another libtorch rebuild with ")
            .Append("-p:LibTorchDir=<dir>, and set ").Append(OverrideVariable)
            .Append(" to the shim's file or folder if it lives elsewhere.");
        return text.ToString();
    }
}
