using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>Where to find MNIST, whether to download it, and which part of a split to keep.</summary>
public sealed class MnistDatasetOptions
{
    /// <summary>The environment variable naming a folder that holds the MNIST files.</summary>
    public const string DataEnvironmentVariable = "GANMNIST_DATA";

    /// <summary>A folder holding the four MNIST files (gzip-compressed or raw), looked at first.</summary>
    /// <value>Default: none.</value>
    public string? Directory { get; set; }

    /// <summary>The per-user cache folder, looked at after <see cref="Directory"/> and <c>GANMNIST_DATA</c>, and where downloads go.</summary>
    /// <value>Default: <c>$XDG_CACHE_HOME/ganmnist/mnist</c>, else <c>~/.cache/ganmnist/mnist</c>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Whether missing files may be downloaded from <see cref="Mirrors"/> (into <see cref="Directory"/> when set, else the cache).</summary>
    /// <value>Default: false (the CLI turns it on).</value>
    public bool AllowDownload { get; set; }

    /// <summary>Base addresses tried in order for each missing file; every download is checked against the original SHA-256.</summary>
    /// <value>Default: torchvision's mirrors, then the TensorFlow/Keras tutorials' mirror.</value>
    public IList<Uri> Mirrors { get; set; } = [.. MnistFiles.DefaultMirrors];

    /// <summary>The longest a single file's download may take before the next mirror is tried.</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Keep only the first N images of the split.</summary>
    /// <value>Default: none (all).</value>
    public int? Limit { get; set; }

    /// <summary>Keep the first N images of each digit (in file order).</summary>
    /// <value>Default: none.</value>
    public int? PerClass { get; set; }

    /// <summary>Keep the same number of images of every digit: <see cref="PerClass"/> when set, else the rarest digit's count.</summary>
    /// <value>Default: false.</value>
    public bool Balanced { get; set; }

    /// <summary>The device the split's tensors live on.</summary>
    /// <value>Default: the CPU.</value>
    public Device? Device { get; set; }

    internal string ResolvedCacheDirectory => CacheDirectory ?? DefaultCacheDirectory();

    /// <summary>Every invalid option at once, each named; empty when valid.</summary>
    internal List<string> Validate()
    {
        var problems = new List<string>();
        if (Limit is <= 0)
        {
            problems.Add($"{nameof(Limit)} must be positive (was {Limit})");
        }

        if (PerClass is <= 0)
        {
            problems.Add($"{nameof(PerClass)} must be positive (was {PerClass})");
        }

        if (Limit is not null && (PerClass is not null || Balanced))
        {
            problems.Add($"{nameof(Limit)} cannot be combined with {nameof(PerClass)} or {nameof(Balanced)}");
        }

        if (AllowDownload && Mirrors.Count == 0)
        {
            problems.Add($"{nameof(Mirrors)} is empty but {nameof(AllowDownload)} is on");
        }

        if (Mirrors.Any(m => m is null || !m.IsAbsoluteUri || (m.Scheme != Uri.UriSchemeHttp && m.Scheme != Uri.UriSchemeHttps)))
        {
            problems.Add($"{nameof(Mirrors)} must hold absolute http or https addresses");
        }

        if (DownloadTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(DownloadTimeout)} must be positive (was {DownloadTimeout})");
        }

        return problems;
    }

    /// <summary>GanMnist's per-user cache folder: <c>$XDG_CACHE_HOME/ganmnist</c>, else <c>~/.cache/ganmnist</c> (LocalApplicationData on Windows).</summary>
    internal static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "ganmnist");
    }

    private static string DefaultCacheDirectory() => Path.Combine(CacheRoot(), "mnist");
}
