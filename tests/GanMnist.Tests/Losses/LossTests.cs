using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Runtime;

namespace GanMnist.Tests.Losses;

public sealed class LossTests
{
    private static readonly double[] R = [2.0, -1.0, 0.5, 30.0];
    private static readonly double[] Fk = [-1.5, 0.3, 1.0, -40.0];

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static Tensor Logits(double[] v) => tensor(v, v.Length, 1);

    private static DiscriminatorLossInput DInput(IDiscriminator? d = null, Tensor? real = null, Tensor? fake = null) =>
        new(Logits(R), Logits(Fk), real ?? zeros([4, 1, 2, 2], float64), fake ?? zeros([4, 1, 2, 2], float64), d ?? new LinearCritic([0, 0, 0, 0]));

    private static GeneratorLossInput GInput() => new(Logits(Fk), zeros([4, 1, 2, 2], float64), new LinearCritic([0, 0, 0, 0]));

    [Fact]
    public void NonSaturating_MatchesClosedForms()
    {
        using var scope = NewDisposeScope();

        var d = GanLosses.NonSaturating.Discriminator(DInput());
        var g = GanLosses.NonSaturating.Generator(GInput());

        d.Loss.ToDouble().Should().BeApproximately(R.Average(r => Softplus(-r)) + Fk.Average(Softplus), 1e-12);
        g.Loss.ToDouble().Should().BeApproximately(Fk.Average(f => Softplus(-f)), 1e-12);
        d.Values[LossValues.RealScore].ToDouble().Should().BeApproximately(R.Average(Sigmoid), 1e-12);
        d.Values[LossValues.FakeScore].ToDouble().Should().BeApproximately(Fk.Average(Sigmoid), 1e-12);
        double.IsFinite(d.Loss.ToDouble()).Should().BeTrue("logits of ±40 must not overflow");
    }

    [Fact]
    public void Minimax_GeneratorMinimisesLogOneMinusDOfGz()
    {
        using var scope = NewDisposeScope();

        GanLosses.Minimax.Generator(GInput()).Loss.ToDouble().Should().BeApproximately(Fk.Average(f => Math.Log(1 - Sigmoid(f))), 1e-12);
        GanLosses.Minimax.Discriminator(DInput()).Loss.ToDouble().Should().BeApproximately(R.Average(r => Softplus(-r)) + Fk.Average(Softplus), 1e-12);
    }

    [Fact]
    public void LabelSmoothing_ChangesOnlyTheRealTargetOfTheDiscriminator()
    {
        using var scope = NewDisposeScope();
        var smoothed = GanLosses.NonSaturating.WithLabelSmoothing(0.9);

        // BCE(x, t) = softplus(x) - t·x.
        smoothed.Discriminator(DInput()).Loss.ToDouble().Should().BeApproximately(R.Average(r => Softplus(r) - (0.9 * r)) + Fk.Average(Softplus), 1e-12);
        smoothed.Generator(GInput()).Loss.ToDouble().Should().BeApproximately(Fk.Average(f => Softplus(-f)), 1e-12);
        GanLosses.Minimax.WithLabelSmoothing(0.8).Discriminator(DInput()).Loss.ToDouble()
            .Should().BeApproximately(R.Average(r => Softplus(r) - (0.8 * r)) + Fk.Average(Softplus), 1e-12);
        smoothed.Name.Should().Be("non-saturating+label-smoothing(0.9)");
    }

    [Fact]
    public void LabelSmoothing_OfALossThatIsNotCrossEntropy_IsRefusedNamingIt()
    {
        var act = () => GanLosses.Hinge.WithLabelSmoothing(0.9);

        act.Should().Throw<ArgumentException>().WithParameterName("loss")
            .WithMessage("Label smoothing applies to the cross-entropy losses (NonSaturating, Minimax), not to 'hinge'.*");
    }

    [Fact]
    public void LabelSmoothing_TargetOutOfRange_Throws()
    {
        var act = () => GanLosses.NonSaturating.WithLabelSmoothing(1.5);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("the smoothed real label must be in (0, 1]*");
    }

