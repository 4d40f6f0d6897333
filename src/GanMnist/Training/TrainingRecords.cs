using System.Globalization;
using System.Text;
using System.Text.Json;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Losses;
using GanMnist.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Training;

/// <summary>Where a run stands; reported every <see cref="GanOutputOptions.LogEverySteps"/> steps and at each epoch's end.</summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">The number of epochs of the run.</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="GlobalStep">Steps done in the run.</param>
/// <param name="ImagesPerSecond">Real images per second since the run started.</param>
/// <param name="DiscriminatorLoss">The mean discriminator loss over the last interval.</param>
/// <param name="GeneratorLoss">The mean generator loss over the last interval.</param>
/// <param name="RealScore">The mean D(x) over the last interval.</param>
/// <param name="FakeScore">The mean D(G(z)) over the last interval.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Remaining">An estimate of the time left.</param>
/// <param name="Evaluation">The latest evaluation of the generator, if one ran yet.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, long GlobalStep, double ImagesPerSecond,
    double DiscriminatorLoss, double GeneratorLoss, double RealScore, double FakeScore, TimeSpan Elapsed, TimeSpan Remaining,
    EvaluationResult? Evaluation = null)
{
    /// <summary>Every health warning of the run so far (<see cref="GanHealthOptions.MonitorHealth"/>), oldest first.</summary>
    public IReadOnlyList<Health.HealthWarning> HealthWarnings { get; init; } = [];
}

/// <summary>One epoch's means and speed.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="DiscriminatorLoss">Mean discriminator loss.</param>
/// <param name="GeneratorLoss">Mean generator loss.</param>
/// <param name="RealScore">Mean D(x).</param>
/// <param name="FakeScore">Mean D(G(z)).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="ImagesPerSecond">Real images per second during the epoch.</param>
/// <param name="Values">Every value the loss reported, by name (e.g. gradient_penalty), as epoch means.</param>
/// <param name="Evaluation">The generator's evaluation at this epoch's end, when one ran.</param>
/// <param name="HealthWarnings">The health warnings first raised in this epoch (<see cref="GanHealthOptions.MonitorHealth"/>); null or empty when none.</param>
public sealed record EpochSummary(int Epoch, double DiscriminatorLoss, double GeneratorLoss, double RealScore, double FakeScore,
    double Seconds, double ImagesPerSecond, IReadOnlyDictionary<string, double> Values, EvaluationResult? Evaluation = null,
    IReadOnlyList<Health.HealthWarning>? HealthWarnings = null);

/// <summary>What a run folder records about the run besides its options (<see cref="Checkpoints.RunFolder.RunFile"/>).</summary>
/// <param name="Dataset">The dataset's display name, when it is one of the MNIST family.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Device">The device trained on, e.g. <c>cpu</c> or <c>cuda:0</c>.</param>
internal sealed record RunInfo(string? Dataset, ulong Seed, string Device);

/// <summary>Which step is about to run or just finished (no values: reading them would cost a device round-trip every step).</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The step within the epoch, from 1.</param>
/// <param name="GlobalStep">The step within the run, from 1.</param>
public sealed record StepInfo(int Epoch, int Step, long GlobalStep);

