using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>Which member of the MNIST family to load, where to find it, whether to download it, and which part of a split to keep.</summary>
public sealed class MnistDatasetOptions
{
    /// <summary>The environment variable naming a folder that holds the dataset's files (or subfolders named after datasets).</summary>
    public const string DataEnvironmentVariable = "GANMNIST_DATA";

    /// <summary>
    /// The dataset, by name: <c>mnist</c>, <c>fashion-mnist</c>, <c>kmnist</c>, <c>emnist-balanced</c>, <c>emnist-byclass</c>,
    /// <c>emnist-bymerge</c>, <c>emnist-digits</c>, <c>emnist-letters</c>, <c>emnist-mnist</c> or <c>qmnist</c> (see <see cref="MnistFamily"/>;
    /// case, dashes and underscores do not matter).
    /// </summary>
    /// <value>Default: <c>mnist</c>.</value>
    public string Dataset { get; set; } = MnistFamily.Mnist.Name;

    /// <summary>
    /// A folder holding the dataset's files, looked at first: the files themselves (IDX, gzip-compressed or raw, a dash
    /// or a dot before <c>idx</c>; Keras' <c>mnist.npz</c> for MNIST), or a subfolder named after the dataset
    /// (<c>fashion-mnist/</c>), or torchvision's layout (<c>FashionMNIST/raw/</c>). Downloads go here when it is set: MNIST
    /// into the folder itself, other datasets into a subfolder named after them (EMNIST's shared archive into the cache).
    /// </summary>
    /// <value>Default: none.</value>
    public string? Directory { get; set; }

    /// <summary>The dataset's cache folder, looked at after <see cref="Directory"/> and <c>GANMNIST_DATA</c>, and where downloads go.</summary>
    /// <value>Default: <c>$XDG_CACHE_HOME/ganmnist/&lt;dataset&gt;</c>, else <c>~/.cache/ganmnist/&lt;dataset&gt;</c>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Whether missing files may be downloaded from <see cref="Mirrors"/> (into <see cref="Directory"/> when set, else the cache; see there).</summary>
    /// <value>Default: false (the CLI turns it on).</value>
    public bool AllowDownload { get; set; }

    /// <summary>
    /// Base addresses tried in order for each missing file (for EMNIST, for its archive <c>gzip.zip</c>); every download is
    /// checked against the published digest.
    /// </summary>
    /// <value>Default: none, meaning the dataset's official mirrors (torchvision's, then Keras' where it has the files).</value>
    public IList<Uri>? Mirrors { get; set; }

    /// <summary>The longest a single file's download may take before the next mirror is tried.</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Keep only the first N images of the split.</summary>
    /// <value>Default: none (all).</value>
    public int? Limit { get; set; }

    /// <summary>Keep the first N images of each class (in file order).</summary>
    /// <value>Default: none.</value>
    public int? PerClass { get; set; }

    /// <summary>Keep the same number of images of every class: <see cref="PerClass"/> when set, else the rarest class's count.</summary>
    /// <value>Default: false.</value>
    public bool Balanced { get; set; }

    /// <summary>The device the split's tensors live on.</summary>
    /// <value>Default: the CPU.</value>
    public Device? Device { get; set; }

    /// <summary>The dataset <see cref="Dataset"/> names.</summary>
    /// <exception cref="ArgumentException">No dataset has that name.</exception>
    internal DatasetInfo ResolvedDataset => MnistFamily.Get(Dataset);

    internal IList<Uri> ResolvedMirrors => Mirrors ?? [.. ResolvedDataset.Source.Mirrors];

    /// <summary>A copy (the mirror list is shared).</summary>
    internal MnistDatasetOptions Clone() => (MnistDatasetOptions)MemberwiseClone();

    /// <summary>Every invalid option at once, each named; empty when valid.</summary>
    internal List<string> Validate()
    {
        var problems = new List<string>();
        if (!MnistFamily.TryGet(Dataset, out _))
        {
            problems.Add($"{nameof(Dataset)}: {MnistFamily.UnknownMessage(Dataset).TrimEnd('.')}");
        }

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

        if (AllowDownload && Mirrors is { Count: 0 })
        {
            problems.Add($"{nameof(Mirrors)} is empty but {nameof(AllowDownload)} is on");
        }

        if (Mirrors is not null && Mirrors.Any(m => m is null || !m.IsAbsoluteUri || (m.Scheme != Uri.UriSchemeHttp && m.Scheme != Uri.UriSchemeHttps)))
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
}