    [Fact]
    public void LeastSquares_MatchesClosedForms()
    {
        using var scope = NewDisposeScope();

        GanLosses.LeastSquares.Discriminator(DInput()).Loss.ToDouble().Should().BeApproximately((0.5 * R.Average(r => (r - 1) * (r - 1))) + (0.5 * Fk.Average(f => f * f)), 1e-9);
        GanLosses.LeastSquares.Generator(GInput()).Loss.ToDouble().Should().BeApproximately(0.5 * Fk.Average(f => (f - 1) * (f - 1)), 1e-9);
        GanLosses.LeastSquares.Discriminator(DInput()).Values[LossValues.RealScore].ToDouble().Should().BeApproximately(R.Average(), 1e-12);
    }

    [Fact]
    public void Hinge_MatchesClosedForms()
    {
        using var scope = NewDisposeScope();

        GanLosses.Hinge.Discriminator(DInput()).Loss.ToDouble().Should().BeApproximately(R.Average(r => Math.Max(0, 1 - r)) + Fk.Average(f => Math.Max(0, 1 + f)), 1e-12);
        GanLosses.Hinge.Generator(GInput()).Loss.ToDouble().Should().BeApproximately(-Fk.Average(), 1e-12);
    }

    [Fact]
    public void WassersteinGp_LinearCritic_PenaltyIsSquaredDistanceOfWeightNormFromOne()
    {
        using var scope = NewDisposeScope();
        // D(x) = Σ w·x has gradient w at every interpolate, so the penalty is (‖w‖ - 1)² exactly.
        double[] w = [1.0, 2.0, -2.0, 0.5];
        var critic = new LinearCritic(w);
        var norm = Math.Sqrt(w.Sum(v => v * v));
        var loss = GanLosses.WassersteinGp(10);

        var output = loss.Discriminator(DInput(critic, randn([4, 1, 2, 2], float64), randn([4, 1, 2, 2], float64)));

        output.Values[LossValues.GradientPenalty].ToDouble().Should().BeApproximately((norm - 1) * (norm - 1), 1e-9);
        output.Loss.ToDouble().Should().BeApproximately(Fk.Average() - R.Average() + (10 * (norm - 1) * (norm - 1)), 1e-9);
        loss.Generator(GInput()).Loss.ToDouble().Should().BeApproximately(-Fk.Average(), 1e-12);
    }

    [Fact]
    public void WassersteinGp_PenaltyGradient_ReachesTheCriticsWeights()
    {
        using var scope = NewDisposeScope();
        var critic = new LinearCritic([3.0, 0.0, 0.0, 4.0]); // ‖w‖ = 5: d/dw (‖w‖ - 1)² = 2(‖w‖ - 1)·w/‖w‖
        var output = GanLosses.WassersteinGp(1).Discriminator(new DiscriminatorLossInput(zeros([2, 1], float64), zeros([2, 1], float64),
            randn([2, 1, 2, 2], float64), randn([2, 1, 2, 2], float64), critic));

        output.Loss.backward();

        Check(critic.Weight.grad!.ToArray<double>(), [2 * 4 * 3.0 / 5, 0, 0, 2 * 4 * 4.0 / 5]);
    }

    private static void Check(double[] actual, double[] expected) =>
        actual.Should().Equal(expected, (a, e) => Math.Abs(a - e) < 1e-9);

    /// <summary>A user-supplied critic D(x) = Σ w·x (per image), in float64.</summary>
    private sealed class LinearCritic : nn.Module<Tensor, Tensor>, IDiscriminator
    {
        public LinearCritic(double[] w) : base("LinearCritic") => register_parameter("w", Weight = new TorchSharp.Modules.Parameter(tensor(w)));

        public TorchSharp.Modules.Parameter Weight { get; }

        public IReadOnlyList<long> ImageShape => [1, 2, 2];

        public int ClassCount => 0;

        public nn.Module Module => this;

        public override Tensor forward(Tensor input) => matmul(input.flatten(1), Weight.unsqueeze(1));

        public Tensor Forward(Tensor images, Tensor? labels = null) => forward(images);

        public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null) => (forward(images), images.flatten(1));
    }
}
