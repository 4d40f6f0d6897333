using static GanMnist.Torch.torch.nn;

namespace GanMnist.Torch.Tests;

public sealed class ModuleTests
{
    private static long Count(Module m) => m.parameters().Sum(p => p.numel());

    // The seed DCGAN of the TensorFlow tutorial, built from the binding's layers.
    private static Sequential DcganGenerator() => Sequential(
        Linear(100, 7 * 7 * 256, hasBias: false), BatchNorm1d(7 * 7 * 256), LeakyReLU(0.3), Unflatten(1, [256, 7, 7]),
        ConvTranspose2d(256, 128, 5, stride: 1, padding: 2, bias: false), BatchNorm2d(128), LeakyReLU(0.3),
        ConvTranspose2d(128, 64, 5, stride: 2, padding: 2, output_padding: 1, bias: false), BatchNorm2d(64), LeakyReLU(0.3),
        ConvTranspose2d(64, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false), Tanh());

    private static Sequential DcganDiscriminator() => Sequential(
        Conv2d(1, 64, 5, stride: 2, padding: 2), LeakyReLU(0.3), Dropout(0.3),
        Conv2d(64, 128, 5, stride: 2, padding: 2), LeakyReLU(0.3), Dropout(0.3),
        Flatten(), Linear(7 * 7 * 128, 1));

    [Fact]
    public void ParameterCounts_SmallLayers_MatchFormulas()
    {
        using var linear = Linear(3, 4);
        using var noBias = Linear(3, 4, hasBias: false);
        using var conv = Conv2d(2, 5, 3);
        using var deconv = ConvTranspose2d(5, 2, 3, bias: false);
        using var bn = BatchNorm2d(7);
        using var emb = Embedding(10, 4);

        Count(linear).Should().Be((3 * 4) + 4);
        Count(noBias).Should().Be(3 * 4);
        Count(conv).Should().Be((5 * 2 * 3 * 3) + 5);
        deconv.weight.shape.Should().Equal(5, 2, 3, 3);
        Count(deconv).Should().Be(5 * 2 * 3 * 3);
        Count(bn).Should().Be(14);
        bn.named_buffers().Select(b => b.name).Should().Equal("running_mean", "running_var", "num_batches_tracked");
        Count(emb).Should().Be(40);
    }

