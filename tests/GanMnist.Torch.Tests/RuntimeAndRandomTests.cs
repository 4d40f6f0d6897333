namespace GanMnist.Torch.Tests;

public sealed class RuntimeAndRandomTests
{
    [Fact]
    public void Version_IsTheCompiledLibtorchVersion()
    {
        __version__.Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }

    [Fact]
    public void Device_ParseAndAuto_FollowTheLoadedLibtorch()
    {
        device("cpu").Should().Be(CPU);
        device("CUDA:1").Should().Be(new Device(DeviceType.CUDA, 1));
        device("cuda").ToString().Should().Be("cuda:0");
        device("auto").Should().Be(cuda.is_available() ? CUDA : CPU);
        cuda.device_count().Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    [Trait("Category", "Threads")]
    public void NumThreads_SetAndGet_RoundTrips()
    {
        var before = get_num_threads();
        try
        {
            set_num_threads(1);
            get_num_threads().Should().Be(1);
        }
        finally
        {
            set_num_threads(before);
        }

        var act = () => set_num_threads(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Generator_SameSeed_SameDraws_AndStateRestoresTheSequence()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(42);
        using var h = new Generator(42);

        equal(randn([5], generator: g), randn([5], generator: h)).Should().BeTrue();
        var state = g.get_state();
        var first = rand([4], generator: g);
        g.set_state(state);
        equal(rand([4], generator: g), first).Should().BeTrue();
        g.initial_seed().Should().Be(42UL);
    }

    [Fact]
    public void Generator_BadState_ThrowsTorchException()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);

        var act = () => g.set_state(zeros([3], uint8));

        act.Should().Throw<TorchException>();
        rand([1], generator: g).numel().Should().Be(1);
    }

    [Fact]
    public void Randperm_IsAPermutation_AndRandintStaysInRange()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);

        randperm(100, generator: g).ToArray<long>().Order().Should().Equal(Enumerable.Range(0, 100).Select(i => (long)i));
        randint(3, 9, [1000], generator: g).ToArray<long>().Should().OnlyContain(v => v >= 3 && v < 9);
        var n = normal(5, 2, [20_000], float64, generator: g).ToArray<double>();
        n.Average().Should().BeApproximately(5, 0.05);
    }
}

[Collection(LiveTensorCollection.Name)]
public sealed class GlobalRandomStateTests
{
    [Fact]
    public void ManualSeedAndRngState_ReproduceTheDefaultGeneratorsDraws()
    {
        using var scope = NewDisposeScope();
        manual_seed(123);
        var a = randn([6]);
        manual_seed(123);
        equal(randn([6]), a).Should().BeTrue();

        var state = get_rng_state();
        var next = rand([3]);
        set_rng_state(state);
        equal(rand([3]), next).Should().BeTrue();
    }
}

public sealed class GpuTests
{
    [CudaFact]
    [Trait("Category", "Gpu")]
    public void Cuda_TensorRoundTripAndBackward_MatchCpu()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 });
        var onGpu = x.to(CUDA).requires_grad_();
        var y = (onGpu * onGpu).sum();
        y.backward();

        onGpu.device.Should().Be(CUDA);
        onGpu.grad!.cpu().ToArray<float>().Should().Equal(2, 4, 6);
    }

    [CudaFact]
    [Trait("Category", "Gpu")]
    public void Module_ToCuda_MovesParametersAndKeepsThemTrainable()
    {
        using var scope = NewDisposeScope();
        using var layer = nn.Linear(3, 2);
        var w = layer.weight;

        layer.to(CUDA);

        w.device.Should().Be(CUDA);
        w.requires_grad.Should().BeTrue();
        layer.call(ones([4, 3], device: CUDA)).device.Should().Be(CUDA);
    }
}