/// <summary>What callbacks can see of a run, and the few things they may ask of it.</summary>
/// <param name="Options">The run's options (a copy).</param>
/// <param name="Generator">The generator being trained.</param>
/// <param name="Discriminator">The discriminator being trained.</param>
/// <param name="Device">The device the run uses.</param>
/// <param name="Seed">The seed of the run.</param>
/// <param name="FixedNoise">The noise the sample grids are drawn from: (grid size², latent size), float32, on <see cref="Device"/>.</param>
/// <param name="OutputDirectory">The run's output folder (absolute).</param>
public sealed record TrainingContext(GanTrainerOptions Options, IGenerator Generator, IDiscriminator Discriminator, Device Device,
    ulong Seed, Tensor FixedNoise, string OutputDirectory)
{
    /// <summary>The generator to sample and evaluate: the exponential moving average when <see cref="GanScheduleOptions.EmaDecay"/> is set, else <see cref="Generator"/>.</summary>
    public IGenerator SamplingGenerator { get; init; } = Generator;

    /// <summary>The class of each row of <see cref="FixedNoise"/> (int64, 0, 1, ... in turn) for a conditional generator; null otherwise.</summary>
    public Tensor? FixedLabels { get; init; }

    /// <summary>The objective being trained (its <see cref="IGanLoss.Name"/> titles the loss chart); a context made outside a run has the default, <see cref="GanLosses.NonSaturating"/>.</summary>
    public IGanLoss Loss { get; init; } = GanLosses.NonSaturating;

    /// <summary>The dataset trained on, when it is one of the MNIST family (recorded in the generator file); null for other datasets.</summary>
    public DatasetInfo? Dataset { get; init; }

    /// <summary>The log of the run (the trainer's logger).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>The epochs finished so far (a resumed run's earlier epochs included); the current epoch is added before <see cref="ITrainingCallback.OnEpochEnd"/>.</summary>
    public TrainingHistory History { get; init; } = new();

    /// <summary>Training steps per epoch.</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Training steps finished in the run, earlier sessions of a resumed run included.</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>The latest evaluation of the run (this epoch's, once <see cref="ITrainingCallback.OnEvaluate"/> has given one), or null before the first.</summary>
    public EvaluationResult? Evaluation { get; internal set; }

    /// <summary>
    /// The generator's Adam learning rate: in <see cref="ITrainingCallback.OnTrainingStart"/> and <see cref="ITrainingCallback.OnStepStart"/>
    /// the rate of the coming step, afterwards that of the step that just ran (it changes under <see cref="GanScheduleOptions.LearningRateDecayEpochs"/>).
    /// </summary>
    public double GeneratorLearningRate { get; internal set; } = Options.Optimization.GeneratorLearningRate;

    /// <summary>The discriminator's Adam learning rate, as <see cref="GeneratorLearningRate"/> is the generator's.</summary>
    public double DiscriminatorLearningRate { get; internal set; } = Options.Optimization.DiscriminatorLearningRate;

    /// <summary>The run folder, with the name of every file the run writes.</summary>
    public Checkpoints.RunFolder Folder => new(OutputDirectory);

    /// <summary>Whether the models are the built-in ones the options describe (not given to the builder).</summary>
    internal bool BuiltInModels { get; init; } = true;

    internal Func<string>? CheckpointWriter { get; init; }

    internal Func<double, double, (double Generator, double Discriminator)>? LearningRateSetter { get; init; }

    internal Action<int, string>? SampleListener { get; init; }

    /// <summary>
    /// Writes the whole training state (models, weight average, Adam's state, random generators, history) as a checkpoint
    /// in <see cref="Checkpoints.RunFolder.CheckpointsFolder"/>, keeping the newest <see cref="GanOutputOptions.KeepCheckpoints"/>;
    /// a resume continues from where the run is now (after an epoch's end: the next epoch).
    /// </summary>
    /// <returns>The checkpoint's path.</returns>
    /// <exception cref="IOException">The file could not be written; older checkpoints are unchanged.</exception>
    public string SaveCheckpoint() => (CheckpointWriter ?? throw new InvalidOperationException("This context belongs to no run."))();

    /// <summary>Sets both optimizers' learning rates for the coming steps (a learning-rate schedule calls it before each step).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite.</exception>
    public void SetLearningRates(double generator, double discriminator)
    {
        if (!double.IsFinite(generator) || generator < 0 || !double.IsFinite(discriminator) || discriminator < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(generator), $"Learning rates must be finite and not negative; got {generator} and {discriminator}.");
        }

        // The copy is read back from the optimizers, so callbacks see the rates the steps use.
        (GeneratorLearningRate, DiscriminatorLearningRate) = (LearningRateSetter ?? throw new InvalidOperationException("This context belongs to no run."))(generator, discriminator);
    }

    /// <summary>Tells the run a sample grid was written: it joins <see cref="TrainingResult.SampleFiles"/> and every callback's <see cref="ITrainingCallback.OnSampleWritten"/> runs.</summary>
    internal void SampleWritten(int epoch, string path) => SampleListener?.Invoke(epoch, path);
}

