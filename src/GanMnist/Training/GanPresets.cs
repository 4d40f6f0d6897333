using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The recipes behind <see cref="GanPreset"/>.</summary>
public static class GanPresets
{
    /// <summary>Sets the recipe of <paramref name="preset"/> on <paramref name="options"/> (the fields a recipe is made of).</summary>
    public static GanTrainerOptions Apply(GanTrainerOptions options, GanPreset preset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Preset = preset;
        switch (preset)
        {
            case GanPreset.None:
                break;
            case GanPreset.Dcgan:
                Recipe(options, GanArchitecture.Dcgan, MlpActivation.Relu, lr: 1e-4, beta1: 0.9, batch: 256, epochs: 50);
                // Seed 000, the TensorFlow DCGAN tutorial: train_step's two tapes over one forward pass, Conv2DTranspose
                // (padding="same"), and layers.LeakyReLU() at Keras 2's default alpha of 0.3.
                options.UpdateSchedule = UpdateSchedule.Simultaneous;
                options.TransposedConvolutionPadding = TransposedConvolutionPadding.KerasSame;
                options.LeakyReluSlope = 0.3;
                break;
            case GanPreset.Mlp:
                Recipe(options, GanArchitecture.Mlp, MlpActivation.Relu, lr: 1e-4, beta1: 0.9, batch: 256, epochs: 50);
                break;
            case GanPreset.Quick:
                // Measured on a 2-core machine (docs/training.md, "How quick was chosen"): the conditional MLP (Mirza and
                // Osindero 2014, with a projection discriminator) with an EMA of G's weights gives clean digits of every
                // class in 18 epochs, under 5 minutes from launch to report; the unconditional MLP stays near FID 360 in
                // that time and the convolutional networks do not finish two epochs.
                Recipe(options, GanArchitecture.ConditionalMlp, MlpActivation.LeakyRelu, lr: 2e-4, beta1: 0.5, batch: 128, epochs: 18);
                options.LabelSmoothing = 0.9;
                options.EmaDecay = 0.999;
                break;
            case GanPreset.Best:
                // Measured on a 2-core machine (docs/training.md, "How best was chosen"): quick's recipe keeps improving with
                // length (FID 95, 35, 21, 17, 15, 13, 12 at epochs 15 to 100 for seed 1), and 100 epochs fit 30 minutes
                // from launch to report; learning-rate decay over the last 30 epochs changed nothing beyond the spread
                // between seeds, and the convolutional networks manage about 5 epochs in that time.
                Apply(options, GanPreset.Quick);
                options.Preset = GanPreset.Best;
                options.Epochs = 100;
                break;
            case GanPreset.Conv:
                // docs/training.md, "A convolutional preset": quick's recipe on a conditional InfoGAN at half the paper's width.
                Apply(options, GanPreset.Quick);
                options.Preset = GanPreset.Conv;
                options.Architecture = GanArchitecture.ConditionalInfoGan;
                options.ModelWidth = 32;
                options.Epochs = 20;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset");
        }

        return options;
    }

    private static void Recipe(GanTrainerOptions o, GanArchitecture architecture, MlpActivation activation, double lr, double beta1, int batch, int epochs)
    {
        o.Architecture = architecture;
        o.ModelWidth = null;
        o.MlpActivation = activation;
        o.GeneratorLearningRate = lr;
        o.DiscriminatorLearningRate = lr;
        o.Beta1 = beta1;
        o.Beta2 = 0.999;
        o.BatchSize = batch;
        o.Epochs = epochs;
        o.Loss = GanLossKind.NonSaturating;
        o.LabelSmoothing = null;
        o.Initialization = WeightInitialization.Keras;
        o.LeakyReluSlope = 0.2;
        o.DiscriminatorSteps = 1;
        o.AdamEpsilon = 1e-7; // Keras' default, as the seeds
        o.UpdateSchedule = UpdateSchedule.Alternating;
        o.TransposedConvolutionPadding = TransposedConvolutionPadding.Symmetric;
        o.EmaDecay = null;
        o.LearningRateDecayEpochs = 0;
    }
}
