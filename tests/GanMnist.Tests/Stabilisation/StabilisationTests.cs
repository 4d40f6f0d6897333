using GanMnist.Checkpoints;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training;
using GanMnist.Runtime;

namespace GanMnist.Tests.Stabilisation;

/// <summary>Each stabilisation technique against its definition on small fixed inputs.</summary>
public sealed class StabilisationTests
{
    [Fact]
    public void FeatureMatching_ValueAndGradient_MatchTheHandComputedDefinition()
    {
        using var scope = NewDisposeScope();
        using var d = new FeatureDoubler();
        var real = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 1, 1, 2);   // features ×2: means (4, 6)
        var fake = tensor(new float[] { 0, 0, 1, 1 }).reshape(2, 1, 1, 2).requires_grad_(); // means (1, 1)
        var input = new GeneratorLossInput(d.Forward(fake), fake, d, RealImages: real);

        var alone = Regularisers.FeatureMatching(GanLosses.NonSaturating).Generator(input);
        var added = GanLosses.NonSaturating.WithFeatureMatching(0.5).Generator(input);

        alone.Loss.ToSingle().Should().BeApproximately(34, 1e-5f, "(4 − 1)² + (6 − 1)²");
        alone.Values[LossValues.FeatureMatching].ToSingle().Should().BeApproximately(34, 1e-5f);
        var nonSaturating = GanLosses.NonSaturating.Generator(input).Loss.ToSingle();
        added.Loss.ToSingle().Should().BeApproximately(nonSaturating + 17, 1e-4f);
        // ∂/∂fake = −2 (m_real − m_fake) · 2 / N per image: (−6, −10) for each of the two fakes.
        alone.Loss.backward();
        fake.grad!.ToArray<float>().Should().Equal([-6, -10, -6, -10], (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void R1Penalty_ValueAndItsGradientThroughDoubleBackward_MatchTheClosedForm()
    {
        using var scope = NewDisposeScope();
        using var d = new SquareDiscriminator([0.5f, -2f]);             // D(x) = Σ w ⊙ x², ∇ₓD = 2 w ⊙ x
        var real = tensor(new float[] { 1, 2, -1, 3 }).reshape(2, 1, 1, 2);
        var fake = zeros([2, 1, 1, 2]);
        var input = new DiscriminatorLossInput(d.Forward(real), d.Forward(fake), real, fake, d);
        // R1 = mean_i Σ_k 4 w_k² x_ik²: image 1: 4(0.25·1 + 4·4) = 65; image 2: 4(0.25·1 + 4·9) = 145; mean 105.
        // ∂R1/∂w_k = mean_i 8 w_k x_ik²: w₁: 8·0.5·(1 + 1)/2 = 4; w₂: 8·(−2)·(4 + 9)/2 = −104.
        var penalty = Regularisers.R1Term(input);
        penalty.ToSingle().Should().BeApproximately(105, 1e-3f);
        penalty.backward();
        d.W.grad!.ToArray<float>().Should().Equal([4, -104], (a, b) => Math.Abs(a - b) < 1e-3);

        // The same gradient by central differences of the penalty's value in w (float32, h = 1e-2).
        var analytic = d.W.grad!.ToArray<float>();
        for (var k = 0; k < 2; k++)
        {
            float PenaltyWith(float delta)
            {
                using var noGrad = no_grad();
                var w = new[] { 0.5f, -2f };
                w[k] += delta;
                d.W.copy_(tensor(w));
                using var enable = enable_grad();
                return Regularisers.R1Term(new DiscriminatorLossInput(d.Forward(real), d.Forward(fake), real, fake, d)).ToSingle();
            }

            var numeric = (PenaltyWith(1e-2f) - PenaltyWith(-1e-2f)) / 2e-2f;
            analytic[k].Should().BeApproximately(numeric, 0.05f, $"∂R1/∂w{k + 1} by finite differences");
        }

        using (no_grad())
        {
            d.W.copy_(tensor(new[] { 0.5f, -2f }));
        }

        d.W.grad!.zero_();
        var withR1 = GanLosses.LeastSquares.WithR1Penalty(gamma: 2).Discriminator(input);
        var plain = GanLosses.LeastSquares.Discriminator(input).Loss.ToSingle();
        withR1.Loss.ToSingle().Should().BeApproximately(plain + 105, 1e-2f, "γ/2 · R1 with γ = 2");
        withR1.Values[LossValues.R1Penalty].ToSingle().Should().BeApproximately(105, 1e-3f);
    }

    [Fact]
    public void MinibatchDiscrimination_MatchesHandValuesShapesAndParameterCount()
    {
        using var scope = NewDisposeScope();
        using var layer = new MinibatchDiscrimination(inputFeatures: 1, kernels: 1, kernelSize: 2);
        using (no_grad())
        {
            layer.weight.copy_(tensor(new float[] { 1, 2 }).reshape(1, 2));
        }

        // M = (1, 2) and (3, 6); their L1 distance is 6, so each image gets exp(−6) from the other.
        var output = layer.forward(tensor(new float[] { 1, 3 }).reshape(2, 1));
        output.ToArray<float>().Should().Equal([1, MathF.Exp(-6), 3, MathF.Exp(-6)], (a, b) => Math.Abs(a - b) < 1e-7);

        using var wide = new MinibatchDiscrimination(inputFeatures: 256, kernels: 16, kernelSize: 4);
        wide.forward(randn([5, 256])).shape.Should().Equal(5, 256 + 16);
        wide.parameters().Single().numel().Should().Be(256 * 16 * 4);
    }

    [Fact]
    public void MinibatchDiscrimination_GradientMatchesCentralDifferences()
    {
        using var scope = NewDisposeScope();
        using var layer = new MinibatchDiscrimination(inputFeatures: 3, kernels: 2, kernelSize: 2);
        var x = tensor(new float[] { 0.1f, -0.4f, 0.3f, 0.2f, 0.5f, -0.1f, -0.3f, 0.0f, 0.4f }).reshape(3, 3);
        var weights = tensor(new float[] { 1, -2, 0.5f, 3, 1.5f, -1, 2, 0.25f, -0.5f, 1, 2, -3, 0.7f, 1.1f, -0.2f }).reshape(3, 5);
        Tensor Objective(Tensor input) => (layer.forward(input) * weights).sum();

        var leaf = x.clone().requires_grad_();
        Objective(leaf).backward();
        var analytic = leaf.grad!.ToArray<float>();
        var values = x.ToArray<float>();
        const float h = 1e-3f;
        for (var i = 0; i < values.Length; i++)
        {
            var plus = (float[])values.Clone();
            var minus = (float[])values.Clone();
            plus[i] += h;
            minus[i] -= h;
            using var noGrad = no_grad();
            var numeric = (Objective(tensor(plus).reshape(3, 3)).ToSingle() - Objective(tensor(minus).reshape(3, 3)).ToSingle()) / (2 * h);
            analytic[i].Should().BeApproximately(numeric, 2e-2f, $"element {i}");
        }
    }

    [Fact]
    public void CreateDiscriminator_WithMinibatchDiscrimination_InsertsItBeforeTheLastLayer()
    {
        using var plain = (nn.Module)GanModels.CreateDiscriminator(GanArchitecture.Mlp).Module;
        var withLayer = GanModels.CreateDiscriminator(GanArchitecture.Mlp, minibatchKernels: 16, minibatchKernelSize: 4);
        try
        {
            long Count(nn.Module m) => m.parameters().Sum(p => p.numel());
            // The last layer grows from 256 + 1 to (256 + 16) + 1 parameters; the layer adds 256 · 16 · 4.
            Count(withLayer.Module).Should().Be(Count(plain) + (256 * 16 * 4) + 16);
            using var scope = NewDisposeScope();
            var (logits, features) = withLayer.ForwardWithFeatures(randn([6, 1, 28, 28]));
            logits.shape.Should().Equal(6, 1);
            features.shape.Should().Equal(6, 256 + 16);
        }
        finally
        {
            withLayer.Module.Dispose();
        }
    }

    [Fact]
    public void InstanceNoiseSchedule_IsConstantOrLinearToZero()
    {
        Schedules.InstanceNoise(0.2, 0, 12345).Should().Be(0.2);
        Schedules.InstanceNoise(0.2, 100, 0).Should().Be(0.2);
        Schedules.InstanceNoise(0.2, 100, 25).Should().BeApproximately(0.15, 1e-15);
        Schedules.InstanceNoise(0.2, 100, 100).Should().Be(0);
        Schedules.InstanceNoise(0.2, 100, 250).Should().Be(0);
    }

    [Fact]
    public void GeneratorAverage_FollowsTheExponentialMovingAverageFormulaOverSteps()
    {
        using var random = new Generator(1);
        var live = GanModels.CreateGenerator(GanArchitecture.Dcgan, latentSize: 4, generator: random);
        var copy = GanModels.CreateGenerator(GanArchitecture.Dcgan, latentSize: 4, generator: random);
        using var average = new GeneratorAverage(live, copy, decay: 0.9);
        try
        {
            using var scope = NewDisposeScope();
            var weight = live.Module.named_parameters().First().parameter;       // main.0.weight
            var averaged = copy.Module.named_parameters().First().parameter;
            var runningMean = live.Module.named_buffers().First().buffer;         // main.1.running_mean
            var expected = weight.ToArray<float>().Select(v => (double)v).ToArray();
            averaged.ToArray<float>().Should().Equal(weight.ToArray<float>(), "the average starts at the model's weights");
            for (var step = 1; step <= 3; step++)
            {
                using (no_grad())
                {
                    weight.copy_(weight * 0.5 + step);   // any update
                    runningMean.fill_(step);
                }

                average.Update();
                var now = weight.ToArray<float>();
                for (var i = 0; i < expected.Length; i++)
                {
                    expected[i] = (0.9 * expected[i]) + (0.1 * now[i]);
                }

                averaged.ToArray<float>().Should().Equal(expected.Select(v => (float)v), (a, b) => Math.Abs(a - b) < 1e-5 * (1 + Math.Abs(b)));
                copy.Module.named_buffers().First().buffer.ToArray<float>().Should().AllSatisfy(v => v.Should().Be(step));
            }
        }
        finally
        {
            live.Module.Dispose();
        }
    }

    [Theory]
    [InlineData(GanArchitecture.ConditionalMlp)]
    [InlineData(GanArchitecture.ConditionalDcgan)]
    public void ConditionalModels_OutputChangesWithTheLabel_LabelsAreRequiredByTheModuleAndDrawnInTurnBySampling(GanArchitecture architecture)
    {
        using var random = new Generator(3);
        var g = GanModels.CreateGenerator(architecture, generator: random);
        var d = GanModels.CreateDiscriminator(architecture, generator: random);
        try
        {
            using var scope = NewDisposeScope();
            g.Module.eval();
            g.ClassCount.Should().Be(10);
            var noise = randn([2, 100], generator: random);
            var noiseTwice = cat([noise, noise]);
            var images = g.Generate(noiseTwice, tensor(new long[] { 3, 3, 7, 7 }));
            (images.narrow(0, 0, 2) - images.narrow(0, 2, 2)).abs().amax().ToSingle().Should().BeGreaterThan(1e-3f, "the label changes the image");
            var logits = d.Forward(cat([images.narrow(0, 0, 2), images.narrow(0, 0, 2)]), tensor(new long[] { 3, 3, 5, 5 }));
            (logits.narrow(0, 0, 2) - logits.narrow(0, 2, 2)).abs().amax().ToSingle().Should().BeGreaterThan(1e-6f, "the projection depends on the label");
            FluentActions.Invoking(() => g.Generate(noise)).Should().Throw<ArgumentException>().WithMessage("*conditional on 10 classes*labels*");
            FluentActions.Invoking(() => d.Forward(images, tensor(new long[] { 1 }))).Should().Throw<ArgumentException>().WithMessage("*one label per image (4)*");
            g.Generate(5, seed: 2, classIndex: 4).shape.Should().Equal(5, 1, 28, 28);
            var inTurn = g.Generate(12, seed: 2, labels: tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1 }));
            g.Generate(12, seed: 2).Equals(inTurn).Should().BeTrue("without labels a conditional generator makes its classes in turn");
        }
        finally
        {
            g.Module.Dispose();
            d.Module.Dispose();
        }
    }

