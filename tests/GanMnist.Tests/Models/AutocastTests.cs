using GanMnist.Models;
using GanMnist.Training;
using TorchSharp.Modules;
using GanMnist.Runtime;

namespace GanMnist.Tests.Models;

/// <summary>
/// Mixed precision: the autocast layers are TorchSharp's outside a scope, compute in bfloat16 inside one (checked
/// against float64 arithmetic with bfloat16's rounding bound), and leave parameters and gradients float32.
/// </summary>
[Collection(Training.LiveTensorCollection.Name)] // manual_seed: the default generator is process-wide
public sealed class AutocastTests
{
    /// <summary>bfloat16 keeps 8 significant bits: round-to-nearest is within 2^-9 relative, so 2^-8 bounds one rounding with room.</summary>
    private const double BFloat16Epsilon = 1.0 / 256;

    [Fact]
    public void Layers_OutsideAScope_AreTorchSharpsOwn_SameInitialisationKeysAndOutputs()
    {
        using var scope = NewDisposeScope();
        var input2d = randn(3, 4, 9, 9, generator: new Generator(1));
        (Func<nn.Module<Tensor, Tensor>> Ours, Func<nn.Module<Tensor, Tensor>> Theirs, Tensor Input)[] cases =
        [
            (() => Autocast.Linear(7, 5), () => nn.Linear(7, 5), randn(3, 7, generator: new Generator(2))),
            (() => Autocast.Linear(7, 5, hasBias: false), () => nn.Linear(7, 5, hasBias: false), randn(3, 7, generator: new Generator(2))),
            (() => Autocast.Conv2d(4, 6, 5, stride: 2, padding: 2), () => nn.Conv2d(4, 6, 5, stride: 2, padding: 2), input2d),
            (() => Autocast.ConvTranspose2d(4, 2, 5, stride: 2, padding: 2, outputPadding: 1, bias: false),
                () => nn.ConvTranspose2d(4, 2, 5, stride: 2, padding: 2, output_padding: 1, bias: false), input2d),
        ];
        foreach (var (ours, theirs, input) in cases)
        {
            manual_seed(42);
            using var a = ours();
            manual_seed(42);
            using var b = theirs();
            var aState = a.state_dict();
            var bState = b.state_dict();
            aState.Keys.Should().Equal(bState.Keys);
            foreach (var key in aState.Keys)
            {
                aState[key].dtype.Should().Be(ScalarType.Float32);
                Same(aState[key], bState[key]).Should().BeTrue($"{key} is initialised as TorchSharp's");
            }

            Same(a.call(input), b.call(input)).Should().BeTrue("outside a scope the layer computes as TorchSharp's");
        }
    }

    [Fact]
    public void Linear_InsideAScope_ComputesInBFloat16_WithinItsRoundingBoundOfFloat64()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var layer = Autocast.Linear(256, 64);
        var x = randn(32, 256, generator: new Generator(4));
        var (w, b) = (layer.state_dict()["weight"], layer.state_dict()["bias"]);
        var exact = x.to(float64).matmul(w.to(float64).t()) + b.to(float64);
        // Each product's factors are rounded once (2 roundings), the output once: |error| ≤ ε·(Σ|x||w| + |b|) + ε·|y|.
        var bound = (BFloat16Epsilon * (x.abs().to(float64).matmul(w.abs().to(float64).t()) + b.abs().to(float64))) + (BFloat16Epsilon * exact.abs()) + 1e-6;

        Tensor mixed;
        using (Autocast.Enable())
        {
            Autocast.ComputeDType.Should().Be(ScalarType.BFloat16);
            mixed = layer.call(x);
        }

