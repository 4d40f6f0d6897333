using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The one mapping from a trainer's options to the built-in models they describe (training, resume and checkpoint rebuilds all use it).</summary>
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
}
