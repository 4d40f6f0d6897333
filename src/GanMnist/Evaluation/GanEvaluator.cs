using System.Diagnostics;
using System.Globalization;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Evaluation;

/// <summary>
/// Measures generated images: Fréchet distance ("FID") and precision/recall against a reference set of the dataset's
/// training images in <see cref="MnistClassifier"/> feature space, the MNIST score, the class histogram and a
/// mode-collapse alarm. <see cref="Real"/> holds the same metrics for the real test images, the values a
/// perfect generator would approach. Works on a generator, a tensor of images or an IDX file, and inside
/// training through the trainer's evaluation callback.
/// </summary>
public sealed partial class GanEvaluator : IDisposable
{
    private readonly bool _ownsClassifier;
    private readonly ILogger _logger;
    private readonly GaussianStatistics _referenceStatistics;
    private readonly EvaluationReference _reference;

    private GanEvaluator(MnistClassifier classifier, bool ownsClassifier, EvaluationReference reference, GanEvaluatorOptions options, ILogger logger)
    {
        (Classifier, _ownsClassifier, Options, _logger, _reference) = (classifier, ownsClassifier, options, logger, reference);
        using var scope = NewDisposeScope();
        _referenceStatistics = GaussianStatistics.Of(reference.Features);
    }

    /// <summary>An evaluator whose reference is computed from images: their features, radii and class shares, and <see cref="Real"/>.</summary>
    private static GanEvaluator Compute(MnistClassifier classifier, bool ownsClassifier, Tensor referenceImages, Tensor? realImages, GanEvaluatorOptions options, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        EvaluationReference reference;
        using (var scope = NewDisposeScope())
        {
            var (features, probabilities) = classifier.Classify(referenceImages, options.BatchSize);
            // The reference's class shares as the classifier sees them: the yardstick of the histogram's alarm (EMNIST ByClass is far from uniform).
            var predicted = probabilities.argmax(1).to(ScalarType.Int64, CPU).ToArray<long>();
            var shares = new double[classifier.ClassCount];
            foreach (var c in predicted)
            {
                shares[c] += 1.0 / predicted.Length;
            }

            var radii = options.PrecisionRecall ? NearestNeighbourManifold.SquaredRadii(features, options.NearestNeighbours).DetachFromDisposeScope() : null;
            reference = new EvaluationReference(features.DetachFromDisposeScope(), shares, radii, real: null);
        }

        LogReference(logger, referenceImages.size(0), clock.Elapsed.TotalSeconds);
        try
        {
            var evaluator = new GanEvaluator(classifier, ownsClassifier, reference, options, logger);
            if (realImages is not null)
            {
                reference.Real = evaluator.Evaluate(realImages);
                LogReal(logger, reference.Real.ToString());
            }

            return evaluator;
        }
        catch
        {
            reference.Dispose(); // the classifier stays with the caller
            throw;
        }
    }

    /// <summary>The options (a copy).</summary>
    public GanEvaluatorOptions Options { get; }

    /// <summary>The classifier whose features and predictions the metrics use.</summary>
    public MnistClassifier Classifier { get; }

    /// <summary>The metrics of real held-out images (the MNIST test set) against the same reference; null when none were given.</summary>
    public EvaluationResult? Real => _reference.Real;

    /// <summary>How many reference images the statistics come from.</summary>
    public long ReferenceCount => _referenceStatistics.Count;

