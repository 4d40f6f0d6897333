using System.Globalization;
using System.Text;
using System.Text.Json;
using GanMnist.Evaluation;
using GanMnist.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Training;

/// <summary>Where a run stands; reported every <see cref="GanTrainerOptions.LogEverySteps"/> steps and at each epoch's end.</summary>
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
    /// <summary>Every health warning of the run so far (<see cref="GanTrainerOptions.MonitorHealth"/>), oldest first.</summary>
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
/// <param name="HealthWarnings">The health warnings first raised in this epoch (<see cref="GanTrainerOptions.MonitorHealth"/>); null or empty when none.</param>
public sealed record EpochSummary(int Epoch, double DiscriminatorLoss, double GeneratorLoss, double RealScore, double FakeScore,
    double Seconds, double ImagesPerSecond, IReadOnlyDictionary<string, double> Values, EvaluationResult? Evaluation = null,
    IReadOnlyList<Health.HealthWarning>? HealthWarnings = null);

/// <summary>Which step just finished (no values: reading them would cost a device round-trip every step).</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The step within the epoch, from 1.</param>
/// <param name="GlobalStep">The step within the run, from 1.</param>
public sealed record StepInfo(int Epoch, int Step, long GlobalStep);

/// <summary>What callbacks can see of a run.</summary>
/// <param name="Options">The run's options (a copy).</param>
/// <param name="Generator">The generator being trained.</param>
/// <param name="Discriminator">The discriminator being trained.</param>
/// <param name="Device">The device the run uses.</param>
/// <param name="Seed">The seed of the run.</param>
/// <param name="FixedNoise">The noise the sample grids are drawn from.</param>
/// <param name="OutputDirectory">The run's output folder (absolute).</param>
public sealed record TrainingContext(GanTrainerOptions Options, IGenerator Generator, IDiscriminator Discriminator, Device Device,
    ulong Seed, Tensor FixedNoise, string OutputDirectory)
{
    /// <summary>The generator to sample and evaluate: the exponential moving average when <see cref="GanTrainerOptions.EmaDecay"/> is set, else <see cref="Generator"/>.</summary>
    public IGenerator SamplingGenerator { get; init; } = Generator;

    /// <summary>The generator's Adam learning rate of the step that just ran (it changes under <see cref="GanTrainerOptions.LearningRateDecayEpochs"/>).</summary>
    public double GeneratorLearningRate { get; internal set; } = Options.GeneratorLearningRate;

    /// <summary>The discriminator's Adam learning rate of the step that just ran.</summary>
    public double DiscriminatorLearningRate { get; internal set; } = Options.DiscriminatorLearningRate;

    /// <summary>The run folder, with the name of every file the run writes.</summary>
    public Checkpoints.RunFolder Folder => new(OutputDirectory);
}

/// <summary>
/// Hooks into a run. Every method has an empty default, so a callback implements only what it needs.
/// Callbacks run on the training thread, between steps.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first step.</summary>
    void OnTrainingStart(TrainingContext context) { }

    /// <summary>Before an epoch's first step.</summary>
    void OnEpochStart(TrainingContext context, int epoch) { }

    /// <summary>After every step.</summary>
    void OnStepEnd(TrainingContext context, StepInfo step) { }

    /// <summary>
    /// At an epoch's end, before its summary is made: a callback that evaluates the generator returns the result (else null),
    /// and the trainer puts it in the summary, the history, the progress reports and the logs.
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

    /// <summary>The exponential moving average of the generator's weights, when <see cref="GanTrainerOptions.EmaDecay"/> was set (the exported one).</summary>
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

    /// <summary>Every health warning of the run (<see cref="GanTrainerOptions.MonitorHealth"/>), oldest first; empty for a healthy run.</summary>
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
