using System.Security.Cryptography;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training.Callbacks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

/// <summary>
/// Trains a generator against a discriminator, as pytorch/examples' DCGAN reads: per batch (1) update
/// D on real images and detached fakes, (2) update G through D. Every step runs inside a dispose scope;
/// losses are read back to the host once per logging interval. What a run writes to
/// <see cref="GanOutputOptions.OutputDirectory"/> (samples, history, report, checkpoints, the generator file) is done by
/// callbacks the options add (<see cref="Callbacks.DefaultCallbacks"/>; docs/architecture.md lists them in order).
/// </summary>
public sealed partial class GanTrainer
{
    private readonly ILogger _logger;
    private readonly IReadOnlyList<ITrainingCallback> _callbacks;
    private readonly GanComponents _components;

    /// <summary>Creates a trainer from options (validated now: every problem is reported at once).</summary>
    /// <exception cref="OptionsValidationException">An option is invalid; the failures name each option.</exception>
    public GanTrainer(GanTrainerOptions options, ILogger? logger = null, IEnumerable<ITrainingCallback>? callbacks = null)
        : this(options, logger, callbacks, new GanComponents())
    {
    }

    /// <summary>Creates a trainer from dependency injection.</summary>
    public GanTrainer(IOptions<GanTrainerOptions> options, ILogger<GanTrainer>? logger = null, IEnumerable<ITrainingCallback>? callbacks = null)
        : this(options.Value, logger, callbacks)
    {
    }

    internal GanTrainer(GanTrainerOptions options, ILogger? logger, IEnumerable<ITrainingCallback>? callbacks, GanComponents components)
    {
        ArgumentNullException.ThrowIfNull(options);
        GanTrainerOptionsValidator.ThrowIfInvalid(options);
        Options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _callbacks = [.. callbacks ?? [], .. components.Callbacks];
        _components = components;
    }

    /// <summary>The options of this trainer (a copy; later changes to the original do not apply).</summary>
    public GanTrainerOptions Options { get; }

    /// <summary>Configures a trainer fluently, e.g. <c>GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(5))</c>.</summary>
    /// <exception cref="OptionsValidationException">The resulting options are invalid.</exception>
    public static GanTrainer Create(Action<GanTrainerBuilder> configure, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new GanTrainerBuilder();
        configure(builder);
        return builder.Build(logger);
    }

