using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The optimisation of both networks: batches, Adam's rates and moments, and the order of the updates of a step. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Optimization</c>).</summary>
public sealed class GanOptimizationOptions
{
    /// <summary>Real images per batch.</summary>
    /// <value>Default: 256.</value>
    [Range(1, 65_536)]
    public int BatchSize { get; set; } = GanTrainerDefaults.BatchSize;

    /// <summary>Whether to skip each epoch's last, smaller batch.</summary>
    /// <value>Default: false (the seeds keep it).</value>
    public bool DropLast { get; set; }

    /// <summary>The generator's Adam learning rate.</summary>
    /// <value>Default: 1e-4.</value>
    [Range(1e-9, 1.0)]
    public double GeneratorLearningRate { get; set; } = GanTrainerDefaults.GeneratorLearningRate;

    /// <summary>The discriminator's Adam learning rate.</summary>
    /// <value>Default: 1e-4.</value>
    [Range(1e-9, 1.0)]
    public double DiscriminatorLearningRate { get; set; } = GanTrainerDefaults.DiscriminatorLearningRate;

    /// <summary>Adam's β₁ for both networks.</summary>
    /// <value>Default: 0.9 (Keras' and PyTorch's default).</value>
    [Range(0.0, 0.9999)]
    public double Beta1 { get; set; } = GanTrainerDefaults.Beta1;

    /// <summary>Adam's β₂ for both networks.</summary>
    /// <value>Default: 0.999.</value>
    [Range(0.0, 0.999999)]
    public double Beta2 { get; set; } = GanTrainerDefaults.Beta2;

    /// <summary>Adam's ε for both networks.</summary>
    /// <value>Default: 1e-7 (Keras' default, as the seeds).</value>
    [Range(0.0, 1.0)]
    public double AdamEpsilon { get; set; } = GanTrainerDefaults.AdamEpsilon;

    /// <summary>The order of the two updates of a step.</summary>
    /// <value>Default: <see cref="UpdateSchedule.Alternating"/> (pytorch/examples'); the <c>dcgan</c> preset uses <see cref="UpdateSchedule.Simultaneous"/>, as the seeds.</value>
    public UpdateSchedule UpdateSchedule { get; set; } = GanTrainerDefaults.UpdateSchedule;

    /// <summary>Discriminator updates per generator update.</summary>
    /// <value>Default: 1.</value>
    [Range(1, 100)]
    public int DiscriminatorSteps { get; set; } = GanTrainerDefaults.DiscriminatorSteps;

    internal GanOptimizationOptions Clone() => (GanOptimizationOptions)MemberwiseClone();
}