/// <summary>
/// Hooks into a run (Lightning's <c>Callback</c>, Keras' <c>callbacks.Callback</c>). Every method has an empty default, so
/// a callback implements only what it needs. Callbacks run on the training thread, between steps, in the order of
/// docs/architecture.md ("Callbacks"): the default ones made from the options, yours, then checkpointing and memory trimming.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first step.</summary>
    void OnTrainingStart(TrainingContext context) { }

    /// <summary>Before an epoch's first step.</summary>
    void OnEpochStart(TrainingContext context, int epoch) { }

    /// <summary>Before every step (<paramref name="step"/> names the step about to run).</summary>
    void OnStepStart(TrainingContext context, StepInfo step) { }

    /// <summary>After every step.</summary>
    void OnStepEnd(TrainingContext context, StepInfo step) { }

    /// <summary>After the losses were read back, every <see cref="GanOutputOptions.LogEverySteps"/> steps and at each epoch's end (the values <see cref="IProgress{T}"/> gets).</summary>
    void OnProgress(TrainingContext context, TrainingProgress progress) { }

    /// <summary>When the health monitor raises a warning (<see cref="GanHealthOptions.MonitorHealth"/>), before the run stops for it if asked to.</summary>
    void OnHealthWarning(TrainingContext context, Health.HealthWarning warning) { }

    /// <summary>
    /// At an epoch's end, before its summary is made: a callback that evaluates the generator returns the result (else null),
    /// and the trainer puts the last one given in the summary, <see cref="TrainingContext.Evaluation"/>, the progress reports and the logs.
    /// </summary>
    EvaluationResult? OnEvaluate(TrainingContext context, int epoch) => null;

    /// <summary>After an epoch, once its summary is in the history.</summary>
    void OnEpochEnd(TrainingContext context, EpochSummary summary) { }

    /// <summary>After a sample grid was written.</summary>
    void OnSampleWritten(TrainingContext context, int epoch, string path) { }

    /// <summary>After the last epoch.</summary>
    void OnTrainingEnd(TrainingContext context, TrainingHistory history) { }
}

/// <summary>The per-epoch record of a run, written as CSV and JSON.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochSummary> _epochs = [];

    /// <summary>The epochs so far, in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs => _epochs;

    internal void Add(EpochSummary summary) => _epochs.Add(summary);

    /// <summary>One row per epoch: epoch, d_loss, g_loss, d_real, d_fake, seconds, images_per_second, then any extra values and evaluation metrics.</summary>
    public string ToCsv() => BuildCsv().ToString();

    internal StringBuilder BuildCsv()
    {
        var extras = _epochs.SelectMany(e => e.Values.Keys).Distinct().Where(k => k is not (Losses.LossValues.RealScore or Losses.LossValues.FakeScore)).ToList();
        var metrics = _epochs.SelectMany(e => e.Evaluation?.ToMetrics().Keys ?? []).Distinct().ToList();
        var csv = new StringBuilder("epoch,d_loss,g_loss,d_real,d_fake,seconds,images_per_second");
        foreach (var extra in extras.Concat(metrics))
        {
            csv.Append(',').Append(extra);
        }

        csv.Append('\n');
        foreach (var e in _epochs)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.DiscriminatorLoss:R},{e.GeneratorLoss:R},{e.RealScore:R},{e.FakeScore:R},{e.Seconds:F3},{e.ImagesPerSecond:F1}");
            foreach (var extra in extras)
            {
                csv.Append(',').Append(e.Values.TryGetValue(extra, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty);
            }

            var evaluation = e.Evaluation?.ToMetrics();
            foreach (var metric in metrics)
            {
                csv.Append(',').Append(evaluation is not null && evaluation.TryGetValue(metric, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty);
            }

            csv.Append('\n');
        }

        return csv;
    }

    /// <summary>The epochs as a JSON array.</summary>
    public string ToJson() => JsonSerializer.Serialize(_epochs, IO.JsonSettings.Options);

    /// <summary>Writes <see cref="ToJson"/>'s JSON to a stream without building it as one string.</summary>
    internal void WriteJson(Stream stream) => JsonSerializer.Serialize(stream, _epochs, IO.JsonSettings.Options);

    /// <summary>A history from the JSON that <see cref="ToJson"/> writes (e.g. a run folder's <c>history.json</c>).</summary>
    /// <exception cref="InvalidDataException">The text is not such JSON.</exception>
    public static TrainingHistory FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        List<EpochSummary>? epochs;
        try
        {
            epochs = JsonSerializer.Deserialize<List<EpochSummary>>(json, IO.JsonSettings.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a GanMnist training history: {e.Message}", e);
        }

        var history = new TrainingHistory();
        history._epochs.AddRange(epochs ?? []);
        return history;
    }
}

