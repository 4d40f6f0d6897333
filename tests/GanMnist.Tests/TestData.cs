using System.Buffers.Binary;
using System.IO.Compression;
using GanMnist.Data;

namespace GanMnist.Tests;

/// <summary>Where the original MNIST files are, and builders of small IDX files for error tests.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Mnist = new(LocateMnist);
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<string> FashionMnist = new(LocateFashionMnist);

    /// <summary>
    /// The four original MNIST files: GANMNIST_DATA when set, else ../shared/mnist beside the repository, else the
    /// per-user cache where the README's first command puts them. Resolved on first use, so that a missing folder fails
    /// only the tests that read MNIST, each with one line saying what to set.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">None of those places holds the files.</exception>
    public static string MnistDirectory => Mnist.Value;

    /// <summary>The repository root (the folder holding GanMnist.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>Debian's dataset-fashion-mnist package (<c>bash .ci/setup --tests</c> installs it): the four original Fashion-MNIST files.</summary>
    /// <exception cref="DirectoryNotFoundException">The package is not installed; only the Fashion-MNIST tests fail.</exception>
    public static string FashionMnistDirectory => FashionMnist.Value;

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

    private static string LocateFashionMnist() =>
        Directory.Exists("/usr/share/datasets/fashion-mnist") ? "/usr/share/datasets/fashion-mnist"
            : throw new DirectoryNotFoundException("Fashion-MNIST test data not found at '/usr/share/datasets/fashion-mnist': install Debian's dataset-fashion-mnist (bash .ci/setup --tests does).");

    private static string LocateMnist()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("GANMNIST_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        var shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "mnist"));
        var cache = Path.Combine(MnistDatasetOptions.CacheRoot(), "mnist");
        foreach (var candidate in new[] { shared, cache })
        {
            if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"MNIST test data not found in '{shared}' or '{cache}': set GANMNIST_DATA to a folder holding the four MNIST .gz files (or run the README's first command, which downloads them).");
    }

    /// <summary>An IDX images file: header (magic, count, rows, columns) then the pixels.</summary>
    public static byte[] Images(int count, int rows = 28, int columns = 28, int magic = 0x803, int? pixelBytes = null)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        var pixels = new byte[pixelBytes ?? (count * rows * columns)];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7);
        }

        return [.. header, .. pixels];
    }

    /// <summary>An IDX labels file: header (magic, count) then the labels.</summary>
    public static byte[] Labels(byte[] labels, int magic = 0x801, int? count = null)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count ?? labels.Length);
        return [.. header, .. labels];
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}

/// <summary>A temporary folder deleted at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("ganmnist-test-").FullName;

    public string Path { get; }

    public string Write(string name, byte[] content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Tests that change GANMNIST_DATA run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>Keeps every log line (level and formatted message), thread-safely.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) => _lines.Enqueue((logLevel, formatter(state, exception)));
}
