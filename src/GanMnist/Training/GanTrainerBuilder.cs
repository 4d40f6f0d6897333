using GanMnist.Losses;
using GanMnist.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Training;

/// <summary>
/// The fluent form of <see cref="GanTrainerOptions"/>: the builder holds the options (and any custom
/// models, loss or callbacks); every verb is an extension method that sets them.
/// </summary>
public sealed class GanTrainerBuilder
{
    internal GanComponents Components { get; } = new();

    /// <summary>The options being built.</summary>
    public GanTrainerOptions Options { get; } = new();

    internal GanTrainer Build(ILogger? logger) => new(Options, logger, null, Components);
}

/// <summary>The fluent verbs of <see cref="GanTrainerBuilder"/>.</summary>
public static class GanTrainerBuilderExtensions
{
    /// <summary>Starts from a preset (later verbs override it).</summary>
    public static GanTrainerBuilder UsePreset(this GanTrainerBuilder builder, GanPreset preset)
    {
        GanPresets.Apply(builder.Options, preset);
        return builder;
    }

    /// <summary>Uses the DCGAN seeds' architecture.</summary>
    public static GanTrainerBuilder UseDcgan(this GanTrainerBuilder builder) => builder.Configure(o => o.Model.Architecture = GanArchitecture.Dcgan);

    /// <summary>Uses the InfoGAN paper's MNIST networks (<see cref="GanArchitecture.InfoGan"/>).</summary>
    public static GanTrainerBuilder UseInfoGan(this GanTrainerBuilder builder) => builder.Configure(o => o.Model.Architecture = GanArchitecture.InfoGan);

    /// <summary>Uses the MLP architecture with the given hidden activation.</summary>
    public static GanTrainerBuilder UseMlp(this GanTrainerBuilder builder, MlpActivation activation = MlpActivation.Relu) =>
        builder.Configure(o => (o.Model.Architecture, o.Model.MlpActivation) = (GanArchitecture.Mlp, activation));

    /// <summary>Uses one of the built-in objectives.</summary>
    public static GanTrainerBuilder UseLoss(this GanTrainerBuilder builder, GanLossKind loss, double? labelSmoothing = null) =>
        builder.Configure(o => (o.Objective.Loss, o.Objective.LabelSmoothing) = (loss, labelSmoothing));

    /// <summary>Uses any objective, e.g. <c>GanLosses.NonSaturating.WithLabelSmoothing(0.9)</c> or your own.</summary>
    public static GanTrainerBuilder UseLoss(this GanTrainerBuilder builder, IGanLoss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        builder.Components.Loss = loss;
        return builder;
    }

    /// <summary>Uses your own models; the factories get the options and the run's seeded random generator.</summary>
    public static GanTrainerBuilder UseModels(this GanTrainerBuilder builder, Func<GanTrainerOptions, Generator, IGenerator> generator,
        Func<GanTrainerOptions, Generator, IDiscriminator> discriminator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        (builder.Components.Generator, builder.Components.Discriminator) = (generator, discriminator);
        return builder;
    }

    /// <summary>
    /// Uses plain TorchSharp modules as the models: the generator maps noise (N, <see cref="GanModelOptions.LatentSize"/>)
    /// to images (N, 1, 28, 28) in [-1, 1], the discriminator images to one logit each (see <see cref="GanModels.AsGenerator"/>
    /// and <see cref="GanModels.AsDiscriminator"/>). The factories get the options and the run's seeded random generator.
    /// </summary>
    public static GanTrainerBuilder UseModules(this GanTrainerBuilder builder, Func<GanTrainerOptions, Generator, nn.Module<Tensor, Tensor>> generator,
        Func<GanTrainerOptions, Generator, nn.Module<Tensor, Tensor>> discriminator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        return builder.UseModels((o, r) => GanModels.AsGenerator(generator(o, r), o.Model.LatentSize), (o, r) => GanModels.AsDiscriminator(discriminator(o, r)));
    }

    /// <summary>Adds a callback.</summary>
    public static GanTrainerBuilder AddCallback(this GanTrainerBuilder builder, ITrainingCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        builder.Components.Callbacks.Add(callback);
        return builder;
    }