    /// <summary>
    /// Trains on <paramref name="dataset"/>. Runs on a dedicated thread; progress is reported through
    /// <paramref name="progress"/>, the logger and the callbacks. Cancellation takes effect within one step
    /// and surfaces as <see cref="OperationCanceledException"/> after the step has completed.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's images do not fit the models.</exception>
    /// <exception cref="NonFiniteLossException">A loss became NaN or infinite.</exception>
    /// <exception cref="Health.TrainingHealthException">A health warning was raised and <see cref="GanHealthOptions.StopOnHealthWarning"/> is set (a checkpoint was written first).</exception>
    /// <exception cref="InvalidOperationException">The checkpoint resumed from has already trained <see cref="GanTrainerOptions.Epochs"/> epochs (the total); the message says how to ask for more.</exception>
    /// <exception cref="IOException">Another training holds <see cref="GanOutputOptions.OutputDirectory"/> (the message names it and that process), or a file could not be written.</exception>
    public Task<TrainingResult> TrainAsync(IImageDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentNullException.ThrowIfNull(dataset);
        return Task.Factory.StartNew(() => Train(dataset, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Keras-style summaries (<see cref="ModelSummary"/>) of the generator and discriminator this trainer would train: the
    /// built-in models its options describe, or those given to the builder (<see cref="GanTrainerBuilder"/>). Builds them on the
    /// CPU, summarises and frees them; trains nothing.
    /// </summary>
    /// <param name="classCount">The dataset's classes, for conditional models (MNIST's 10 by default).</param>
    public (ModelSummary Generator, ModelSummary Discriminator) Summarize(int classCount = GanModels.ClassCount)
    {
        TorchRuntime.EnsureLoaded();
        using var random = new Generator(Options.Seed ?? 0);
        var generator = _components.Generator?.Invoke(Options, random) ?? TrainerModels.Generator(Options, classCount);
        using var g = generator.Module;
        var discriminator = _components.Discriminator?.Invoke(Options, random) ?? TrainerModels.Discriminator(Options, classCount);
        using var d = discriminator.Module;
        return (ModelSummary.Of(generator), ModelSummary.Of(discriminator));
    }

    private TrainingResult Train(IImageDataset dataset, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var options = Options;
        string? resumePath = null;
        using var resume = options.Output.ResumeFrom is { } from ? OpenCheckpoint(from, out resumePath) : null;
        var seed = resume is not null ? TrainingCheckpoint.Seed(resume, resumePath!) : options.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        MallocSettings.EnsureApplied();
        var device = TorchRuntime.ParseDevice(options.Device);
        TorchRuntime.EnsureAvailable(device);
        using var evaluator = options.Evaluation.EvaluateEveryEpochs > 0 ? CreateEvaluator(options, dataset, device, cancellationToken) : null;
        set_num_threads(options.Threads ?? Environment.ProcessorCount);
        LogStart(_logger, seed, device.ToString(), get_num_threads(), __version__, NativeSettings());
        manual_seed(unchecked((long)seed)); // dropout and anything else drawing from the default generator
        using var random = new Generator(seed);
        var classes = dataset.ClassCount >= 2 ? dataset.ClassCount : GanModels.ClassCount; // conditional models take the dataset's classes
        // The built-in models initialise from the default generator (seeded just above), the stream every measured run
        // has used; the run's own generator is left to the noise.
        var generator = _components.Generator?.Invoke(options, random)
            ?? TrainerModels.Generator(options, classes);
        var discriminator = _components.Discriminator?.Invoke(options, random)
            ?? TrainerModels.Discriminator(options, classes);
        GeneratorAverage? average = null;
        try
        {
            CheckShapes(dataset, generator, discriminator);
            generator.Module.to(device).train();
            discriminator.Module.to(device).train();
            ApplyPrecision(options, device, generator, discriminator);
            if (options.Schedule.EmaDecay is { } decay)
            {
                using var copyRandom = new Generator(seed); // its weights are overwritten by the generator's
                var copy = _components.Generator?.Invoke(options, copyRandom)
                    ?? TrainerModels.Generator(options, classes);
                copy.Module.to(device);
                average = new GeneratorAverage(generator, copy, decay);
            }

            var loss = _components.Loss ?? CreateLoss(options);
            var callbacks = DefaultCallbacks.Around(options, evaluator, _callbacks);
            var defaults = callbacks.Except(_callbacks).ToList(); // the run's own: disposed with it whatever the host does with the list
            _components.ConfigureCallbacks?.Invoke(callbacks);
            var run = new Run(this, options, dataset, generator, discriminator, loss, device, seed, random, progress, callbacks, average, defaults);
            try
            {
                if (resume is not null)
                {
                    run.Restore(resume, resumePath!);
                }

                run.Execute(cancellationToken);
            }
            finally
            {
                run.Dispose();
            }

            return new TrainingResult(generator, discriminator, run.History, run.OutputDirectory, seed, run.SampleFiles, average?.Average);
        }
        catch
        {
            generator.Module.Dispose();
            discriminator.Module.Dispose();
            average?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The evaluator behind <see cref="GanEvaluationOptions.EvaluateEveryEpochs"/>: for an <see cref="MnistDataset"/>, its own
    /// dataset (classifier, reference and test images) found with the options it was loaded with; for other datasets, MNIST
    /// where <see cref="MnistDatasetOptions"/> looks by default.
    /// </summary>
    private GanEvaluator CreateEvaluator(GanTrainerOptions options, IImageDataset dataset, Device device, CancellationToken cancellationToken)
    {
        var evaluatorOptions = new GanEvaluatorOptions { SampleCount = options.Evaluation.EvaluationSamples };
        if (dataset is MnistDataset mnist)
        {
            // Found and fetched as the training split was (places, downloads, cache, mirrors), whole.
            var data = mnist.LoadOptions.Clone();
            (data.Dataset, data.Limit, data.PerClass, data.Balanced) = (mnist.Info.Name, null, null, false);
            evaluatorOptions.Classifier.Data = data;
        }

        LogEvaluatorLoading(_logger, options.Evaluation.EvaluateEveryEpochs, options.Evaluation.EvaluationSamples);
        var evaluator = GanEvaluator.CreateAsync(evaluatorOptions, _logger, cancellationToken).GetAwaiter().GetResult();
        return device.type == DeviceType.CPU ? evaluator : evaluator.To(device);
    }

    /// <summary>
    /// TF32 on CUDA when asked; under bf16-mixed, logs whether the device computes bfloat16 natively and which layers of
    /// the models are TorchSharp's own (they compute in float32: <see cref="Autocast"/> says how to change that).
    /// </summary>
    private void ApplyPrecision(GanTrainerOptions options, Device device, IGenerator generator, IDiscriminator discriminator)
    {
        if (device.type == DeviceType.CUDA && options.AllowTf32)
        {
            backends.cuda.matmul.allow_tf32 = true;
        }

        if (options.Precision != Precision.BFloat16Mixed)
        {
            return;
        }

        var (networks, float32) = DescribeMixedPrecision(options, generator, discriminator);
        LogMixedPrecision(_logger, networks, BFloat16Hardware.Describe(device));
        if (float32.Count > 0)
        {
            LogFloat32Layers(_logger, float32.Count, string.Join(", ", float32));
        }
    }

    /// <summary>
    /// Under bf16-mixed: which networks compute in bfloat16, and the layers of those that are TorchSharp's own (they stay
    /// float32; a generator kept in float32 by <see cref="GanTrainerOptions.AutocastGenerator"/> is not listed).
    /// </summary>
    internal static (string Networks, IReadOnlyList<string> Float32Layers) DescribeMixedPrecision(GanTrainerOptions options, IGenerator generator, IDiscriminator discriminator) =>
        (options.AutocastGenerator ? "generator and discriminator" : "discriminator; the generator in float32 (AutocastGenerator = false)",
        [
            .. options.AutocastGenerator ? Autocast.Float32Layers(generator.Module).Select(n => "generator." + n) : [],
            .. Autocast.Float32Layers(discriminator.Module).Select(n => "discriminator." + n),
        ]);

    internal static IGanLoss CreateLoss(GanTrainerOptions options)
    {
        IGanLoss loss = options.Objective.Loss switch
        {
            GanLossKind.NonSaturating => GanLosses.NonSaturating,
            GanLossKind.Minimax => GanLosses.Minimax,
            GanLossKind.LeastSquares => GanLosses.LeastSquares,
            GanLossKind.Hinge => GanLosses.Hinge,
            GanLossKind.WassersteinGp => GanLosses.WassersteinGp(options.Objective.GradientPenaltyWeight),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Objective.Loss, "unknown loss"),
        };
        loss = options.Objective.LabelSmoothing is { } target ? loss.WithLabelSmoothing(target) : loss;
        if (options.Objective.R1Weight > 0)
        {
            loss = loss.WithR1Penalty(options.Objective.R1Weight);
        }

        return options.Objective.FeatureMatchingOnly ? Regularisers.FeatureMatching(loss)
            : options.Objective.FeatureMatchingWeight > 0 ? loss.WithFeatureMatching(options.Objective.FeatureMatchingWeight)
            : loss;
    }

    private static void CheckShapes(IImageDataset dataset, IGenerator generator, IDiscriminator discriminator)
    {
        if (!dataset.ImageShape.SequenceEqual(generator.ImageShape) || !dataset.ImageShape.SequenceEqual(discriminator.ImageShape))
        {
            throw new ArgumentException(
                $"The dataset's images are [{string.Join(", ", dataset.ImageShape)}] but the generator makes [{string.Join(", ", generator.ImageShape)}] " +
                $"and the discriminator takes [{string.Join(", ", discriminator.ImageShape)}].", nameof(dataset));
        }

        if (generator.ClassCount > 0 && dataset.ClassCount != generator.ClassCount)
        {
            throw new ArgumentException($"The generator is conditioned on {generator.ClassCount} classes but the dataset has {dataset.ClassCount}.", nameof(dataset));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Precision bf16-mixed: linear and convolution layers compute in bfloat16 ({Networks}), everything else in float32; {Hardware}")]
    private static partial void LogMixedPrecision(ILogger logger, string networks, string hardware);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Precision bf16-mixed: {Count} layers are TorchSharp's own and compute in float32 ({Layers}); build them with GanMnist.Models.Autocast.Linear/Conv2d/ConvTranspose2d to compute in bfloat16")]
    private static partial void LogFloat32Layers(ILogger logger, int count, string layers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health warning: {Message}")]
    private static partial void LogHealthWarning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation at epoch {Epoch}: {Result}")]
    private static partial void LogEvaluation(ILogger logger, int epoch, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mode-collapse alarm at epoch {Epoch}: {Reason}")]
    private static partial void LogModeCollapse(ILogger logger, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluating every {Every} epochs on {Samples} samples; loading the evaluation classifier and reference")]
    private static partial void LogEvaluatorLoading(ILogger logger, int every, int samples);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training with seed {Seed} on {Device} ({Threads} intra-op threads, libtorch {Version}; {Native})")]
    private static partial void LogStart(ILogger logger, ulong seed, string device, int threads, string version, string native);

    // What docs/performance.md's measurements depend on: the engine's versions.
    private static string NativeSettings() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version}, malloc " +
        (MallocSettings.EnsureApplied() ? $"thresholds set and heap trimmed every {MallocSettings.TrimEverySteps} steps" : "left alone");

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs} step {Step}/{Steps}: D loss {DLoss:F4}, G loss {GLoss:F4}, D(x) {Real:F3}, D(G(z)) {Fake:F3}, {Rate:F0} images/s")]
    private static partial void LogProgress(ILogger logger, int epoch, int epochs, int step, int steps, double dLoss, double gLoss, double real, double fake, double rate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs} done: D loss {DLoss:F4}, G loss {GLoss:F4}, D(x) {Real:F3}, D(G(z)) {Fake:F3} in {Seconds:F1} s ({Rate:F0} images/s)")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double dLoss, double gLoss, double real, double fake, double seconds, double rate);
}

/// <summary>Models, loss and callbacks supplied through the builder instead of the options.</summary>
internal sealed class GanComponents
{
    public Func<GanTrainerOptions, Generator, IGenerator>? Generator { get; set; }

    public Func<GanTrainerOptions, Generator, IDiscriminator>? Discriminator { get; set; }

    public IGanLoss? Loss { get; set; }

    public List<ITrainingCallback> Callbacks { get; } = [];

    public Action<List<ITrainingCallback>>? ConfigureCallbacks { get; set; }
}