        Autocast.ComputeDType.Should().BeNull("the scope is over");
        mixed.dtype.Should().Be(ScalarType.Float32, "outputs come back in float32");
        var error = (mixed.to(float64) - exact).abs();
        (error <= bound).all().item<bool>().Should().BeTrue($"the largest error {error.max().item<double>():G3} is within bfloat16's bound");
        var float32Error = (layer.call(x).to(float64) - exact).abs().max().item<double>();
        error.max().item<double>().Should().BeGreaterThan(20 * float32Error, "the scope really computes in a lower precision than float32");
    }

    [Fact]
    public void Layers_InsideAScope_TakeAnInputAlreadyInBFloat16AndReturnBFloat16()
    {
        using var scope = NewDisposeScope();
        using var layer = Autocast.Conv2d(1, 2, 3, padding: 1);
        var input = randn(2, 1, 5, 5, generator: new Generator(8));
        using var autocast = Autocast.Enable();

        var fromBFloat16 = layer.call(input.to(bfloat16));

        fromBFloat16.dtype.Should().Be(ScalarType.BFloat16);
        Same(fromBFloat16, layer.call(input).to(bfloat16)).Should().BeTrue("both compute the same bfloat16 convolution");
        input.dtype.Should().Be(ScalarType.Float32, "the caller's tensor is left alone");
    }

    [Fact]
    public void Enable_Nested_RestoresTheOuterStateAndRefusesOtherDTypes()
    {
        using (Autocast.Enable(ScalarType.BFloat16))
        {
            using (Autocast.Enable(ScalarType.Float16))
            {
                Autocast.ComputeDType.Should().Be(ScalarType.Float16);
            }

            Autocast.ComputeDType.Should().Be(ScalarType.BFloat16);
        }

        Autocast.ComputeDType.Should().BeNull();
        var act = () => Autocast.Enable(ScalarType.Float64);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Autocast computes in BFloat16 or Float16.*");
    }

    [Fact]
    public void Disable_InsideAScope_ComputesAsTorchSharpsOwn_AndRestoresTheScope()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var layer = Autocast.Linear(64, 16);
        var x = randn(8, 64, generator: new Generator(8));
        var float32 = nn.functional.linear(x, layer.state_dict()["weight"], layer.state_dict()["bias"]);
        Tensor mixed, disabled, again;
        using (Autocast.Enable())
        {
            mixed = layer.call(x);
            using (Autocast.Disable())
            {
                Autocast.ComputeDType.Should().BeNull();
                disabled = layer.call(x);
            }

            Autocast.ComputeDType.Should().Be(ScalarType.BFloat16, "disposing Disable restores the enclosing scope");
            again = layer.call(x);
        }

        Same(disabled, float32).Should().BeTrue("inside Disable the layer computes in float32, bit for bit as TorchSharp's");
        Same(mixed, float32).Should().BeFalse("inside Enable it computes in bfloat16");
        Same(again, mixed).Should().BeTrue();
        Autocast.ComputeDType.Should().BeNull();
    }

    [Theory]
    [InlineData(UpdateSchedule.Alternating, true)]
    [InlineData(UpdateSchedule.Alternating, false)]
    [InlineData(UpdateSchedule.Simultaneous, true)]
    [InlineData(UpdateSchedule.Simultaneous, false)]
    public void TrainingStep_BFloat16Mixed_AutocastGenerator_DecidesTheGeneratorsComputeDType(UpdateSchedule schedule, bool autocastGenerator)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(9);
        var g = new ComputeDTypeProbe(GanModels.CreateGenerator(GanArchitecture.Mlp, generator: random));
        var d = GanModels.CreateDiscriminator(GanArchitecture.Mlp, generator: random);
        using var gModule = g.Module;
        using var dModule = d.Module;
        using var gOptimizer = optim.Adam(g.Module.parameters(), 1e-4);
        using var dOptimizer = optim.Adam(d.Module.parameters(), 1e-4);
        var step = new TrainingStep(g, d, GanMnist.Losses.GanLosses.NonSaturating, gOptimizer, dOptimizer, random, schedule: schedule,
            precision: Precision.BFloat16Mixed, autocastGenerator: autocastGenerator);

        step.Run(rand(8, 1, 28, 28, generator: random) * 2 - 1, null);

        g.Seen.Should().NotBeEmpty().And.OnlyContain(t => t == (autocastGenerator ? ScalarType.BFloat16 : null));
        g.Module.parameters().Should().OnlyContain(p => p.grad!.isfinite().all().item<bool>() && p.grad!.abs().sum().item<float>() > 0,
            "G's backward ran through the graph its forward made");
    }

    [Fact]
    public void DescribeMixedPrecision_NamesTheAutocastNetworks_AndTheirTorchSharpLayers()
    {
        var g = new ModuleGenerator(nn.Sequential(("fc", nn.Linear(100, 784)), ("image", nn.Unflatten(1, [1, 28, 28]))), latentSize: 100, imageShape: [1, 28, 28]);
        using var gModule = g.Module;
        var d = GanModels.CreateDiscriminator(GanArchitecture.Mlp);
        using var dModule = d.Module;

        var (networks, layers) = GanTrainer.DescribeMixedPrecision(new GanTrainerOptions(), g, d);
        (networks, layers).Should().BeEquivalentTo(("generator and discriminator", new[] { "generator.fc (Linear)" }));

        (networks, layers) = GanTrainer.DescribeMixedPrecision(new GanTrainerOptions { AutocastGenerator = false }, g, d);
        networks.Should().Be("discriminator; the generator in float32 (AutocastGenerator = false)");
        layers.Should().BeEmpty("a generator kept in float32 has no layer that misses bfloat16");
    }

    /// <summary>A generator that records the autocast dtype each call of Generate runs under.</summary>
    private sealed class ComputeDTypeProbe(IGenerator inner) : IGenerator
    {
        public List<ScalarType?> Seen { get; } = [];

        public int LatentSize => inner.LatentSize;

        public IReadOnlyList<long> ImageShape => inner.ImageShape;

        public int ClassCount => inner.ClassCount;

        public nn.Module Module => inner.Module;

        public Tensor Generate(Tensor noise, Tensor? labels = null)
        {
            Seen.Add(Autocast.ComputeDType);
            return inner.Generate(noise, labels);
        }
    }

    [Theory]
    [InlineData(GanArchitecture.Dcgan, 0.2)]
    [InlineData(GanArchitecture.InfoGan, 0.2)]
    [InlineData(GanArchitecture.ConditionalMlp, 0.2)]
    public void BFloat16Mixed_GradientsOfOneStep_MatchFloat64WithinTolerance_AndStayFloat32(GanArchitecture architecture, double tolerance)
    {
        // Relative error of each parameter's gradient, ‖g − g₆₄‖ / ‖g₆₄‖, below 0.2 (so its cosine with the exact gradient
        // is above 0.98): on the way to G's first layer about ten operands are rounded to bfloat16 (2⁻⁸ each), and the
        // gradient is a sum over the batch whose terms largely cancel, which scales their error up relative to the sum
        // (measured 0.05-0.17 for G, mostly below 0.05 for D; float32 stays near 1e-6).
        var exact = Gradients(architecture, ScalarType.Float64, autocast: false);
        var mixed = Gradients(architecture, ScalarType.Float32, autocast: true);
        var float32 = Gradients(architecture, ScalarType.Float32, autocast: false);

        mixed.Keys.Should().Equal(exact.Keys);
        mixed.Values.Should().OnlyContain(g => g.DType == ScalarType.Float32, "gradients reach the float32 master weights as float32");
        var mixedError = mixed.Keys.ToDictionary(k => k, k => RelativeError(mixed[k].Values, exact[k].Values));
        var float32Error = float32.Keys.Max(k => RelativeError(float32[k].Values, exact[k].Values));
        mixedError.Should().AllSatisfy(e => e.Value.Should().BeLessThan(tolerance, $"the gradient of {e.Key} is within bfloat16's tolerance"));
        mixedError.Values.Max().Should().BeGreaterThan(20 * float32Error, "the mixed step really computes in bfloat16");
    }

    private static Dictionary<string, (ScalarType DType, double[] Values)> Gradients(GanArchitecture architecture, ScalarType dtype, bool autocast)
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(architecture, generator: new Generator(3));
        var d = GanModels.CreateDiscriminator(architecture, generator: new Generator(4));
        using var gModule = g.Module;
        using var dModule = d.Module;
        g.Module.to(dtype).train();
        d.Module.to(dtype).eval(); // no dropout masks: the three runs see the same network
        var noise = randn(16, g.LatentSize, generator: new Generator(5)).to(dtype); // float32 values in every run
        var labels = g.ClassCount > 0 ? arange(16, dtype: int64) % g.ClassCount : null;
        using (autocast ? Autocast.Enable() : null)
        {
            var logits = d.Forward(g.Generate(noise, labels), labels);
            nn.functional.binary_cross_entropy_with_logits(logits, ones_like(logits)).backward();
        }

        return g.Module.named_parameters().Select(p => ("generator." + p.name, p.parameter))
            .Concat(d.Module.named_parameters().Select(p => ("discriminator." + p.name, p.parameter)))
            .ToDictionary(p => p.Item1, p => (p.parameter.grad!.dtype, p.parameter.grad!.to(float64).data<double>().ToArray()));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static double RelativeError(double[] actual, double[] expected)
    {
        var (difference, norm) = (0.0, 0.0);
        for (var i = 0; i < expected.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }

        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-30);
    }

    [Fact]
    public void Float32Layers_ListsTorchSharpsOwnLinearAndConvolutionLayersOnly()
    {
        using var module = nn.Sequential(("fc", nn.Linear(4, 4)), ("act", nn.ReLU()), ("mixed", Autocast.Linear(4, 4)), ("conv", nn.Conv2d(1, 1, 3)));

        Autocast.Float32Layers(module).Should().Equal("fc (Linear)", "conv (Conv2d)");
    }

    [Fact]
    public void BuiltInModels_AreMadeOfAutocastLayersOnly()
    {
        foreach (var architecture in Enum.GetValues<GanArchitecture>())
        {
            using var g = GanModels.CreateGenerator(architecture).Module;
            using var d = GanModels.CreateDiscriminator(architecture).Module;
            Autocast.Float32Layers(g).Should().BeEmpty($"every linear or convolution layer of the {architecture} generator follows autocast");
            Autocast.Float32Layers(d).Should().BeEmpty($"every linear or convolution layer of the {architecture} discriminator follows autocast");
        }
    }

    [Theory]
    [InlineData("fpu sse2 avx2 fma", "this CPU has no bfloat16 hardware (neither amx_bf16 nor avx512_bf16 in /proc/cpuinfo): bfloat16 is emulated and bf16-mixed will be slower than float32")]
    [InlineData("avx2 avx512f avx512_bf16 amx_tile amx_bf16", "this CPU computes bfloat16 matrix products with AMX (amx_bf16): bf16-mixed should be faster than float32")]
    [InlineData("avx2 avx512f avx512_bf16 avx512_fp16", "this CPU computes bfloat16 with AVX512-BF16 but has no AMX (no amx_bf16 in /proc/cpuinfo): bf16-mixed is faster than float32 on some such CPUs and slower on others (the step benchmark tells: docs/performance.md, \"Mixed precision\")")]
    public void DescribeCpu_SaysWhetherBFloat16IsNative(string flags, string expected) =>
        BFloat16Hardware.DescribeCpu(flags.Split(' ').ToHashSet()).Should().Be(expected);

    [Fact]
    public void Module_ToFloat64_ReplacesTheAutocastLayersParameters()
    {
        using var layer = Autocast.Linear(3, 2);
        layer.to(ScalarType.Float64);

        layer.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float64);
        using var x = ones(1, 3, dtype: float64);
        layer.call(x).dtype.Should().Be(ScalarType.Float64, "forward uses the replaced parameters");
    }

    [Theory]
    [InlineData(GanArchitecture.Mlp, "WassersteinGp")]
    [InlineData(GanArchitecture.InfoGan, "R1")]
    public void TrainingStep_BFloat16Mixed_GradientPenalties_DifferentiateTwiceThroughTheCasts(GanArchitecture architecture, string penalty)
    {
        var loss = penalty == "R1" ? GanMnist.Losses.Regularisers.WithR1Penalty(GanMnist.Losses.GanLosses.NonSaturating, 1.0) : GanMnist.Losses.GanLosses.WassersteinGp(10);
        using var rig = new Training.StepRig(architecture, 6, loss, precision: Precision.BFloat16Mixed);
        var (random, d) = (rig.Random, rig.D);
        using var scope = NewDisposeScope();

        var (dOut, gOut) = rig.Step.Run(rand(8, 1, 28, 28, generator: random) * 2 - 1, null);

        double.IsFinite(dOut.Loss.item<float>()).Should().BeTrue();
        double.IsFinite(gOut.Loss.item<float>()).Should().BeTrue();
        dOut.Loss.dtype.Should().Be(ScalarType.Float32, "losses stay float32");
        d.Module.parameters().Should().OnlyContain(p => p.grad!.dtype == ScalarType.Float32 && p.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void TrainingStep_BFloat16Mixed_KeepsParametersAndAdamStateFloat32()
    {
        using var rig = new Training.StepRig(GanArchitecture.InfoGan, 4, precision: Precision.BFloat16Mixed);
        var (random, g, d, step, gOptimizer, dOptimizer) = (rig.Random, rig.G, rig.D, rig.Step, rig.GOptimizer, rig.DOptimizer);
        var before = g.Module.parameters().Select(p => p.detach().clone()).ToArray();
        using (NewDisposeScope())
        {
            step.Run(rand(8, 1, 28, 28, generator: random) * 2 - 1, null);
        }

        Autocast.ComputeDType.Should().BeNull("the step's scope is over");
        foreach (var module in new[] { g.Module, d.Module })
        {
            module.parameters().Should().OnlyContain(p => p.dtype == ScalarType.Float32 && p.grad!.dtype == ScalarType.Float32);
            module.buffers().Where(b => b.is_floating_point()).Should().OnlyContain(b => b.dtype == ScalarType.Float32, "batch-norm statistics stay float32");
        }

        foreach (var state in gOptimizer.state_dict().State.Concat(dOptimizer.state_dict().State).Cast<Adam.State>())
        {
            state.exp_avg.dtype.Should().Be(ScalarType.Float32);
            state.exp_avg_sq.dtype.Should().Be(ScalarType.Float32);
        }

        g.Module.parameters().Zip(before).Should().Contain(p => !Same(p.First, p.Second), "the step updated the weights");
        foreach (var t in before)
        {
            t.Dispose();
        }
    }
}

