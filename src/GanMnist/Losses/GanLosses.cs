using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanMnist.Losses;

/// <summary>The built-in GAN objectives. All work on logits (raw scores) and are numerically stable.</summary>
public static class GanLosses
{
    /// <summary>Non-saturating cross-entropy (the default; seeds 002 and 004): D minimises BCE(real, 1) + BCE(fake, 0), G minimises BCE(fake, 1).</summary>
    public static IGanLoss NonSaturating { get; } = new CrossEntropyLoss(saturating: false);

    /// <summary>The original minimax objective: D as <see cref="NonSaturating"/>, G minimises E[log(1 - D(G(z)))].</summary>
    public static IGanLoss Minimax { get; } = new CrossEntropyLoss(saturating: true);

    /// <summary>Least squares (LSGAN): D minimises ½E[(D(x) - 1)²] + ½E[D(G(z))²], G minimises ½E[(D(G(z)) - 1)²].</summary>
    public static IGanLoss LeastSquares { get; } = new LeastSquaresLoss();

    /// <summary>Hinge: D minimises E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))], G minimises -E[D(G(z))].</summary>
    public static IGanLoss Hinge { get; } = new HingeLoss();

    /// <summary>
    /// Wasserstein with gradient penalty (WGAN-GP): the critic minimises E[D(G(z))] - E[D(x)] +
    /// λ·E[(‖∇D(x̂)‖₂ - 1)²] over random interpolates x̂; G minimises -E[D(G(z))].
    /// </summary>
    public static IGanLoss WassersteinGp(double penaltyWeight = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(penaltyWeight);
        return new WassersteinGpLoss(penaltyWeight);
    }

