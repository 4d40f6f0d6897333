using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The loss and its regularisers: the objective, label smoothing, gradient penalties, feature matching and instance noise. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Objective</c>).</summary>
public sealed class GanObjectiveOptions
{
    /// <summary>The objective.</summary>
    /// <value>Default: <see cref="GanLossKind.NonSaturating"/>.</value>
    public GanLossKind Loss { get; set; } = GanTrainerDefaults.Loss;

    /// <summary>One-sided label smoothing: the target for real images (e.g. 0.9); only with cross-entropy losses.</summary>
    /// <value>Default: none.</value>
    public double? LabelSmoothing { get; set; }

    /// <summary>The weight λ of the WGAN-GP gradient penalty.</summary>
    /// <value>Default: 10.</value>
    [Range(0.0, 1000.0)]
    public double GradientPenaltyWeight { get; set; } = GanTrainerDefaults.GradientPenaltyWeight;

    /// <summary>Weight of the feature-matching term ‖E f(x) − E f(G(z))‖² added to the generator's loss (Salimans et al. 2016); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 1e6)]
    public double FeatureMatchingWeight { get; set; }

    /// <summary>Train the generator on feature matching alone (the discriminator keeps <see cref="Loss"/>).</summary>
    /// <value>Default: false.</value>
    public bool FeatureMatchingOnly { get; set; }

    /// <summary>γ of the R1 penalty γ/2 · E‖∇ₓD(x)‖² on real images, added to the discriminator's loss (Mescheder et al. 2018); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 1e6)]
    public double R1Weight { get; set; }

    /// <summary>Standard deviation of Gaussian instance noise added to every image the discriminator sees (real and generated, pixels in [-1, 1]); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 10.0)]
    public double InstanceNoise { get; set; }

    /// <summary>Anneal the instance noise linearly to zero over this many epochs; 0 keeps it constant.</summary>
    /// <value>Default: 0.</value>
    [Range(0, 1_000_000)]
    public int InstanceNoiseAnnealEpochs { get; set; }

    internal GanObjectiveOptions Clone() => (GanObjectiveOptions)MemberwiseClone();
}