/// <summary>The outcome of a run: the trained models (owned by the result), the history and the files written.</summary>
public sealed class TrainingResult : IDisposable
{
    internal TrainingResult(IGenerator generator, IDiscriminator discriminator, TrainingHistory history, string outputDirectory, ulong seed,
        IReadOnlyList<string> sampleFiles, IGenerator? averageGenerator = null)
    {
        (Generator, Discriminator, History, OutputDirectory, Seed, SampleFiles, AverageGenerator) =
            (generator, discriminator, history, outputDirectory, seed, sampleFiles, averageGenerator);
    }

    /// <summary>The exponential moving average of the generator's weights, when <see cref="GanScheduleOptions.EmaDecay"/> was set (the exported one).</summary>
    public IGenerator? AverageGenerator { get; }

    /// <summary>The trained generator.</summary>
    public IGenerator Generator { get; }

    /// <summary>The trained discriminator.</summary>
    public IDiscriminator Discriminator { get; }

    /// <summary>Per-epoch losses, scores and speed.</summary>
    public TrainingHistory History { get; }

    /// <summary>The folder holding samples, history and chart (absolute).</summary>
    public string OutputDirectory { get; }

    /// <summary>The run folder, with the name of every file the run wrote.</summary>
    public Checkpoints.RunFolder Folder => new(OutputDirectory);

    /// <summary>The seed the run used (to repeat it).</summary>
    public ulong Seed { get; }

    /// <summary>Every health warning of the run (<see cref="GanHealthOptions.MonitorHealth"/>), oldest first; empty for a healthy run.</summary>
    public IReadOnlyList<Health.HealthWarning> HealthWarnings => [.. History.Epochs.SelectMany(e => e.HealthWarnings ?? [])];

    /// <summary>The sample grids written, in order.</summary>
    public IReadOnlyList<string> SampleFiles { get; }

    /// <summary>Frees both models.</summary>
    public void Dispose()
    {
        Generator.Module.Dispose();
        Discriminator.Module.Dispose();
        AverageGenerator?.Module.Dispose();
    }
}

/// <summary>A loss became NaN or infinite; the run stopped.</summary>
public sealed class NonFiniteLossException : Exception
{
    internal NonFiniteLossException(int epoch, int step, string loss, double value)
        : base($"The {loss} became {value.ToString(CultureInfo.InvariantCulture)} at epoch {epoch}, step {step}; training stopped. " +
               "Lower the learning rates, or try another loss or label smoothing.")
    {
        (Epoch, Step, Loss, Value) = (epoch, step, loss, value);
    }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch, from 1.</summary>
    public int Step { get; }

    /// <summary>Which loss or value.</summary>
    public string Loss { get; }

    /// <summary>The non-finite value.</summary>
    public double Value { get; }
}
