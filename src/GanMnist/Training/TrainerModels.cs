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
        GanModels.CreateGenerator(options.Architecture, options.LatentSize, options.LeakyReluSlope, options.Initialization, options.MlpActivation, null, classes,
            options.TransposedConvolutionPadding, options.ModelWidth);

    /// <summary>The built-in discriminator <paramref name="options"/> describe, with <paramref name="classes"/> classes if conditional.</summary>
    public static IDiscriminator Discriminator(GanTrainerOptions options, int classes) =>
        GanModels.CreateDiscriminator(options.Architecture, options.LeakyReluSlope, options.Initialization, options.MlpActivation, null,
            options.MinibatchDiscriminationKernels, options.MinibatchDiscriminationKernelSize, classes, options.ModelWidth);

    /// <summary>
    /// The options that decide what the built models compute, by name (an unset width as the default it builds): two runs with the
    /// same values build the same networks. <see cref="GanTrainerOptions.Initialization"/> is not among them: it only picks the first weights.
    /// </summary>
    public static IReadOnlyList<(string Name, object Value)> Shape(GanTrainerOptions options) =>
    [
        (nameof(GanTrainerOptions.Architecture), options.Architecture),
        (nameof(GanTrainerOptions.LatentSize), options.LatentSize),
        (nameof(GanTrainerOptions.LeakyReluSlope), options.LeakyReluSlope),
        (nameof(GanTrainerOptions.MlpActivation), options.MlpActivation),
        (nameof(GanTrainerOptions.TransposedConvolutionPadding), options.TransposedConvolutionPadding),
        (nameof(GanTrainerOptions.MinibatchDiscriminationKernels), options.MinibatchDiscriminationKernels),
        (nameof(GanTrainerOptions.MinibatchDiscriminationKernelSize), options.MinibatchDiscriminationKernelSize),
        (nameof(GanTrainerOptions.ModelWidth), options.ModelWidth ?? GanModels.InfoGanWidth),
    ];

    /// <summary>
    /// Saves <paramref name="generator"/> as a generator file: for built-in models with what <paramref name="options"/> say they are
    /// rebuilt from, for models of your own (<paramref name="builtIn"/> false) as "custom" (weights only).
    /// </summary>
    public static void SaveGenerator(IGenerator generator, string path, GanTrainerOptions options, bool builtIn, DatasetInfo? dataset) =>
        GeneratorFile.Save(generator, path, builtIn ? options.Architecture : null, options.LeakyReluSlope, options.MlpActivation, dataset);
}