    /// <summary>Evaluates the generator every <paramref name="everyEpochs"/> epochs on <paramref name="samples"/> images (the trainer loads the evaluator).</summary>
    public static GanTrainerBuilder EvaluateEvery(this GanTrainerBuilder builder, int everyEpochs, int samples = 10_000) =>
        builder.Configure(o => (o.Evaluation.EvaluateEveryEpochs, o.Evaluation.EvaluationSamples) = (everyEpochs, samples));

    /// <summary>Evaluates the generator with an evaluator of your own (not disposed by the trainer) every <paramref name="everyEpochs"/> epochs.</summary>
    public static GanTrainerBuilder EvaluateWith(this GanTrainerBuilder builder, Evaluation.GanEvaluator evaluator, int everyEpochs = 1)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        return builder.AddCallback(new Callbacks.EvaluationCallback(evaluator, everyEpochs));
    }

    /// <summary>
    /// Edits the run's callbacks before it starts: the list holds the defaults the options make and yours, in the order they
    /// run (docs/architecture.md, "Callbacks"), e.g. <c>list.RemoveAll(c =&gt; c is Callbacks.TrainingReportCallback)</c> to write no
    /// report, or an index's callback replaced by your own. Called once per <see cref="GanTrainer.TrainAsync"/>, with new defaults.
    /// </summary>
    public static GanTrainerBuilder ConfigureCallbacks(this GanTrainerBuilder builder, Action<List<ITrainingCallback>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Components.ConfigureCallbacks += configure;
        return builder;
    }

    /// <summary>Sets the number of epochs.</summary>
    public static GanTrainerBuilder Epochs(this GanTrainerBuilder builder, int epochs) => builder.Configure(o => o.Epochs = epochs);

    /// <summary>Sets the batch size.</summary>
    public static GanTrainerBuilder BatchSize(this GanTrainerBuilder builder, int batchSize) => builder.Configure(o => o.Optimization.BatchSize = batchSize);

    /// <summary>Sets both learning rates (the discriminator's defaults to the generator's).</summary>
    public static GanTrainerBuilder LearningRate(this GanTrainerBuilder builder, double generator, double? discriminator = null) =>
        builder.Configure(o => (o.Optimization.GeneratorLearningRate, o.Optimization.DiscriminatorLearningRate) = (generator, discriminator ?? generator));

    /// <summary>Sets Adam's betas.</summary>
    public static GanTrainerBuilder Betas(this GanTrainerBuilder builder, double beta1, double beta2 = 0.999) =>
        builder.Configure(o => (o.Optimization.Beta1, o.Optimization.Beta2) = (beta1, beta2));

    /// <summary>Sets the device: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public static GanTrainerBuilder OnDevice(this GanTrainerBuilder builder, string device) => builder.Configure(o => o.Device = device);

    /// <summary>Sets the device.</summary>
    public static GanTrainerBuilder OnDevice(this GanTrainerBuilder builder, Device device) => builder.Configure(o => o.Device = device.ToString());

    /// <summary>Sets the numeric precision of the training steps (e.g. <see cref="Training.Precision.BFloat16Mixed"/>, Lightning's "bf16-mixed").</summary>
    public static GanTrainerBuilder Precision(this GanTrainerBuilder builder, Precision precision) => builder.Configure(o => o.Precision = precision);

    /// <summary>Sets the seed.</summary>
    public static GanTrainerBuilder Seed(this GanTrainerBuilder builder, ulong seed) => builder.Configure(o => o.Seed = seed);

    /// <summary>Sets the output folder.</summary>
    public static GanTrainerBuilder OutputTo(this GanTrainerBuilder builder, string directory) => builder.Configure(o => o.Output.OutputDirectory = directory);

    /// <summary>Writes TensorBoard event files to <paramref name="directory"/> (see <see cref="GanOutputOptions.TensorBoardDirectory"/>).</summary>
    public static GanTrainerBuilder WriteTensorBoard(this GanTrainerBuilder builder, string directory) => builder.Configure(o => o.Output.TensorBoardDirectory = directory);

    /// <summary>Sets any option.</summary>
    public static GanTrainerBuilder Configure(this GanTrainerBuilder builder, Action<GanTrainerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Options);
        return builder;
    }
}
