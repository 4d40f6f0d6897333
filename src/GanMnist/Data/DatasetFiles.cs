namespace GanMnist.Data;

/// <summary>A split found on disk: an IDX pair, or Keras' <c>mnist.npz</c> holding both splits.</summary>
internal sealed record LocatedSplit(string ImagesPath, string LabelsPath, bool Npz = false);

/// <summary>One place looked at, for messages: a description and the folders it stands for.</summary>
internal sealed record SearchPlace(string Description, string? Root, IReadOnlyList<string> Folders);

/// <summary>
/// Where a dataset's files are looked for and under which names: the places users really keep them (their own
/// folder, <c>GANMNIST_DATA</c>, torchvision's <c>&lt;root&gt;/&lt;Folder&gt;/raw</c> layout, the per-user cache,
/// Debian's <c>dataset-fashion-mnist</c> package, Keras' <c>~/.keras/datasets</c>), the names archive tools give
/// them (a dash or a dot before <c>idx</c>, with or without <c>.gz</c>), and the near-misses worth naming when
/// nothing fits.
/// </summary>
internal static class DatasetFiles
{
    internal const string KerasMnistArchive = "mnist.npz";

    private static readonly string[] ArchiveExtensions = [".gz", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".z", ".npz", ".npy"];

    /// <summary>The places to look, in order.</summary>
    internal static IEnumerable<SearchPlace> Places(DatasetInfo dataset, MnistDatasetOptions options)
    {
        yield return Around(dataset, $"{nameof(MnistDatasetOptions)}.{nameof(MnistDatasetOptions.Directory)}", options.Directory);
        yield return Around(dataset, $"the {MnistDatasetOptions.DataEnvironmentVariable} environment variable",
            Environment.GetEnvironmentVariable(MnistDatasetOptions.DataEnvironmentVariable));
        yield return options.CacheDirectory is { } cache
            ? new("the per-user cache", cache, [cache, Path.Combine(cache, dataset.Name)])
            : new("the per-user cache", CacheDirectory(dataset, options), [CacheDirectory(dataset, options)]);
        if (dataset == MnistFamily.FashionMnist)
        {
            yield return new("Debian's dataset-fashion-mnist package", DebianFashionMnist, [DebianFashionMnist]);
        }

        var keras = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".keras", "datasets");
        if (dataset == MnistFamily.Mnist)
        {
            yield return new("Keras' dataset cache", keras, [keras]);
        }
        else if (dataset == MnistFamily.FashionMnist)
        {
            yield return new("Keras' dataset cache", Path.Combine(keras, "fashion-mnist"), [Path.Combine(keras, "fashion-mnist")]);
        }
    }

    internal static string DebianFashionMnist { get; set; } = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// The dataset's own cache folder: <c>ganmnist/&lt;dataset&gt;</c> in the per-user cache; with a <c>CacheDirectory</c>,
    /// that folder for MNIST (as always) and a subfolder named after the dataset for the others.
    /// </summary>
    internal static string CacheDirectory(DatasetInfo dataset, MnistDatasetOptions options) =>
        options.CacheDirectory is { } cache ? Within(cache, dataset) : Path.Combine(MnistDatasetOptions.CacheRoot(), dataset.Name);

    /// <summary>
    /// Where downloads and extractions go: <c>Directory</c> when set, else the cache folder. MNIST goes to the folder itself
    /// (as it always has), every other dataset to a subfolder named after it, so that datasets sharing file names
    /// (<c>train-images-idx3-ubyte.gz</c>) never land on each other.
    /// </summary>
    internal static string DownloadDirectory(DatasetInfo dataset, MnistDatasetOptions options) =>
        options.Directory is { } directory ? Within(directory, dataset) : CacheDirectory(dataset, options);

    private static string Within(string root, DatasetInfo dataset) => dataset == MnistFamily.Mnist ? root : Path.Combine(root, dataset.Name);

    /// <summary>The split's files in one folder under any accepted name, or null.</summary>
    internal static LocatedSplit? Find(string folder, DatasetInfo dataset, MnistSplit split)
    {
        var files = dataset.Files(split);
        var images = FindFile(folder, files.Images);
        var labels = FindFile(folder, files.Labels);
        if (images is not null && labels is not null)
        {
            return new(images, labels);
        }

        var npz = Path.Combine(folder, KerasMnistArchive);
        return dataset == MnistFamily.Mnist && File.Exists(npz) ? new(npz, npz, Npz: true) : null;
    }

    /// <summary>Where a published archive (EMNIST's <c>gzip.zip</c>, shared by its six splits) is kept: the cache override, else <c>ganmnist/emnist</c>.</summary>
    internal static string ArchiveDirectory(DatasetInfo dataset, MnistDatasetOptions options) =>
        options.CacheDirectory ?? Path.Combine(MnistDatasetOptions.CacheRoot(), dataset.TorchvisionFolder.ToLowerInvariant());

    /// <summary>A file under any of its accepted names (<c>a-b-idx3-ubyte</c>, <c>a-b.idx3-ubyte</c>, each with or without <c>.gz</c>), or null.</summary>
    internal static string? FindFile(string folder, string name) =>
        Variants(name).Select(v => Path.Combine(folder, v)).FirstOrDefault(File.Exists);

    /// <summary>The accepted names of a file, preferred first.</summary>
    internal static IEnumerable<string> Variants(string name)
    {
        var dotted = Dotted(name);
        yield return name + ".gz";
        yield return name;
        if (dotted != name)
        {
            yield return dotted + ".gz";
            yield return dotted;
        }
    }

    /// <summary>
    /// Entries of <paramref name="folder"/> whose name or format is close to a file of the split but not accepted,
    /// each with what is wrong: another case or separator, an archive to extract, a folder, a format GanMnist does not read.
    /// </summary>
    internal static IEnumerable<string> NearMisses(string folder, DatasetInfo dataset, MnistSplit split)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(folder).Take(10_000).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        var files = dataset.Files(split);
        var wanted = new[] { files.Images, files.Labels }.Select(n => (Name: n, Key: Normalise(n))).ToList();
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            var key = Normalise(name);
            var match = wanted.FirstOrDefault(w => key == w.Key || (key.Length > 8 && NameMatching.Distance(key, w.Key) <= 2));
            if (match.Name is not null && (Directory.Exists(entry) || !Variants(match.Name).Contains(name, StringComparer.Ordinal)))
            {
                yield return $"'{entry}' {Problem(entry, name, match.Name)}";
                continue;
            }

            if (OtherFormat(name) is { } format)
            {
                yield return $"'{entry}' {format}";
            }
        }
    }

    private static string Problem(string path, string name, string expected)
    {
        var accepted = $"expected '{expected}[.gz]' or '{Dotted(expected)}[.gz]'";
        if (Directory.Exists(path))
        {
            return $"is a folder, not a file ({accepted}; an archive tool may have put the file inside it)";
        }

        var extension = ArchiveExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase) && e != ".gz");
        return extension is not null
            ? $"looks like a {extension} archive of the file: extract it ({accepted})"
            : $"has a name close to but not one GanMnist accepts ({accepted}; names are case-sensitive)";
    }

    /// <summary>Other distributions of MNIST-like data, named so a user knows why they were not taken.</summary>
    private static string? OtherFormat(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower switch
        {
            _ when lower.EndsWith(".pkl.gz", StringComparison.Ordinal) || lower.EndsWith(".pkl", StringComparison.Ordinal) =>
                "is a Python pickle (deeplearning.net's mnist.pkl.gz format), which GanMnist does not read; use the IDX files or Keras' mnist.npz",
            _ when lower.Contains("mnist", StringComparison.Ordinal) && lower.EndsWith(".csv", StringComparison.Ordinal) =>
                "is a CSV export (Kaggle's format), which GanMnist does not read; use the IDX files or Keras' mnist.npz",
            "training.pt" or "test.pt" => "is torchvision's old processed format, which GanMnist does not read; use the IDX files in the raw folder beside it",
            _ when lower.EndsWith(".npz", StringComparison.Ordinal) && lower != KerasMnistArchive =>
                $"is a NumPy archive; GanMnist reads only Keras' {KerasMnistArchive} (arrays x_train, y_train, x_test, y_test), and only for MNIST",
            _ => null,
        };
    }

    private static SearchPlace Around(DatasetInfo dataset, string description, string? root) =>
        string.IsNullOrEmpty(root)
            ? new(description, null, [])
            : new(description, root, [root, Path.Combine(root, dataset.Name), Path.Combine(root, dataset.TorchvisionFolder, "raw")]);

    /// <summary><c>train-images-idx3-ubyte</c> → <c>train-images.idx3-ubyte</c>, as some archive tools name the files.</summary>
    private static string Dotted(string name)
    {
        var at = name.LastIndexOf("-idx", StringComparison.Ordinal);
        return at < 0 ? name : string.Concat(name.AsSpan(0, at), ".", name.AsSpan(at + 1));
    }

    private static string Normalise(string name)
    {
        var lower = name.ToLowerInvariant();
        bool stripped;
        do
        {
            stripped = false;
            foreach (var extension in ArchiveExtensions)
            {
                if (lower.EndsWith(extension, StringComparison.Ordinal) && lower.Length > extension.Length)
                {
                    lower = lower[..^extension.Length];
                    stripped = true;
                }
            }
        }
        while (stripped);

        return new([.. lower.Select(c => c is '_' or '.' or ' ' ? '-' : c)]);
    }
}