    /// <summary>
    /// One-sided label smoothing (Salimans et al. 2016, "Improved Techniques for Training GANs", section 3.4): real images
    /// are labelled <paramref name="target"/> (e.g. 0.9) in D's cross-entropy; G's loss is unchanged.
    /// </summary>
    /// <param name="loss"><see cref="NonSaturating"/> or <see cref="Minimax"/>.</param>
    /// <param name="target">The real label, in (0, 1].</param>
    /// <exception cref="ArgumentException"><paramref name="loss"/> is not a cross-entropy loss (label smoothing has no meaning for the others).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="target"/> is not in (0, 1].</exception>
    public static IGanLoss WithLabelSmoothing(this IGanLoss loss, double target = 0.9)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss is IBinaryCrossEntropyGanLoss crossEntropy
            ? new LabelSmoothing(crossEntropy, target)
            : throw new ArgumentException($"Label smoothing applies to the cross-entropy losses (NonSaturating, Minimax), not to '{loss.Name}'.", nameof(loss));
    }

    internal static Dictionary<string, Tensor> Scores(Tensor real, Tensor fake, bool probabilities)
    {
        using (no_grad())
        {
            return new Dictionary<string, Tensor>
            {
                [LossValues.RealScore] = (probabilities ? real.sigmoid() : real).mean(),
                [LossValues.FakeScore] = (probabilities ? fake.sigmoid() : fake).mean(),
            };
        }
    }

    private static Dictionary<string, Tensor> FakeScore(Tensor fake, bool probabilities)
    {
        using (no_grad())
        {
            return new Dictionary<string, Tensor> { [LossValues.FakeScore] = (probabilities ? fake.sigmoid() : fake).mean() };
        }
    }

    private sealed class CrossEntropyLoss(bool saturating) : IBinaryCrossEntropyGanLoss
    {
        public string Name => saturating ? "minimax" : "non-saturating";

        public LossOutput Discriminator(DiscriminatorLossInput input) => Discriminator(input, 1.0);

        public LossOutput Discriminator(DiscriminatorLossInput input, double realTarget)
        {
            using var target = full(input.RealLogits.shape, realTarget, input.RealLogits.dtype, input.RealLogits.device);
            using var zero = zeros(input.FakeLogits.shape, input.FakeLogits.dtype, input.FakeLogits.device);
            var loss = F.binary_cross_entropy_with_logits(input.RealLogits, target) + F.binary_cross_entropy_with_logits(input.FakeLogits, zero);
            return new LossOutput(loss, Scores(input.RealLogits, input.FakeLogits, probabilities: true));
        }

        public LossOutput Generator(GeneratorLossInput input)
        {
            // Minimax: minimise E[log(1 - σ(f))] = -E[softplus(f)]; non-saturating: E[softplus(-f)] = BCE(f, 1).
            var loss = saturating ? -input.FakeLogits.softplus().mean() : (-input.FakeLogits).softplus().mean();
            return new LossOutput(loss, FakeScore(input.FakeLogits, probabilities: true));
        }
    }

    private sealed class LabelSmoothing : IGanLoss
    {
        private readonly IBinaryCrossEntropyGanLoss _inner;
        private readonly double _target;

        public LabelSmoothing(IBinaryCrossEntropyGanLoss inner, double target)
        {
            ArgumentNullException.ThrowIfNull(inner);
            if (target is <= 0 or > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(target), target, "the smoothed real label must be in (0, 1]");
            }

            (_inner, _target) = (inner, target);
        }

        public string Name => $"{_inner.Name}+label-smoothing({_target.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

        public LossOutput Discriminator(DiscriminatorLossInput input) => _inner.Discriminator(input, _target);

        public LossOutput Generator(GeneratorLossInput input) => _inner.Generator(input);
    }

    private sealed class LeastSquaresLoss : IGanLoss
    {
        public string Name => "least-squares";

        public LossOutput Discriminator(DiscriminatorLossInput input) =>
            new((0.5 * (input.RealLogits - 1).square().mean()) + (0.5 * input.FakeLogits.square().mean()),
                Scores(input.RealLogits, input.FakeLogits, probabilities: false));

        public LossOutput Generator(GeneratorLossInput input) =>
            new(0.5 * (input.FakeLogits - 1).square().mean(), FakeScore(input.FakeLogits, probabilities: false));
    }

    private sealed class HingeLoss : IGanLoss
    {
        public string Name => "hinge";

        public LossOutput Discriminator(DiscriminatorLossInput input) =>
            new((1 - input.RealLogits).relu().mean() + (1 + input.FakeLogits).relu().mean(),
                Scores(input.RealLogits, input.FakeLogits, probabilities: false));

        public LossOutput Generator(GeneratorLossInput input) => new(-input.FakeLogits.mean(), FakeScore(input.FakeLogits, probabilities: false));
    }

    private sealed class WassersteinGpLoss(double penaltyWeight) : IGanLoss
    {
        public string Name => $"wasserstein-gp({penaltyWeight.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

        public LossOutput Discriminator(DiscriminatorLossInput input)
        {
            var penalty = GradientPenalty(input);
            var loss = input.FakeLogits.mean() - input.RealLogits.mean() + (penaltyWeight * penalty);
            var values = Scores(input.RealLogits, input.FakeLogits, probabilities: false);
            values[LossValues.GradientPenalty] = penalty.detach();
            return new LossOutput(loss, values);
        }

        public LossOutput Generator(GeneratorLossInput input) => new(-input.FakeLogits.mean(), FakeScore(input.FakeLogits, probabilities: false));

        /// <summary>E[(‖∇D(x̂)‖₂ - 1)²], x̂ = εx + (1 - ε)x̃ with ε ~ U(0, 1) per image; differentiable (double backward).</summary>
        private static Tensor GradientPenalty(DiscriminatorLossInput input)
        {
            var real = input.RealImages;
            long[] epsilonShape = [real.size(0), .. Enumerable.Repeat(1L, (int)real.dim() - 1)];
            using var epsilon = rand(epsilonShape, device: real.device, generator: input.Random);
            using var fake = input.FakeImages.detach();
            using var mixed = (epsilon * real) + ((1 - epsilon) * fake);
            using var interpolates = mixed.detach().requires_grad_();
            using var scores = input.Discriminator.Forward(interpolates, input.Labels);
            using var total = scores.sum();
            var gradient = autograd.grad([total], [interpolates], retain_graph: true, create_graph: true)[0]!;
            using var norm = (gradient.flatten(1).square().sum([1]) + 1e-12).sqrt();
            gradient.Dispose();
            return (norm - 1).square().mean();
        }
    }
}
