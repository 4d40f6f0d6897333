using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>
/// An MNIST split (or an MNIST-like set in the same IDX files), fully validated, normalised as the seeds
/// do (<c>(x / 255 - 0.5) / 0.5</c>, float32 in [-1, 1]) and held once in native memory as
/// (N, 1, 28, 28) images and int64 labels. A load either returns a complete dataset or throws.
/// </summary>
public sealed partial class MnistDataset : IImageDataset, IDisposable
{
    private static readonly long[] Shape = [1, IdxReader.ImageSize, IdxReader.ImageSize];

    private MnistDataset(string imagesPath, string labelsPath, Tensor images, Tensor labels, long[] classCounts)
    {
        (ImagesPath, LabelsPath, Images, Labels, ClassCounts) = (imagesPath, labelsPath, images, labels, classCounts);
    }

    /// <summary>The images file this dataset was read from.</summary>
    public string ImagesPath { get; }

    /// <summary>The labels file this dataset was read from.</summary>
    public string LabelsPath { get; }

    /// <inheritdoc />
    public Tensor Images { get; }

    /// <inheritdoc />
    public Tensor Labels { get; }

    Tensor? IImageDataset.Labels => Labels;

    /// <summary>How many images of each digit 0..9 the dataset holds.</summary>
    public IReadOnlyList<long> ClassCounts { get; }

    /// <inheritdoc />
    public long Count => ClassCounts.Sum();

    /// <inheritdoc />
    public IReadOnlyList<long> ImageShape => Shape;

    /// <inheritdoc />
    public int ClassCount => IdxReader.ClassCount;

    /// <summary>
    /// Finds a split's files (in <see cref="MnistDatasetOptions.Directory"/>, then <c>GANMNIST_DATA</c>,
    /// then the per-user cache), downloading them when allowed and missing everywhere, and loads it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="FileNotFoundException">The files are nowhere and downloading is off; the message lists every place looked at.</exception>
    /// <exception cref="IOException">Downloading was allowed but no mirror gave a verified file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it and what is wrong.</exception>
    public static async Task<MnistDataset> LoadAsync(MnistSplit split, MnistDatasetOptions? options = null,
        IProgress<MnistDownloadProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        options ??= new MnistDatasetOptions();
        logger ??= NullLogger.Instance;
        ThrowIfInvalid(options);
        var (imagesName, labelsName) = MnistFiles.Names(split);
        var looked = new List<string>();
        foreach (var (directory, description) in MnistFiles.Places(options))
        {
            if (string.IsNullOrEmpty(directory))
            {
                looked.Add($"{description}: not set");
                continue;
            }

            if (!System.IO.Directory.Exists(directory))
            {
                looked.Add($"{description}: '{directory}' does not exist");
                continue;
            }

            var images = MnistFiles.Find(directory, imagesName);
            var labels = MnistFiles.Find(directory, labelsName);
            if (images is not null && labels is not null)
            {
                return Load(images, labels, options, logger);
            }

            var missing = new[] { (images, imagesName), (labels, labelsName) }.Where(f => f.Item1 is null).Select(f => f.Item2 + "[.gz]");
            looked.Add($"{description}: '{directory}' lacks {string.Join(" and ", missing)}");
        }

        if (!options.AllowDownload)
        {
            throw new FileNotFoundException(NotFoundMessage(split, looked, options));
        }

        var target = options.Directory ?? options.ResolvedCacheDirectory;
        var downloader = new MnistDownloader(MnistDownloader.SharedClient, logger);
        var paths = new List<string>();
        foreach (var name in new[] { imagesName, labelsName })
        {
            paths.Add(MnistFiles.Find(target, name)
                ?? await downloader.DownloadAsync(name + ".gz", target, options.Mirrors, options.DownloadTimeout, progress, cancellationToken).ConfigureAwait(false));
        }

        return Load(paths[0], paths[1], options, logger);
    }

    /// <summary>Loads an images file and a labels file (IDX, gzip-compressed or raw) directly.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, or the two do not match; the message names the file.</exception>
    public static MnistDataset FromFiles(string imagesPath, string labelsPath, MnistDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        options ??= new MnistDatasetOptions();
        ThrowIfInvalid(options);
        return Load(imagesPath, labelsPath, options, NullLogger.Instance);
    }

