using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Data;

/// <summary>
/// A split of a member of the MNIST family (<see cref="MnistFamily"/>: MNIST, Fashion-MNIST, KMNIST, EMNIST, QMNIST),
/// fully validated, upright, normalised as the seeds do (<c>(x / 255 - 0.5) / 0.5</c>, float32 in [-1, 1]) and held
/// once in native memory as (N, 1, 28, 28) images and int64 class indices (0-based). A load either returns a
/// complete dataset or throws.
/// </summary>
public sealed partial class MnistDataset : IImageDataset, IDisposable
{
    private static readonly long[] Shape = [1, IdxReader.ImageSize, IdxReader.ImageSize];
    private const string WrongDatasetKey = "GanMnist.WrongDataset";

    private MnistDataset(DatasetInfo info, MnistSplit split, string imagesPath, string labelsPath, Tensor images, Tensor labels, long[] classCounts,
        MnistDatasetOptions options)
    {
        (Info, Split, ImagesPath, LabelsPath, Images, Labels, ClassCounts) = (info, split, imagesPath, labelsPath, images, labels, classCounts);
        LoadOptions = options.Clone();
    }

    /// <summary>The options it was loaded with (a copy): the trainer's evaluation finds the other split as this one was found.</summary>
    internal MnistDatasetOptions LoadOptions { get; }

    /// <summary>Which dataset this is: its name, classes and sources.</summary>
    public DatasetInfo Info { get; }

    /// <summary>Which split this is.</summary>
    public MnistSplit Split { get; }

    /// <summary>The images file this dataset was read from (for Keras' <c>mnist.npz</c>, that archive).</summary>
    public string ImagesPath { get; }

    /// <summary>The labels file this dataset was read from (for Keras' <c>mnist.npz</c>, that archive).</summary>
    public string LabelsPath { get; }

    /// <inheritdoc />
    public Tensor Images { get; }

    /// <summary>All class indices, (N) int64 in [0, <see cref="ClassCount"/>); owned by the dataset.</summary>
    public Tensor Labels { get; }

    Tensor? IImageDataset.Labels => Labels;

    /// <summary>How many images of each class the dataset holds, indexed by class.</summary>
    public IReadOnlyList<long> ClassCounts { get; }

    /// <summary>The classes' names, indexed by class (e.g. <c>T-shirt/top</c> .. <c>Ankle boot</c>).</summary>
    public IReadOnlyList<string> ClassNames => Info.ClassNames;

    /// <inheritdoc />
    public long Count => ClassCounts.Sum();

    /// <inheritdoc />
    public IReadOnlyList<long> ImageShape => Shape;

    /// <inheritdoc />
    public int ClassCount => Info.ClassCount;

