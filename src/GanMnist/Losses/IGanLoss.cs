using GanMnist.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Losses;

/// <summary>
/// A GAN objective: the discriminator's and the generator's losses from the discriminator's logits
/// (scores), computed stably. Implement it to plug in your own.
/// </summary>
public interface IGanLoss
{
    /// <summary>A short name for logs and histories, e.g. <c>non-saturating</c>.</summary>
    string Name { get; }

    /// <summary>The discriminator's loss on a batch of real images and detached fakes.</summary>
    LossOutput Discriminator(DiscriminatorLossInput input);

    /// <summary>The generator's loss on the discriminator's logits for fresh fakes.</summary>
    LossOutput Generator(GeneratorLossInput input);
}

/// <summary>A loss of the binary cross-entropy family, whose real-image target can be smoothed.</summary>
internal interface IBinaryCrossEntropyGanLoss : IGanLoss
{
    /// <summary>The discriminator's loss with real images labelled <paramref name="realTarget"/> instead of 1.</summary>
    LossOutput Discriminator(DiscriminatorLossInput input, double realTarget);
}

/// <summary>What the discriminator's loss may look at.</summary>
/// <param name="RealLogits">The discriminator's (N, 1) logits on real images.</param>
/// <param name="FakeLogits">Its logits on generated images.</param>
/// <param name="RealImages">The real images.</param>
/// <param name="FakeImages">The generated images, detached from the generator.</param>
/// <param name="Discriminator">The discriminator, for penalties that evaluate it again.</param>
/// <param name="Labels">Class labels for conditional models, or null.</param>
/// <param name="Random">The run's random generator (for interpolation in gradient penalties).</param>
public sealed record DiscriminatorLossInput(Tensor RealLogits, Tensor FakeLogits, Tensor RealImages, Tensor FakeImages,
    IDiscriminator Discriminator, Tensor? Labels = null, Generator? Random = null);

/// <summary>What the generator's loss may look at.</summary>
/// <param name="FakeLogits">The discriminator's (N, 1) logits on fresh generated images.</param>
/// <param name="FakeImages">Those images (attached to the generator's graph).</param>
/// <param name="Discriminator">The discriminator.</param>
/// <param name="Labels">Class labels for conditional models, or null.</param>
/// <param name="RealImages">The real batch of this step (for feature matching), or null.</param>
public sealed record GeneratorLossInput(Tensor FakeLogits, Tensor FakeImages, IDiscriminator Discriminator, Tensor? Labels = null, Tensor? RealImages = null);

/// <summary>A loss to minimise and named scalar values to report (detached).</summary>
public sealed class LossOutput
{
    /// <summary>Creates an output.</summary>
    public LossOutput(Tensor loss, IReadOnlyDictionary<string, Tensor> values) => (Loss, Values) = (loss, values);

    /// <summary>The scalar loss (part of the autograd graph).</summary>
    public Tensor Loss { get; }

    /// <summary>Reported scalars, e.g. <see cref="LossValues.RealScore"/>; detached from the graph.</summary>
    public IReadOnlyDictionary<string, Tensor> Values { get; }
}

/// <summary>The names of the values losses report.</summary>
public static class LossValues
{
    /// <summary>Mean D(x) on real images: a probability for the cross-entropy losses, the raw score otherwise.</summary>
    public const string RealScore = "D(x)";

    /// <summary>Mean D(G(z)) on generated images, as <see cref="RealScore"/>.</summary>
    public const string FakeScore = "D(G(z))";

    /// <summary>The gradient penalty term (before its weight).</summary>
    public const string GradientPenalty = "gradient_penalty";

    /// <summary>The R1 penalty E‖∇ₓD(x)‖² on real images (before its weight γ/2).</summary>
    public const string R1Penalty = "r1_penalty";

    /// <summary>The feature-matching term ‖E f(x) − E f(G(z))‖² (before its weight).</summary>
    public const string FeatureMatching = "feature_matching";
}
