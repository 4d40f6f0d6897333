using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Losses;

/// <summary>Terms added to any objective: feature matching for the generator, the R1 penalty for the discriminator.</summary>
public static class Regularisers
{
    /// <summary>
    /// Feature matching (Salimans et al. 2016) as the generator's whole loss: ‖E f(x) − E f(G(z))‖², f being the
    /// discriminator's features before its last layer (<see cref="Models.IDiscriminator.ForwardWithFeatures"/>),
    /// the mean over the batch. The discriminator keeps <paramref name="inner"/>'s loss.
    /// </summary>
    public static IGanLoss FeatureMatching(IGanLoss inner) => new FeatureMatchingLoss(inner, weight: 1, replace: true);

    /// <summary>Adds <paramref name="weight"/> times the feature-matching term to the generator's loss of <paramref name="loss"/>.</summary>
    public static IGanLoss WithFeatureMatching(this IGanLoss loss, double weight = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        return new FeatureMatchingLoss(loss, weight, replace: false);
    }

    /// <summary>
    /// Adds the R1 penalty (Mescheder et al. 2018), γ/2 · E‖∇ₓD(x)‖² over real images, to the discriminator's loss of
    /// <paramref name="loss"/>; computed with a double backward so that its gradient reaches D's weights.
    /// </summary>
    public static IGanLoss WithR1Penalty(this IGanLoss loss, double gamma = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        return new R1Loss(loss, gamma);
    }

    /// <summary>‖mean(real features) − mean(fake features)‖², real features without gradient.</summary>
    internal static Tensor FeatureMatchingTerm(GeneratorLossInput input)
    {
        var real = input.RealImages
            ?? throw new InvalidOperationException("Feature matching needs the step's real batch (GeneratorLossInput.RealImages).");
        Tensor realMean;
        using (no_grad())
        {
            realMean = input.Discriminator.ForwardWithFeatures(real, input.Labels).Features.flatten(1).mean([0]);
        }

        var fakeMean = input.Discriminator.ForwardWithFeatures(input.FakeImages, input.Labels).Features.flatten(1).mean([0]);
        return (realMean - fakeMean).square().sum();
    }

    /// <summary>E‖∇ₓD(x)‖² over the real images, differentiable with respect to D's weights.</summary>
    internal static Tensor R1Term(DiscriminatorLossInput input)
    {
        using var x = input.RealImages.detach().requires_grad_();
        using var scores = input.Discriminator.Forward(x, input.Labels);
        using var total = scores.sum();
        using var gradient = autograd.grad([total], [x], retain_graph: true, create_graph: true)[0]!;
        return gradient.flatten(1).square().sum([1]).mean();
    }

    private sealed class FeatureMatchingLoss(IGanLoss inner, double weight, bool replace) : IGanLoss
    {
        public string Name => replace
            ? $"{inner.Name}+feature-matching-only"
            : $"{inner.Name}+feature-matching({weight.ToString(CultureInfo.InvariantCulture)})";

        public LossOutput Discriminator(DiscriminatorLossInput input) => inner.Discriminator(input);

        public LossOutput Generator(GeneratorLossInput input)
        {
            var term = FeatureMatchingTerm(input);
            var values = new Dictionary<string, Tensor> { [LossValues.FeatureMatching] = term.detach() };
            if (replace)
            {
                return new LossOutput(term, values);
            }

            var output = inner.Generator(input);
            foreach (var (name, value) in output.Values)
            {
                values[name] = value;
            }

            return new LossOutput(output.Loss + (weight * term), values);
        }
    }

    private sealed class R1Loss(IGanLoss inner, double gamma) : IGanLoss
    {
        public string Name => $"{inner.Name}+r1({gamma.ToString(CultureInfo.InvariantCulture)})";

        public LossOutput Discriminator(DiscriminatorLossInput input)
        {
            var output = inner.Discriminator(input);
            var penalty = R1Term(input);
            var values = new Dictionary<string, Tensor>(output.Values) { [LossValues.R1Penalty] = penalty.detach() };
            return new LossOutput(output.Loss + (gamma / 2 * penalty), values);
        }

        public LossOutput Generator(GeneratorLossInput input) => inner.Generator(input);
    }
}
