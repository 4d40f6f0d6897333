using System.Diagnostics;

namespace GanMnist.Samples.Tests;

/// <summary>The repository, MNIST, temporary folders and child processes for the sample tests.</summary>
internal static class SampleSupport
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static readonly Lazy<string> Mnist = new(LocateMnist);

    /// <summary>
    /// GANMNIST_DATA when set, else ../shared/mnist beside the repository, else the per-user cache where the README's
    /// first command puts MNIST; resolved on first use, so that only the tests that read MNIST fail without it.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">None of those places holds the files (one line saying what to set).</exception>
    public static string MnistDirectory => Mnist.Value;

    private static string LocateMnist()
    {
        if (Environment.GetEnvironmentVariable("GANMNIST_DATA") is { Length: > 0 } data)
        {
            return data;
        }

        var shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "mnist"));
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cache = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg,
            "ganmnist", "mnist");
        return new[] { shared, cache }.FirstOrDefault(d => File.Exists(Path.Combine(d, "t10k-images-idx3-ubyte.gz")))
            ?? throw new DirectoryNotFoundException(
                $"MNIST test data not found in '{shared}' or '{cache}': set GANMNIST_DATA to a folder holding the four MNIST .gz files (or run the README's first command, which downloads them).");
    }

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string TempFolder() => Directory.CreateTempSubdirectory("ganmnist-samples-").FullName;

    /// <summary>Runs a program to completion (or <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(fileName, arguments, workingDirectory, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(" ", arguments)}' did not finish in {timeout}; output so far: {await output} {await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    public static Process Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
    }

    /// <summary>
    /// Runs <c>dotnet dll args</c>, waits for a standard-output line containing <paramref name="marker"/>, sends
    /// <paramref name="signal"/> (e.g. INT, TERM), and waits up to a minute for the exit.
    /// </summary>
    /// <returns>The exit code, the standard output after the marker, and the standard error.</returns>
    public static async Task<(int ExitCode, string Output, string Error)> InterruptAsync(string dll, IEnumerable<string> arguments, string workingDirectory,
        string marker, string signal)
    {
        using var process = Start("dotnet", [Path.Combine(AppContext.BaseDirectory, dll), .. arguments], workingDirectory);
        var error = process.StandardError.ReadToEndAsync();
        var seen = new System.Text.StringBuilder();
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains(marker, StringComparison.Ordinal))
        {
            seen.AppendLine(line);
        }

        if (line is null)
        {
            // Only now may the standard error be awaited: it ends when the process does.
            throw new InvalidOperationException($"{dll} ended before writing '{marker}'; output: {seen} {await error}");
        }

        var kill = await RunAsync("sh", ["-c", $"kill -{signal} {process.Id}"], workingDirectory, TimeSpan.FromSeconds(10));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} failed: {kill.Error}");
        }

        var rest = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await rest, await error);
    }

    /// <summary>The first <paramref name="count"/> MNIST test images written as a training split (raw IDX) into <paramref name="folder"/>.</summary>
    public static async Task WriteSmallTrainingSetAsync(string folder, int count)
    {
        using var test = await GanMnist.Data.MnistDataset.LoadAsync(GanMnist.Data.MnistSplit.Test,
            new GanMnist.Data.MnistDatasetOptions { Directory = MnistDirectory, Limit = count });
        GanMnist.Data.IdxFile.WriteImages(Path.Combine(folder, "train-images-idx3-ubyte"), test.Images);
        GanMnist.Data.IdxFile.WriteLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), test.Labels);
    }

    /// <summary>Whether this process ignores a signal (inherited SIG_IGN, as POSIX shells set for SIGINT in background jobs), from /proc/self/status.</summary>
    public static bool SignalIgnoredByThisProcess(int signal)
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GanMnist.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (GanMnist.sln) was not found above the test folder.");
    }
}