    /// <summary>
    /// Loads (or trains and caches) the classifier of the dataset <see cref="MnistClassifierOptions.Data"/> names (MNIST by
    /// default), takes <see cref="GanEvaluatorOptions.ReferenceCount"/> of its training images (at most the split's size) as the
    /// reference and measures its test split as <see cref="Real"/>. The files are found (or downloaded) as
    /// <see cref="MnistClassifierOptions.Data"/> says. The reference's features and <see cref="Real"/> are cached beside the
    /// classifier (<c>{dataset}-reference-{hash}.safetensors</c>, about 5 MB), named by a SHA-256 of the classifier's weights,
    /// the images and the options that change a measurement, so later evaluators skip classifying 20,000 images (about 23 s
    /// on 2 cores); a damaged cache file is recomputed with a warning.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static async Task<GanEvaluator> CreateAsync(GanEvaluatorOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        options = (options ?? new GanEvaluatorOptions()).Clone();
        options.ThrowIfInvalid();
        logger ??= NullLogger.Instance;
        var classifier = await MnistClassifier.LoadOrTrainAsync(options.Classifier, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            using var training = await MnistDataset.LoadAsync(MnistSplit.Train, options.Classifier.Data, logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var test = await MnistDataset.LoadAsync(MnistSplit.Test, options.Classifier.Data, logger: logger, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var scope = NewDisposeScope();
            using var random = new Generator(options.Seed);
            var subset = randperm(training.Count, generator: random).narrow(0, 0, Math.Min(options.ReferenceCount, training.Count));
            var reference = training.Images.index_select(0, subset.to(training.Images.device));
            var key = EvaluationReference.Key(classifier, reference, test.Images, options);
            var path = EvaluationReference.PathOf(options, key);
            EvaluationReference? cached = null;
            try
            {
                cached = EvaluationReference.Read(path, key, reference.size(0), classifier.ClassCount);
                if (cached is not null)
                {
                    var evaluator = new GanEvaluator(classifier, ownsClassifier: true, cached, options, logger);
                    LogReferenceCached(logger, path, cached.Real?.ToString() ?? "none measured");
                    return evaluator;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Whatever is wrong with a cache file, the reference can be computed again: warn, never fail the evaluation.
                cached?.Dispose();
                LogReferenceCacheInvalid(logger, path, e.Message);
            }

            var computed = Compute(classifier, ownsClassifier: true, reference, test.Images, options, logger);
            try
            {
                computed._reference.Write(path, key);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                LogReferenceCacheNotWritten(logger, path, e.Message); // still usable; computed again next time
            }

            return computed;
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An evaluator over a given classifier (not owned) and reference images (N, 1, 28, 28) in [-1, 1]; when
    /// <paramref name="realImages"/> are given they are measured as <see cref="Real"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid, or the images are not (N, 1, 28, 28) with N > k.</exception>
    public static GanEvaluator Create(MnistClassifier classifier, Tensor referenceImages, Tensor? realImages = null, GanEvaluatorOptions? options = null,
        ILogger? logger = null)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(referenceImages);
        options = (options ?? new GanEvaluatorOptions()).Clone();
        options.ThrowIfInvalid();
        CheckImages(referenceImages, options, nameof(referenceImages));
        return Compute(classifier, ownsClassifier: false, referenceImages, realImages, options, logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// Generates <paramref name="sampleCount"/> images (default <see cref="GanEvaluatorOptions.SampleCount"/>) in evaluation
    /// mode from noise drawn with <paramref name="seed"/> (default <see cref="GanEvaluatorOptions.Seed"/>) and measures them.
    /// A conditional generator is asked for each class in turn, and <see cref="EvaluationResult.ConditionalAccuracy"/> reports
    /// how many came out as asked.
    /// </summary>
    /// <exception cref="ArgumentException">A conditional generator's classes are not the classifier's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample count is too small for the k-NN metrics.</exception>
    public EvaluationResult Evaluate(IGenerator generator, int? sampleCount = null, ulong? seed = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var count = sampleCount ?? Options.SampleCount;
        if (count <= Options.NearestNeighbours || count < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleCount), count, $"An evaluation needs more than {Math.Max(Options.NearestNeighbours, 1)} images.");
        }

        if (generator.ClassCount > 0 && generator.ClassCount != Classifier.ClassCount)
        {
            throw new ArgumentException(
                $"The generator is conditioned on {generator.ClassCount} classes but the classifier tells {Classifier.ClassCount} apart " +
                $"({Classifier.Dataset?.DisplayName ?? "its own classes"}); evaluate it with the classifier of the dataset it was trained on.", nameof(generator));
        }

        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var labels = generator.ClassCount > 0
            ? tensor(Enumerable.Range(0, count).Select(i => (long)(i % generator.ClassCount)).ToArray())
            : null;
        var batches = new List<Tensor>();
        using (var random = new Generator(seed ?? Options.Seed))
        {
            for (var start = 0; start < count; start += Options.BatchSize)
            {
                using var batchScope = NewDisposeScope();
                var size = Math.Min(Options.BatchSize, count - start);
                var images = GeneratorFile.Generate(generator, size, random, labels?.narrow(0, start, size));
                batches.Add(images.to(Classifier.Device).MoveToOuterDisposeScope());
            }
        }

        var all = cat(batches, 0);
        var result = Measure(all, labels);
        return result with { Duration = clock.Elapsed };
    }

    /// <summary>Measures images (N, 1, 28, 28) in [-1, 1] on any device.</summary>
    /// <exception cref="ArgumentException">The images are not (N, 1, 28, 28), N is at most k, or values lie outside [-1, 1].</exception>
    public EvaluationResult Evaluate(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var clock = Stopwatch.StartNew();
        CheckImages(images, Options, nameof(images));
        return Measure(images, null) with { Duration = clock.Elapsed };
    }

    /// <summary>Measures the images of an IDX file (gzip or raw), e.g. one written by the CLI's <c>generate</c>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names it.</exception>
    public EvaluationResult EvaluateFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var clock = Stopwatch.StartNew();
        using var images = IdxFile.ReadImages(path, Classifier.Device);
        if (images.size(0) <= Math.Max(Options.NearestNeighbours, 1))
        {
            throw new InvalidDataException($"'{path}' holds {images.size(0)} images; an evaluation needs more than {Math.Max(Options.NearestNeighbours, 1)}.");
        }

        return Measure(images, null) with { Duration = clock.Elapsed };
    }

    /// <summary>Moves the classifier and the reference features to a device (in place).</summary>
    public GanEvaluator To(Device device)
    {
        Classifier.To(device);
        _reference.To(device);
        return this;
    }

    /// <summary>Frees the reference features, and the classifier when this evaluator loaded it.</summary>
    public void Dispose()
    {
        _reference.Dispose();
        if (_ownsClassifier)
        {
            Classifier.Dispose();
        }
    }

    private static void CheckImages(Tensor images, GanEvaluatorOptions options, string name)
    {
        MnistClassifier.RequireImages(images);
        if (images.size(0) <= Math.Max(options.NearestNeighbours, 1))
        {
            throw new ArgumentException($"An evaluation needs more than {Math.Max(options.NearestNeighbours, 1)} images; got {images.size(0)}.", name);
        }

        using var scope = NewDisposeScope();
        var (min, max) = (images.amin().ToSingle(), images.amax().ToSingle());
        if (!(min >= -1.001f && max <= 1.001f))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Images must lie in [-1, 1] (as the generators' tanh output and MnistDataset); these range over [{min}, {max}]."), name);
        }
    }

    private EvaluationResult Measure(Tensor images, Tensor? askedLabels)
    {
        using var scope = NewDisposeScope();
        var (features, probabilities) = Classifier.Classify(images, Options.BatchSize);
        var statistics = GaussianStatistics.Of(features);
        var fid = FrechetDistance.Between(statistics, _referenceStatistics);
        var count = (int)images.size(0);
        var p = probabilities.to(ScalarType.Float64, CPU).ToArray<double>();
        var classes = Classifier.ClassCount;
        var predicted = new int[count];
        for (var i = 0; i < count; i++)
        {
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (p[(i * classes) + c] > p[(i * classes) + best])
                {
                    best = c;
                }
            }

            predicted[i] = best;
        }

        var histogram = ClassHistogram.Of(predicted, _reference.Shares, Classifier.ClassNames, Options);
        double? precision = null, recall = null;
        if (_reference.Radii is not null)
        {
            precision = NearestNeighbourManifold.Coverage(features, _reference.Features, _reference.Radii);
            using var radii = NearestNeighbourManifold.SquaredRadii(features, Options.NearestNeighbours);
            recall = NearestNeighbourManifold.Coverage(_reference.Features, features, radii);
        }

        double? conditional = null;
        if (askedLabels is not null)
        {
            var asked = askedLabels.to(ScalarType.Int64, CPU).ToArray<long>();
            conditional = asked.Where((label, i) => predicted[i] == label).Count() / (double)count;
        }

        var dimension = features.size(1);
        var warning = count > dimension ? null : string.Create(CultureInfo.InvariantCulture,
            $"FID from {count} images of {dimension}-dimensional features: with no more samples than dimensions the covariance is singular and the FID is biased upward; evaluate at least {dimension + 1} images (10,000 is the convention)");
        if (warning is not null)
        {
            LogFewSamples(_logger, warning);
        }

        return new EvaluationResult
        {
            SampleCount = count,
            Warning = warning,
            FrechetDistance = fid,
            MnistScore = MnistScore.Of(p, classes),
            ClassCounts = histogram.Counts,
            ClassNames = Classifier.ClassNames,
            ClassesCovered = histogram.Covered,
            LargestClassShare = histogram.Largest,
            SmallestClassShare = histogram.Smallest,
            ModeCollapse = histogram.Alarm is not null,
            ModeCollapseReason = histogram.Alarm,
            Precision = precision,
            Recall = recall,
            ConditionalAccuracy = conditional,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogFewSamples(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation reference: {Count} training images ({Seconds:F1} s)")]
    private static partial void LogReference(ILogger logger, long count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation reference and real test images' score read from '{Path}': {Result}")]
    private static partial void LogReferenceCached(ILogger logger, string path, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cached evaluation reference '{Path}' cannot be used ({Reason}); computing it again")]
    private static partial void LogReferenceCacheInvalid(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The evaluation reference could not be cached in '{Path}' ({Reason})")]
    private static partial void LogReferenceCacheNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Real test images score: {Result}")]
    private static partial void LogReal(ILogger logger, string result);
}
