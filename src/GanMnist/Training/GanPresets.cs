using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The recipes behind <see cref="GanPreset"/>.</summary>
public static class GanPresets
{
    /// <summary>Sets the recipe of <paramref name="preset"/> on <paramref name="options"/> (the fields a recipe is made of).</summary>
    public static GanTrainerOptions Apply(GanTrainerOptions options, GanPreset preset)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (GanTrainerOptionKeys.Groups.FirstOrDefault(g => g.GetValue(options) is null) is { } empty)
        {
            throw new ArgumentException($"GanTrainerOptions.{empty.Name} is null; leave it out (or set its properties) to keep its defaults.", nameof(options));
        }

        options.Preset = preset;
        switch (preset)
        {
            case GanPreset.None:
                break;
            case GanPreset.Dcgan:
                Recipe(options, GanArchitecture.Dcgan, MlpActivation.Relu, lr: 1e-4, beta1: 0.9, batch: 256, epochs: 50);
                // Seed 000, the TensorFlow DCGAN tutorial: train_step's two tapes over one forward pass, Conv2DTranspose
                // (padding="same"), and layers.LeakyReLU() at Keras 2's default alpha of 0.3.
                options.Optimization.UpdateSchedule = UpdateSchedule.Simultaneous;
                options.Model.TransposedConvolutionPadding = TransposedConvolutionPadding.KerasSame;
                options.Model.LeakyReluSlope = 0.3;
                break;
            case GanPreset.Mlp:
                Recipe(options, GanArchitecture.Mlp, MlpActivation.Relu, lr: 1e-4, beta1: 0.9, batch: 256, epochs: 50);
                break;
            case GanPreset.Quick:
                // The conditional MLP (Mirza and Osindero 2014) with a projection discriminator and an EMA of G's weights: the
                // recipe that gives every class in minutes on a CPU (docs/training.md, "How quick was chosen").
                Recipe(options, GanArchitecture.ConditionalMlp, MlpActivation.LeakyRelu, lr: 2e-4, beta1: 0.5, batch: 128, epochs: 18);
                options.Objective.LabelSmoothing = 0.9;
                options.Schedule.EmaDecay = 0.999;
                break;
            case GanPreset.Best:
                // Quick's recipe keeps improving with length; 100 epochs is what fits 30 minutes on a 2-core CPU
                // (docs/training.md, "How best was chosen").
                Apply(options, GanPreset.Quick);
                options.Preset = GanPreset.Best;
                options.Epochs = 100;
                break;
            case GanPreset.Conv:
                // docs/training.md, "A convolutional preset": quick's recipe on a conditional InfoGAN at half the paper's width,
                // both learning rates falling linearly to zero over the second half.
                Apply(options, GanPreset.Quick);
                options.Preset = GanPreset.Conv;
                options.Model.Architecture = GanArchitecture.ConditionalInfoGan;
                options.Model.ModelWidth = 32;
                options.Epochs = 20;
                options.Schedule.LearningRateDecayEpochs = 10;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset");
        }

        return options;
    }

    private static void Recipe(GanTrainerOptions o, GanArchitecture architecture, MlpActivation activation, double lr, double beta1, int batch, int epochs)
    {
        o.Model.Architecture = architecture;
        o.Model.ModelWidth = null;
        o.Model.MlpActivation = activation;
        o.Optimization.GeneratorLearningRate = lr;
        o.Optimization.DiscriminatorLearningRate = lr;
        o.Optimization.Beta1 = beta1;
        o.Optimization.Beta2 = GanTrainerDefaults.Beta2;
        o.Optimization.BatchSize = batch;
        o.Epochs = epochs;
        o.Objective.Loss = GanTrainerDefaults.Loss;
        o.Objective.LabelSmoothing = null;
        o.Model.Initialization = GanTrainerDefaults.Initialization;
        o.Model.LeakyReluSlope = GanTrainerDefaults.LeakyReluSlope;
        o.Optimization.DiscriminatorSteps = GanTrainerDefaults.DiscriminatorSteps;
        o.Optimization.AdamEpsilon = GanTrainerDefaults.AdamEpsilon; // Keras' default, as the seeds
        o.Optimization.UpdateSchedule = GanTrainerDefaults.UpdateSchedule;
        o.Model.TransposedConvolutionPadding = GanTrainerDefaults.TransposedConvolutionPadding;
        o.Schedule.EmaDecay = null;
        o.Schedule.LearningRateDecayEpochs = 0;
    }
}