    /// <summary>A parameter-free discriminator whose features are twice the flattened pixels and whose logit is their sum.</summary>
    private sealed class FeatureDoubler() : nn.Module<Tensor, Tensor>(nameof(FeatureDoubler)), IDiscriminator
    {
        public IReadOnlyList<long> ImageShape => [1, 1, 2];

        public int ClassCount => 0;

        public nn.Module Module => this;

        public Tensor Forward(Tensor images, Tensor? labels = null) => ForwardWithFeatures(images, labels).Logits;

        public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
        {
            var features = images.flatten(1) * 2;
            return (features.sum([1], keepdim: true), features);
        }

        public override Tensor forward(Tensor input) => Forward(input);
    }

    /// <summary>D(x) = Σ w ⊙ x² over the two pixels: ∇ₓD = 2 w ⊙ x in closed form.</summary>
    private sealed class SquareDiscriminator : nn.Module<Tensor, Tensor>, IDiscriminator
    {
        public SquareDiscriminator(float[] w) : base(nameof(SquareDiscriminator)) =>
            register_parameter("w", W = new TorchSharp.Modules.Parameter(tensor(w)));

        public TorchSharp.Modules.Parameter W { get; }

        public IReadOnlyList<long> ImageShape => [1, 1, 2];

        public int ClassCount => 0;

        public nn.Module Module => this;

        public Tensor Forward(Tensor images, Tensor? labels = null) => (images.flatten(1).square() * W).sum([1], keepdim: true);

        public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null) => (Forward(images), images.flatten(1));

        public override Tensor forward(Tensor input) => Forward(input);
    }
}