    /// <summary>
    /// Finds the split of <see cref="MnistDatasetOptions.Dataset"/> (in <see cref="MnistDatasetOptions.Directory"/>, then
    /// <c>GANMNIST_DATA</c>, then the dataset's cache folder, then where Debian and Keras keep it), downloading it when
    /// allowed and missing everywhere, and loads it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (an unknown dataset included); the message lists every problem.</exception>
    /// <exception cref="FileNotFoundException">The files are nowhere and downloading is off; the message lists every place looked at and any near-miss found.</exception>
    /// <exception cref="IOException">Downloading was allowed but no mirror gave a verified file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or holds another dataset; the message names it and what is wrong.</exception>
    public static async Task<MnistDataset> LoadAsync(MnistSplit split, MnistDatasetOptions? options = null,
        IProgress<MnistDownloadProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        options ??= new MnistDatasetOptions();
        logger ??= NullLogger.Instance;
        ThrowIfInvalid(options);
        var dataset = options.ResolvedDataset;
        var looked = new List<string>();
        var nearMisses = new List<string>();
        string? archive = null;
        foreach (var place in DatasetFiles.Places(dataset, options))
        {
            if (place.Root is null)
            {
                looked.Add($"{place.Description}: not set");
                continue;
            }

            var folders = place.Folders.Where(System.IO.Directory.Exists).ToList();
            if (folders.Count == 0)
            {
                looked.Add($"{place.Description}: '{place.Root}' does not exist");
                continue;
            }

            var refused = false;
            foreach (var folder in folders)
            {
                if (DatasetFiles.Find(folder, dataset, split) is { } found)
                {
                    try
                    {
                        return Load(dataset, split, found, options, logger);
                    }
                    catch (InvalidDataException e) when (e.Data.Contains(WrongDatasetKey))
                    {
                        looked.Add($"{place.Description}: {e.Message}");
                        refused = true;
                        continue;
                    }
                }

                nearMisses.AddRange(DatasetFiles.NearMisses(folder, dataset, split));
                if (dataset.Source.Archive is { } inPlace && File.Exists(Path.Combine(folder, inPlace.FileName)))
                {
                    archive ??= Path.Combine(folder, inPlace.FileName);
                }
            }

            if (!refused)
            {
                var also = folders.Count > 1 || folders[0] != place.Root ? $" (looked in {string.Join(", ", folders.Select(f => $"'{f}'"))})" : string.Empty;
                looked.Add($"{place.Description}: '{place.Root}'{also} lacks {Wanted(dataset, split)}");
            }
        }

        var target = DatasetFiles.DownloadDirectory(dataset, options);
        var files = dataset.Files(split);
        var downloader = new MnistDownloader(MnistDownloader.SharedClient, logger);
        if (dataset.Source.Archive is { } source && archive is null && File.Exists(Path.Combine(DatasetFiles.ArchiveDirectory(dataset, options), source.FileName)))
        {
            archive = Path.Combine(DatasetFiles.ArchiveDirectory(dataset, options), source.FileName); // downloaded earlier for another split
        }

        if (dataset.Source.Archive is { } published && (archive is not null || options.AllowDownload))
        {
            archive ??= await downloader.DownloadAsync(published.FileName, published.Digest, DatasetFiles.ArchiveDirectory(dataset, options), options.ResolvedMirrors,
                options.DownloadTimeout, progress, cancellationToken).ConfigureAwait(false);
            var extracted = new List<string>();
            foreach (var name in new[] { files.Images, files.Labels })
            {
                extracted.Add(DatasetFiles.FindFile(target, name) ?? downloader.Extract(archive, published.MemberFolder + name + ".gz", target, name + ".gz"));
            }

            return Load(dataset, split, new LocatedSplit(extracted[0], extracted[1]), options, logger);
        }

        if (!options.AllowDownload)
        {
            throw new FileNotFoundException(NotFoundMessage(dataset, split, looked, nearMisses, options));
        }

        var paths = new List<string>();
        foreach (var (name, digest) in new[] { (files.Images, files.ImagesDigest), (files.Labels, files.LabelsDigest) })
        {
            paths.Add(DatasetFiles.FindFile(target, name)
                ?? await downloader.DownloadAsync(name + ".gz", digest, target, options.ResolvedMirrors, options.DownloadTimeout, progress, cancellationToken).ConfigureAwait(false));
        }

        return Load(dataset, split, new LocatedSplit(paths[0], paths[1]), options, logger);
    }

    /// <summary>Finds and loads a split of <paramref name="dataset"/>; the options' own <see cref="MnistDatasetOptions.Dataset"/> is ignored.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="FileNotFoundException">The files are nowhere and downloading is off; the message lists every place looked at and any near-miss found.</exception>
    /// <exception cref="IOException">Downloading was allowed but no mirror gave a verified file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or holds another dataset; the message names it and what is wrong.</exception>
    public static Task<MnistDataset> LoadAsync(DatasetInfo dataset, MnistSplit split, MnistDatasetOptions? options = null,
        IProgress<MnistDownloadProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var named = (options ?? new MnistDatasetOptions()).Clone();
        named.Dataset = dataset.Name;
        return LoadAsync(split, named, progress, logger, cancellationToken);
    }