    private static MnistDataset Load(string imagesPath, string labelsPath, MnistDatasetOptions options, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var labelsTask = Task.Run(() => IdxReader.ReadLabels(labelsPath));
        using var images = IdxReader.ReadImages(imagesPath);
        var labels = labelsTask.GetAwaiter().GetResult();
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException(
                $"MNIST files do not match: '{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels.");
        }

        var keep = Select(labels, options, labelsPath);
        var device = options.Device ?? CPU;
        Tensor imageTensor, labelTensor;
        using (NewDisposeScope())
        {
            var raw = TensorExtensions.FromBytes(images.Pixels, [images.Count, .. Shape], ScalarType.Byte);
            if (keep is not null)
            {
                raw = raw.index_select(0, tensor(keep.Select(i => (long)i).ToArray()));
                labels = keep.Select(i => labels[i]).ToArray();
            }

            // Exactly the seeds' arithmetic in float32, (x / 255 - 0.5) / 0.5, in place: one 188 MB buffer, no temporaries.
            imageTensor = IdxFile.Normalise(raw, device).DetachFromDisposeScope();
            labelTensor = tensor(labels, [labels.Length]).to(int64, device).DetachFromDisposeScope();
        }

        var counts = new long[IdxReader.ClassCount];
        foreach (var label in labels)
        {
            counts[label]++;
        }

        LogLoaded(logger, labels.Length, imagesPath, clock.ElapsedMilliseconds);
        return new MnistDataset(imagesPath, labelsPath, imageTensor, labelTensor, counts);
    }

    /// <summary>The indices to keep, in file order, or null for all.</summary>
    private static int[]? Select(byte[] labels, MnistDatasetOptions options, string labelsPath)
    {
        if (options.Limit is { } limit)
        {
            return limit >= labels.Length ? null : Enumerable.Range(0, limit).ToArray();
        }

        if (options.PerClass is null && !options.Balanced)
        {
            return null;
        }

        var available = new int[IdxReader.ClassCount];
        foreach (var label in labels)
        {
            available[label]++;
        }

        var perClass = options.PerClass ?? available.Min();
        var lacking = Enumerable.Range(0, IdxReader.ClassCount).Where(c => available[c] < perClass).ToList();
        if (lacking.Count > 0)
        {
            throw new ArgumentException(
                $"{nameof(MnistDatasetOptions.PerClass)} = {perClass}, but '{labelsPath}' has fewer images of digit(s) " +
                string.Join(", ", lacking.Select(c => $"{c} ({available[c]})")) + ".", nameof(options));
        }

        var taken = new int[IdxReader.ClassCount];
        var keep = new List<int>(perClass * IdxReader.ClassCount);
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

    private static string NotFoundMessage(MnistSplit split, List<string> looked, MnistDatasetOptions options)
    {
        var (images, labels) = MnistFiles.Names(split);
        var text = new StringBuilder();
        text.Append("The MNIST ").Append(split.ToString().ToLowerInvariant()).Append(" files (").Append(images).Append("[.gz] and ")
            .Append(labels).AppendLine("[.gz]) were not found. Looked at:");
        foreach (var place in looked)
        {
            text.Append("  - ").AppendLine(place);
        }

        text.Append("Downloading is off. Supply the files by setting ").Append(nameof(MnistDatasetOptions)).Append('.')
            .Append(nameof(MnistDatasetOptions.Directory)).Append(" or ").Append(MnistDatasetOptions.DataEnvironmentVariable)
            .Append(" to a folder holding them, by copying them into '").Append(options.ResolvedCacheDirectory)
            .Append("', or by turning on ").Append(nameof(MnistDatasetOptions.AllowDownload)).Append('.');
        return text.ToString();
    }

    /// <summary>Frees the images and labels.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} MNIST images from {Path} in {Milliseconds} ms")]
    private static partial void LogLoaded(ILogger logger, int count, string path, long milliseconds);
}
