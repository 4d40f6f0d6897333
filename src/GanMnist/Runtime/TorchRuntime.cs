using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Runtime;

/// <summary>
/// The native runtime under TorchSharp: loads it once and, when it cannot load, says in one line what is missing
/// and how to fix it (instead of TorchSharp's <see cref="TypeInitializationException"/>); parses device names and
/// says which package a CUDA device needs.
/// </summary>
internal static class TorchRuntime
{
    internal const string NativeLibrary = "libLibTorchSharp.so";
    internal const string LibTorchLibrary = "libtorch_cpu.so";
    internal const string CpuPackage = "TorchSharp-cpu";
    internal const string CudaPackage = "TorchSharp-cuda-linux";

    private static readonly Lazy<string?> LoadProblem = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads TorchSharp's native runtime (once per process).</summary>
    /// <exception cref="InvalidOperationException">It cannot load; the message names what is missing and the fix.</exception>
    public static void EnsureLoaded()
    {
        if (LoadProblem.Value is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
    }

    private static string? Load()
    {
        try
        {
            InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or BadImageFormatException)
        {
            var path = FindNativeLibrary();
            return Explain(path, path is not null && File.Exists(Path.Combine(Path.GetDirectoryName(path)!, LibTorchLibrary)), TryLoad);
        }
    }

    /// <summary>
    /// The one-line explanation of a failed load, from where TorchSharp's native library is (null: nowhere in the
    /// application), whether libtorch is beside it (the runtime package's part), and the dynamic loader's message for it
    /// (null: it loads, so something after it failed).
    /// </summary>
    internal static string Explain(string? nativeLibraryPath, bool libTorchPresent, Func<string, string?> loaderError)
    {
        if (nativeLibraryPath is null || !libTorchPresent)
        {
            var where = nativeLibraryPath is null
                ? $"{NativeLibrary} was not found under {AppContext.BaseDirectory}"
                : $"no {LibTorchLibrary} beside {nativeLibraryPath}";
            return $"TorchSharp's native runtime is not part of this application ({where}): " +
                $"add the package {CpuPackage} to the application project (dotnet add package {CpuPackage}), or {CudaPackage} for NVIDIA GPUs.";
        }

        var error = loaderError(nativeLibraryPath);
        if (error is not null && error.Contains("GLIBCXX_", StringComparison.Ordinal))
        {
            return $"TorchSharp's native library {nativeLibraryPath} cannot load: it needs GLIBCXX_3.4.32 (libstdc++ from GCC 13 or later) " +
                "and this system's libstdc++ is older. On Debian 12 add Debian 13 \"trixie\" as an apt source pinned at priority 100 and run " +
                "'sudo apt-get install -t trixie libstdc++6' (the GanMnist repository's .ci/setup does both); Ubuntu 24.04 and Debian 13 need nothing. " +
                $"Loader: {error}";
        }

        return error is not null
            ? $"TorchSharp's native library {nativeLibraryPath} cannot load: {error}"
            : $"TorchSharp's native library {nativeLibraryPath} loads, but libtorch did not initialise: check that the application references one runtime " +
              $"package ({CpuPackage} or {CudaPackage}) of TorchSharp's version {typeof(torch).Assembly.GetName().Version}.";
    }

    /// <summary>Where an application's build puts TorchSharp's native library: beside the program, or under runtimes/RID/native.</summary>
    private static string? FindNativeLibrary()
    {
        var rid = $"{(OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win")}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, NativeLibrary),
            Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", NativeLibrary),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string? TryLoad(string path)
    {
        try
        {
            System.Runtime.InteropServices.NativeLibrary.Free(System.Runtime.InteropServices.NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message.ReplaceLineEndings(" ").Trim();
        }
    }

    /// <summary>A device from its name: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (CUDA when available, else the CPU).</summary>
    /// <exception cref="FormatException">The name is none of these.</exception>
    public static Device ParseDevice(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim().ToLowerInvariant();
        if (text == "auto")
        {
            EnsureLoaded();
            return CudaInitialises() ? new Device(DeviceType.CUDA, 0) : CPU;
        }

        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda")
        {
            return new Device(DeviceType.CUDA, 0);
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out var index) && index >= 0)
        {
            return new Device(DeviceType.CUDA, index);
        }

        throw new FormatException($"'{name}' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'.");
    }

    /// <summary>Checks that <paramref name="device"/> can be used.</summary>
    /// <exception cref="InvalidOperationException">
    /// A CUDA device without a CUDA runtime package (the message names the package to add), or without that many CUDA devices.
    /// </exception>
    public static void EnsureAvailable(Device device)
    {
        EnsureLoaded();
        if (device.type == DeviceType.CPU)
        {
            return;
        }

        if (!CudaInitialises())
        {
            throw new InvalidOperationException(HasCudaRuntime()
                ? $"Device '{device}' was requested, but CUDA did not initialise: the application has TorchSharp's CUDA runtime, but no usable NVIDIA GPU " +
                  "or driver was found (check nvidia-smi and CUDA_VISIBLE_DEVICES), or use device 'cpu' or 'auto'."
                : $"Device '{device}' was requested, but the application has no CUDA runtime: add the package {CudaPackage} " +
                  $"(TorchSharp-cuda-windows on Windows) to the application project instead of {CpuPackage}, or use device 'cpu' or 'auto'.");
        }

        var count = cuda.device_count();
        if (device.index >= count)
        {
            throw new InvalidOperationException($"Device '{device}' was requested, but CUDA sees {count} device(s): check CUDA_VISIBLE_DEVICES, or use device 'cpu' or 'auto'.");
        }
    }

    private static bool CudaInitialises()
    {
        try
        {
            return TryInitializeDeviceType(DeviceType.CUDA) && cuda.is_available();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
        {
            return false; // TorchSharp throws, with an empty trace, when no CUDA backend loads
        }
    }

    private static bool HasCudaRuntime()
    {
        var folder = FindNativeLibrary() is { } path ? Path.GetDirectoryName(path)! : AppContext.BaseDirectory;
        return Directory.EnumerateFiles(folder, "libtorch_cuda*").Any() || Directory.EnumerateFiles(folder, "torch_cuda*.dll").Any();
    }
}
