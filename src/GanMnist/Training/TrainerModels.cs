using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>
/// The one mapping from a trainer's options to the built-in models they describe: training, EMA copies, summaries,
/// checkpoint rebuilds, resume checks and the generator file all go through it.
/// </summary>
internal static class TrainerModels
{
    /// <summary>The built-in generator <paramref name="options"/> describe, with <paramref name="classes"/> classes if conditional.</summary>
    public static IGenerator Generator(GanTrainerOptions options, int classes) =>
        GanModels.CreateGenerator(options.Model.Architecture, options.Model.LatentSize, options.Model.LeakyReluSlope, options.Model.Initialization, options.Model.MlpActivation, null, classes,
            options.Model.TransposedConvolutionPadding, options.Model.ModelWidth);

    /// <summary>The built-in discriminator <paramref name="options"/> describe, with <paramref name="classes"/> classes if conditional.</summary>
    public static IDiscriminator Discriminator(GanTrainerOptions options, int classes) =>
        GanModels.CreateDiscriminator(options.Model.Architecture, options.Model.LeakyReluSlope, options.Model.Initialization, options.Model.MlpActivation, null,
            options.Model.MinibatchDiscriminationKernels, options.Model.MinibatchDiscriminationKernelSize, classes, options.Model.ModelWidth);

    /// <summary>
    /// The options that decide what the built models compute, by name (an unset width as the default it builds): two runs with the
    /// same values build the same networks. <see cref="GanModelOptions.Initialization"/> is not among them: it only picks the first weights.
    /// </summary>
    public static IReadOnlyList<(string Name, object Value)> Shape(GanTrainerOptions options) =>
    [
        (nameof(GanModelOptions.Architecture), options.Model.Architecture),
        (nameof(GanModelOptions.LatentSize), options.Model.LatentSize),
        (nameof(GanModelOptions.LeakyReluSlope), options.Model.LeakyReluSlope),
        (nameof(GanModelOptions.MlpActivation), options.Model.MlpActivation),
        (nameof(GanModelOptions.TransposedConvolutionPadding), options.Model.TransposedConvolutionPadding),
        (nameof(GanModelOptions.MinibatchDiscriminationKernels), options.Model.MinibatchDiscriminationKernels),
        (nameof(GanModelOptions.MinibatchDiscriminationKernelSize), options.Model.MinibatchDiscriminationKernelSize),
        (nameof(GanModelOptions.ModelWidth), options.Model.ModelWidth ?? GanModels.InfoGanWidth),
    ];

    /// <summary>
    /// Saves <paramref name="generator"/> as a generator file: for built-in models with what <paramref name="options"/> say they are
    /// rebuilt from, for models of your own (<paramref name="builtIn"/> false) as "custom" (weights only).
    /// </summary>
    public static void SaveGenerator(IGenerator generator, string path, GanTrainerOptions options, bool builtIn, DatasetInfo? dataset) =>
        GeneratorFile.Save(generator, path, builtIn ? options.Model.Architecture : null, options.Model.LeakyReluSlope, options.Model.MlpActivation, dataset);
}
