namespace GanMnist.Torch.Tests;

public sealed class AdamTests
{
    private sealed class Affine : nn.Module<Tensor, Tensor>
    {
        public Affine() : base("Affine") => w = register_parameter("w", new nn.Parameter(tensor(new double[] { 1.0, -2.0, 0.5 })));

        public nn.Parameter w { get; }

        public override Tensor forward(Tensor input) => (w * input).sum();
    }

    [Fact]
    public void Step_TwoStepsWithWeightDecay_MatchClosedForm()
    {
        using var scope = NewDisposeScope();
        using var model = new Affine();
        using var adam = optim.Adam(model.parameters(), lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
        double[] c = [0.5, -3.0, 2.0];
        var p = new double[] { 1.0, -2.0, 0.5 };
        var m = new double[3];
        var v = new double[3];

        for (var t = 1; t <= 2; t++)
        {
            adam.zero_grad();
            model.call(tensor(c)).backward(); // gradient of Σ w·c is c
            adam.step();
            for (var i = 0; i < 3; i++)
            {
                var g = c[i] + (0.01 * p[i]);
                m[i] = (0.9 * m[i]) + (0.1 * g);
                v[i] = (0.999 * v[i]) + (0.001 * g * g);
                var mHat = m[i] / (1 - Math.Pow(0.9, t));
                var vHat = v[i] / (1 - Math.Pow(0.999, t));
                p[i] -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }

            Check.Values(model.w, p, 1e-12);
        }

        // After the first step every coordinate moved by almost exactly lr against its gradient's sign.
        adam.state_dict().Parameters[0].Step.Should().Be(2);
    }

    [Fact]
    public void StateDict_RestoredIntoFreshOptimizer_GivesBitIdenticalNextSteps()
    {
        using var scope = NewDisposeScope();
        using var a = new Affine();
        using var adamA = optim.Adam(a.parameters(), lr: 0.05);
        var input = tensor(new double[] { 0.3, -1.1, 2.2 });
        for (var i = 0; i < 3; i++)
        {
            adamA.zero_grad();
            (a.call(input) * a.call(input)).backward();
            adamA.step();
        }

        using var b = new Affine();
        b.load_state_dict(a.state_dict());
        using var adamB = optim.Adam(b.parameters(), lr: 0.05);
        using var saved = adamA.state_dict();
        adamB.load_state_dict(saved);

        for (var i = 0; i < 3; i++)
        {
            foreach (var (model, adam) in new[] { (a, adamA), (b, adamB) })
            {
                adam.zero_grad();
                (model.call(input) * model.call(input)).backward();
                adam.step();
            }

            equal(a.w, b.w).Should().BeTrue($"step {i + 4} must be bit-identical after restoring");
        }
    }

    [Fact]
    public void Step_ParameterWithoutGradient_IsLeftAloneAndItsStepNotCounted()
    {
        using var scope = NewDisposeScope();
        using var model = new Affine();
        using var adam = optim.Adam(model.parameters());

        adam.step();

        Check.Values(model.w, [1.0, -2.0, 0.5], 0);
        adam.state_dict().Parameters[0].Step.Should().Be(0);
    }

    [Fact]
    public void LoadStateDict_WrongShape_ThrowsNamingTheEntryAndLeavesStateUnchanged()
    {
        using var scope = NewDisposeScope();
        using var model = new Affine();
        using var adam = optim.Adam(model.parameters());
        using var bad = new AdamState(1e-3, 0.9, 0.999, 1e-8, 0, [new AdamParameterState(5, ones([2], float64), ones([2], float64))]);

        var act = () => adam.load_state_dict(bad);

        act.Should().Throw<ArgumentException>().WithMessage("Adam state entry 0 does not fit parameter 0 of shape [3]*");
        adam.state_dict().Parameters[0].Step.Should().Be(0);
    }

    [Fact]
    public void Constructor_InvalidHyperParameter_ThrowsNamingIt()
    {
        using var model = new Affine();

        var act = () => optim.Adam(model.parameters(), beta1: 1.0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Adam beta1 must be in [0, 1).*");
    }
}
