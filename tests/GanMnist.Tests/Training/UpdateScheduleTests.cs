using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

/// <summary>
/// Both update schedules against one step of a tiny GAN computed by hand: G(z) = a·z + b, D(x) = c·x + e (logits),
/// non-saturating cross-entropy, Adam with ε = 1 so that its first update is lr·g/(|g| + 1) (m̂ = g, v̂ = g²) and
/// depends on each gradient's size, not only its sign.
/// </summary>
public sealed class UpdateScheduleTests
{
    private const double Lr = 0.5;
    private static readonly double[] Real = [0.5, -1.0, 2.0];

    [Theory]
    [InlineData(UpdateSchedule.Alternating)]
    [InlineData(UpdateSchedule.Simultaneous)]
    public void OneStep_UpdatesBothNetworksAsComputedByHand(UpdateSchedule schedule)
    {
        using var scope = NewDisposeScope();
        var (a, b, c, e) = (0.7, -0.2, 1.3, 0.4);
        var gLinear = Linear(a, b);
        var dLinear = Linear(c, e);
        var generator = GanModels.AsGenerator(gLinear, 1, [1]);
        var discriminator = GanModels.AsDiscriminator(dLinear, [1]);
        using var gOptimizer = optim.Adam(gLinear.parameters(), Lr, 0.5, 0.999, 1.0);
        using var dOptimizer = optim.Adam(dLinear.parameters(), Lr, 0.5, 0.999, 1.0);
        using var random = new Generator(5);
        using var probe = new Generator(5);
        var z = randn([Real.Length, 1], generator: probe).data<float>().Select(v => (double)v).ToArray(); // the step's noise
        var step = new TrainingStep(generator, discriminator, GanLosses.NonSaturating, gOptimizer, dOptimizer, random, schedule: schedule);

        step.Run(tensor(Real.Select(v => (float)v).ToArray()).reshape(Real.Length, 1), null);

        var expected = ByHand(schedule, a, b, c, e, z);
        Value(gLinear.weight!).Should().BeApproximately(expected.A, 1e-5);
        Value(gLinear.bias!).Should().BeApproximately(expected.B, 1e-5);
        Value(dLinear.weight!).Should().BeApproximately(expected.C, 1e-5);
        Value(dLinear.bias!).Should().BeApproximately(expected.E, 1e-5);
    }

    [Fact]
    public void TheTheorysCase_TellsTheSchedulesApart()
    {
        using var probe = new Generator(5);
        var z = randn([Real.Length, 1], generator: probe).data<float>().Select(v => (double)v).ToArray(); // the theory's noise
        var alternating = ByHand(UpdateSchedule.Alternating, 0.7, -0.2, 1.3, 0.4, z);
        var simultaneous = ByHand(UpdateSchedule.Simultaneous, 0.7, -0.2, 1.3, 0.4, z);

        Math.Abs(alternating.A - simultaneous.A).Should().BeGreaterThan(1e-3, "G is trained against the updated D in one, the old D in the other (100x the theory's tolerance)");
        Math.Abs(alternating.B - simultaneous.B).Should().BeGreaterThan(1e-3);
    }

    /// <summary>The step in float64: D's gradient and update, then G's gradient through D before (simultaneous) or after (alternating) D's update.</summary>
    private static (double A, double B, double C, double E) ByHand(UpdateSchedule schedule, double a, double b, double c, double e, double[] z)
    {
        var x = z.Select(v => (a * v) + b).ToArray();
        double Sigmoid(double t) => 1 / (1 + Math.Exp(-t));

        // L_D = mean softplus(-(c r + e)) + mean softplus(c x + e)
        var gc = Real.Average(r => -Sigmoid(-((c * r) + e)) * r) + x.Average(v => Sigmoid((c * v) + e) * v);
        var ge = Real.Average(r => -Sigmoid(-((c * r) + e))) + x.Average(v => Sigmoid((c * v) + e));
        var (c1, e1) = (c - Adam(gc), e - Adam(ge));

        // L_G = mean softplus(-(c x + e)), through the D of the schedule
        var (cg, eg) = schedule == UpdateSchedule.Alternating ? (c1, e1) : (c, e);
        var dx = x.Select(v => -Sigmoid(-((cg * v) + eg)) * cg / x.Length).ToArray();
        var ga = dx.Zip(z, (d, v) => d * v).Sum();
        var gb = dx.Sum();
        return (a - Adam(ga), b - Adam(gb), c1, e1);

        static double Adam(double g) => Lr * g / (Math.Abs(g) + 1);
    }

    private static TorchSharp.Modules.Linear Linear(double weight, double bias)
    {
        var linear = nn.Linear(1, 1);
        using (no_grad())
        {
            linear.weight!.fill_(weight);
            linear.bias!.fill_(bias);
        }

        return linear;
    }

    private static double Value(Tensor t) => t.item<float>();
}