    [Fact]
    public void DcganSeedArchitecture_HasTheTutorialsParameterCountsAndShapes()
    {
        using var scope = NewDisposeScope();
        using var g = DcganGenerator();
        using var d = DcganDiscriminator();

        Count(g).Should().Be(2_305_472);
        // Keras counts the moving mean and variance as (non-trainable) parameters: 2,330,944 in all.
        (Count(g) + g.named_buffers().Where(b => !b.name.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Sum(b => b.buffer.numel()))
            .Should().Be(2_330_944);
        Count(d).Should().Be(212_865);

        g.eval();
        var images = g.call(randn([2, 100]));
        images.shape.Should().Equal(2, 1, 28, 28);
        d.call(images).shape.Should().Equal(2, 1);
    }

    [Fact]
    public void NamedParameters_NestedSequential_UsePyTorchDottedNames()
    {
        using var model = Sequential(("body", Sequential(Linear(2, 3), ReLU())), ("head", Linear(3, 1)));

        model.named_parameters().Select(p => p.name).Should().Equal("body.0.weight", "body.0.bias", "head.weight", "head.bias");
    }

    [Fact]
    public void StateDict_LoadedIntoFreshModule_ReproducesOutputsExactly()
    {
        using var scope = NewDisposeScope();
        using var a = Sequential(Linear(4, 8), BatchNorm1d(8), Tanh(), Linear(8, 2));
        a.call(randn([16, 4])); // moves the running statistics away from their initial values
        using var b = Sequential(Linear(4, 8), BatchNorm1d(8), Tanh(), Linear(8, 2));
        a.eval();
        b.eval();
        var x = randn([5, 4]);

        var state = a.state_dict();
        state.Keys.Should().Equal("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked");
        b.load_state_dict(state);

        equal(a.call(x), b.call(x)).Should().BeTrue();
        state["1.num_batches_tracked"].item<long>().Should().Be(1);
    }

    [Fact]
    public void LoadStateDict_ShapeMismatchAndMissingKey_ThrowListingEachAndChangeNothing()
    {
        using var scope = NewDisposeScope();
        using var model = Linear(3, 2);
        var before = model.weight.ToArray<float>();
        var state = new Dictionary<string, Tensor> { ["weight"] = zeros([2, 4]), ["extra"] = zeros([1]) };

        var act = () => model.load_state_dict(state);

        act.Should().Throw<ArgumentException>()
            .WithMessage("*'weight': the module has shape [2, 3] but the state has [2, 4]*")
            .WithMessage("*'bias': missing from the state*")
            .WithMessage("*'extra': not a parameter or buffer of the module*");
        model.weight.ToArray<float>().Should().Equal(before);
    }

    [Fact]
    public void LoadStateDict_NotStrict_ReportsMissingAndUnexpected()
    {
        using var scope = NewDisposeScope();
        using var model = Linear(3, 2);

        var (missing, unexpected) = model.load_state_dict(new Dictionary<string, Tensor> { ["weight"] = ones([2, 3]), ["x"] = ones([1]) }, strict: false);

        missing.Should().Equal("bias");
        unexpected.Should().Equal("x");
        model.weight.ToArray<float>().Should().OnlyContain(v => v == 1);
    }

    [Fact]
    public void TrainAndEval_PropagateToEverySubmodule()
    {
        using var model = Sequential(Linear(2, 2), Sequential(Dropout(0.5), BatchNorm1d(2)));

        model.eval();
        model.modules().Should().OnlyContain(m => !m.training);
        model.train();
        model.modules().Should().OnlyContain(m => m.training);
    }

    [Fact]
    public void DefaultInit_LinearWeightsAndBiases_WithinPyTorchBounds()
    {
        using var layer = Linear(400, 300);
        var bound = 1 / Math.Sqrt(400);

        var w = layer.weight.ToArray<float>();
        w.Should().OnlyContain(v => Math.Abs(v) <= bound);
        // U(-b, b) has standard deviation b/√3.
        StandardDeviation(w).Should().BeApproximately(bound / Math.Sqrt(3), 0.002);
        layer.bias!.ToArray<float>().Should().OnlyContain(v => Math.Abs(v) <= bound);
    }

    [Fact]
    public void DcganInit_SetsConvWeightsAndBatchNormScales_ToNormalWithStd002()
    {
        using var g = DcganGenerator();

        init.dcgan_(g);

        var conv = ((ConvTranspose2d)g[4]).weight.ToArray<float>();
        conv.Average().Should().BeApproximately(0f, 0.001f);
        StandardDeviation(conv).Should().BeApproximately(0.02, 0.001);
        var bn = ((BatchNorm2d)g[5]).weight!.ToArray<float>();
        bn.Average().Should().BeApproximately(1f, 0.01f);
        ((BatchNorm2d)g[5]).bias!.ToArray<float>().Should().OnlyContain(v => v == 0);
    }

    [Fact]
    public void XavierUniform_HasGlorotBound()
    {
        using var t = empty([200, 300]);

        init.xavier_uniform_(t);

        t.ToArray<float>().Should().OnlyContain(v => Math.Abs(v) <= Math.Sqrt(6.0 / 500));
    }

    [Fact]
    public void Sequential_ForwardRange_ReturnsIntermediateFeatures()
    {
        using var scope = NewDisposeScope();
        using var d = DcganDiscriminator();

        d.Forward(randn([3, 1, 28, 28]), 0, 7).shape.Should().Equal(3, 6272);
    }

    [Fact]
    public void BatchNorm_WrongInputRank_ThrowsNamingExpectedRank()
    {
        using var scope = NewDisposeScope();
        using var bn = BatchNorm2d(3);

        var act = () => bn.call(randn([4, 3]));

        act.Should().Throw<ArgumentException>().WithMessage("BatchNorm2d expects 4-D input, got 2-D*");
    }

    private static double StandardDeviation(float[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}