    /// <summary>
    /// Loads an images file and a labels file (IDX, gzip-compressed or raw) directly, as the split of
    /// <see cref="MnistDatasetOptions.Dataset"/> (its classes and orientation); Keras' <c>mnist.npz</c> may be passed as both.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="options">The dataset (classes, orientation) and which part to keep; where to look and downloading do not apply.</param>
    /// <param name="split">Which split the files are, when known: a file known to hold the other split is refused. Keras' archive holds both; null reads its training split.</param>
    /// <exception cref="InvalidDataException">A file is malformed, holds another dataset, or the two do not match; the message names the file.</exception>
    public static MnistDataset FromFiles(string imagesPath, string labelsPath, MnistDatasetOptions? options = null, MnistSplit? split = null)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        options ??= new MnistDatasetOptions();
        ThrowIfInvalid(options);
        var npz = imagesPath == labelsPath && imagesPath.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);
        return Load(options.ResolvedDataset, split, new LocatedSplit(imagesPath, labelsPath, npz), options, NullLogger.Instance);
    }

    private static MnistDataset Load(DatasetInfo dataset, MnistSplit? asked, LocatedSplit files, MnistDatasetOptions options, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var split = asked ?? MnistSplit.Train;
        var (imagesPath, labelsPath) = (files.ImagesPath, files.LabelsPath);
        byte[] labels;
        IdxImages? idx = null;
        byte[]? npzPixels = null;
        int count;
        if (files.Npz)
        {
            (npzPixels, count, labels) = NpzReader.Read(imagesPath, split, dataset.ClassCount);
        }
        else
        {
            var format = dataset.Files(split).LabelFormat;
            var labelsTask = Task.Run(() => IdxReader.ReadLabels(labelsPath, format, dataset.FirstLabel, dataset.ClassCount));
            idx = IdxReader.ReadImages(imagesPath);
            try
            {
                labels = labelsTask.GetAwaiter().GetResult();
            }
            catch
            {
                idx.Dispose();
                throw;
            }

            count = idx.Count;
        }

        using (idx)
        {
            Span<byte> pixels = idx is not null ? idx.Pixels : npzPixels;
            if (labels.Length != count)
            {
                throw new InvalidDataException(
                    $"{dataset.DisplayName} files do not match: '{imagesPath}' holds {count} images but '{labelsPath}' holds {labels.Length} labels.");
            }

            CheckIdentity(pixels, dataset, asked, imagesPath);
            var keep = Select(labels, dataset, options, labelsPath);
            var device = options.Device ?? CPU;
            Tensor imageTensor, labelTensor;
            using (NewDisposeScope())
            {
                var raw = TensorExtensions.FromBytes(pixels, [count, .. Shape], ScalarType.Byte);
                if (keep is not null)
                {
                    raw = raw.index_select(0, tensor(keep.Select(i => (long)i).ToArray()));
                    labels = keep.Select(i => labels[i]).ToArray();
                }

                if (dataset.Transposed)
                {
                    raw = raw.transpose(2, 3).contiguous(); // EMNIST stores each image column by column
                }

                // Exactly the seeds' arithmetic in float32, (x / 255 - 0.5) / 0.5, in place: one 188 MB buffer, no temporaries.
                imageTensor = IdxFile.Normalise(raw, device).DetachFromDisposeScope();
                labelTensor = tensor(labels, [labels.Length]).to(int64, device).DetachFromDisposeScope();
            }

            var counts = new long[dataset.ClassCount];
            foreach (var label in labels)
            {
                counts[label]++;
            }

            LogLoaded(logger, labels.Length, dataset.DisplayName, imagesPath, clock.ElapsedMilliseconds);
            return new MnistDataset(dataset, split, imagesPath, labelsPath, imageTensor, labelTensor, counts, options);
        }
    }

    /// <summary>Refuses a file that is known to hold another dataset's (or the other split's) images under this one's name.</summary>
    private static void CheckIdentity(ReadOnlySpan<byte> pixels, DatasetInfo dataset, MnistSplit? split, string path)
    {
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pixels));
        if (MnistFamily.KnownImages.TryGetValue(digest, out var known) && (known.Dataset != dataset || (split is { } asked && known.Split != asked)))
        {
            throw new InvalidDataException(
                $"'{path}' holds {known.Dataset.DisplayName}'s {Describe(known.Split)} images, not {dataset.DisplayName}'s{(split is { } s ? " " + Describe(s) : string.Empty)} images")
            {
                Data = { [WrongDatasetKey] = true }, // the search goes on past such a file
            };
        }
    }

    private static string Describe(MnistSplit split) => split == MnistSplit.Train ? "training" : "test";

    private static string Wanted(DatasetInfo dataset, MnistSplit split)
    {
        var files = dataset.Files(split);
        var names = $"{files.Images}[.gz] and {files.Labels}[.gz]";
        return dataset == MnistFamily.Mnist ? $"{names}, or {DatasetFiles.KerasMnistArchive}" : names;
    }

    /// <summary>The indices to keep, in file order, or null for all.</summary>
    private static int[]? Select(byte[] labels, DatasetInfo dataset, MnistDatasetOptions options, string labelsPath)
    {
        if (options.Limit is { } limit)
        {
            return limit >= labels.Length ? null : Enumerable.Range(0, limit).ToArray();
        }

        if (options.PerClass is null && !options.Balanced)
        {
            return null;
        }

        var available = new int[dataset.ClassCount];
        foreach (var label in labels)
        {
            available[label]++;
        }

        var perClass = options.PerClass ?? available.Min();
        var lacking = Enumerable.Range(0, dataset.ClassCount).Where(c => available[c] < perClass).ToList();
        if (lacking.Count > 0)
        {
            throw new ArgumentException(
                $"{nameof(MnistDatasetOptions.PerClass)} = {perClass}, but '{labelsPath}' has fewer images of class(es) " +
                string.Join(", ", lacking.Select(c => $"{c} '{dataset.ClassNames[c]}' ({available[c]})")) + ".", nameof(options));
        }

        var taken = new int[dataset.ClassCount];
        var keep = new List<int>(perClass * dataset.ClassCount);
        for (var i = 0; i < labels.Length; i++)
        {
            if (taken[labels[i]] < perClass)
            {
                taken[labels[i]]++;
                keep.Add(i);
            }
        }

        return [.. keep];
    }

    private static void ThrowIfInvalid(MnistDatasetOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(MnistDatasetOptions)}: {string.Join("; ", problems)}.", nameof(options));
        }
    }

    private static string NotFoundMessage(DatasetInfo dataset, MnistSplit split, List<string> looked, List<string> nearMisses, MnistDatasetOptions options)
    {
        var text = new StringBuilder();
        text.Append("The ").Append(dataset.DisplayName).Append(' ').Append(Describe(split)).Append(" files (").Append(Wanted(dataset, split))
            .AppendLine("; a dot instead of the dash before 'idx' is accepted too) were not found. Looked at:");
        foreach (var place in looked)
        {
            text.Append("  - ").AppendLine(place);
        }

        if (nearMisses.Count > 0)
        {
            text.AppendLine("Near misses found:");
            foreach (var miss in nearMisses.Distinct())
            {
                text.Append("  - ").AppendLine(miss);
            }
        }

        text.Append("Downloading is off. Supply the files by setting ").Append(nameof(MnistDatasetOptions)).Append('.')
            .Append(nameof(MnistDatasetOptions.Directory)).Append(" or ").Append(MnistDatasetOptions.DataEnvironmentVariable)
            .Append(" to a folder holding them, by copying them into '").Append(DatasetFiles.CacheDirectory(dataset, options))
            .Append("', or by turning on ").Append(nameof(MnistDatasetOptions.AllowDownload)).Append(" (")
            .Append(string.Join(", ", dataset.Source.Mirrors)).Append(").");
        return text.ToString();
    }

    /// <summary>Frees the images and labels.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} {Dataset} images from {Path} in {Milliseconds} ms")]
    private static partial void LogLoaded(ILogger logger, int count, string dataset, string path, long milliseconds);
}
