using GanMnist.Torch.PInvoke;
using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Tests;

/// <summary>Tests that switch process-wide settings (fast paths, thread count, allocator cache) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessSettingsCollection
{
    public const string Name = "Process-wide settings";
}

/// <summary>
/// The binding's CPU fast paths (native/src/kernels.cpp) against libtorch's own kernels in float64, hand values
/// and closed forms; each test also checks, through the use counters, that the fast path really ran (or did not).
/// </summary>
[Collection(ProcessSettingsCollection.Name)]
public sealed class FastPathTests
{
    private static Tensor Random(ulong seed, params long[] shape)
    {
        using var g = new Generator(seed);
        return randn(shape, generator: g);
    }

    // (in channels, out channels, kernel, stride, padding, output padding, dilation, groups, bias)
    public static TheoryData<int, int, int, int, int, int, int, int, bool> TransposedConfigurations => new()
    {
        { 3, 2, 5, 1, 2, 0, 1, 1, false }, // the seed DCGAN's first transposed layer, scaled down
        { 4, 3, 5, 2, 2, 1, 1, 1, true },  // its stride-2 layers, with a bias
        { 4, 6, 3, 2, 1, 0, 1, 2, true },  // two groups
        { 2, 3, 3, 3, 0, 2, 2, 1, false }, // dilation 2, stride 3, output padding 2
        { 2, 2, 4, 2, 1, 0, 1, 1, false }, // an even kernel
    };

    [Theory]
    [MemberData(nameof(TransposedConfigurations))]
    public void ConvTranspose2d_FastPath_MatchesLibtorchInFloat64(int cin, int cout, int k, int stride, int padding, int outputPadding, int dilation, int groups, bool bias)
    {
        using var scope = NewDisposeScope();
        var x = Random(1, 3, cin, 5, 6);
        var w = Random(2, cin, cout / groups, k, k) * 0.3;
        var b = bias ? Random(3, cout) : null;
        var r = Random(4, TransposedOutput(x, cout, k, stride, padding, outputPadding, dilation));

        var before = backends.fast_paths.conv_transpose2d_uses;
        var fast = TransposedWithGradients(x, w, b, r, stride, padding, outputPadding, dilation, groups);
        backends.fast_paths.conv_transpose2d_uses.Should().Be(before + 1, "a float32 CPU transposed convolution takes the oneDNN route");
        var reference = TransposedWithGradients(x.to(float64), w.to(float64), b?.to(float64), r.to(float64), stride, padding, outputPadding, dilation, groups);
        backends.fast_paths.conv_transpose2d_uses.Should().Be(before + 1, "float64 stays on libtorch's kernel");

        for (var i = 0; i < fast.Length; i++)
        {
            Close(fast[i], reference[i], 1e-4);
        }
    }

    [Fact]
    public void ConvTranspose2d_FastPath_GivesHandComputedValues()
    {
        using var scope = NewDisposeScope();
        // One input pixel and stride 2: each input value stamps the kernel into its own 2x2 block.
        var x = tensor(new float[] { 2, -1 }, [1, 1, 1, 2]);
        var w = tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        Check.Values(F.conv_transpose2d(x, w, stride: 2), [2, 4, -1, -2, 6, 8, -3, -4]);
        // Stride 1: overlapping stamps add up ([1, 2] with kernel [1, 10] -> [1, 10 + 2, 20]), plus the bias.
        var y = F.conv_transpose2d(tensor(new float[] { 1, 2 }, [1, 1, 1, 2]), tensor(new float[] { 1, 10 }, [1, 1, 1, 2]), tensor(new float[] { 0.5f }));
        Check.Values(y, [1.5, 12.5, 20.5]);
    }

    [Fact]
    public void ConvTranspose2d_FastPath_SecondDerivativeMatchesLibtorchInFloat64()
    {
        using var scope = NewDisposeScope();
        var x = Random(5, 2, 3, 4, 4);
        var w = Random(6, 3, 2, 5, 5) * 0.2;
        var fast = PenaltyGradient(x, w);
        var reference = PenaltyGradient(x.to(float64), w.to(float64));
        Close(fast, reference, 1e-4);
    }

    [Fact]
    public void ConvTranspose2d_WhereTheFastPathDoesNotApply_UsesLibtorch()
    {
        using var scope = NewDisposeScope();
        var x = Random(7, 1, 2, 4, 4);
        var w = Random(8, 2, 2, 3, 3);
        var before = backends.fast_paths.conv_transpose2d_uses;

        // Output padding 1 with stride 1 is legal with dilation 2, but a convolution would not give the input's size back.
        var y = F.conv_transpose2d(x, w, stride: 1, output_padding: 1, dilation: 2);
        backends.fast_paths.conv_transpose2d_uses.Should().Be(before);
        Close(y, F.conv_transpose2d(x.to(float64), w.to(float64), stride: 1, output_padding: 1, dilation: 2), 1e-5);

        backends.fast_paths.conv_transpose2d = false;
        try
        {
            var stock = F.conv_transpose2d(x, w, stride: 2, padding: 1);
            backends.fast_paths.conv_transpose2d_uses.Should().Be(before, "the fast path is switched off");
            Close(stock, F.conv_transpose2d(x.to(float64), w.to(float64), stride: 2, padding: 1), 1e-5);
        }
        finally
        {
            backends.fast_paths.conv_transpose2d = true;
        }

        backends.fast_paths.conv_transpose2d.Should().BeTrue();
    }

    [Fact]
    public void ConvTranspose2d_ChannelMismatch_ThrowsLibtorchStyleMessage()
    {
        using var scope = NewDisposeScope();
        var act = () => F.conv_transpose2d(ones([1, 3, 4, 4]), ones([2, 1, 3, 3]));
        act.Should().Throw<TorchException>().WithMessage("*3 channels*expects 2*");
    }

    [Fact]
    public void Dropout_KeepsOneMinusPOfElements_ScaledByOneOverOneMinusP()
    {
        using var scope = NewDisposeScope();
        const int n = 1 << 20;
        var before = backends.fast_paths.dropout_uses;
        var y = F.dropout(ones([n]), 0.3, training: true).ToArray<float>();
        backends.fast_paths.dropout_uses.Should().Be(before + 1);

        var scale = 1f / 0.7f;
        y.Should().OnlyContain(v => v == 0f || v == scale, "kept values are x / (1 - p), in float32 as PyTorch computes it");
        var kept = y.Count(v => v != 0f);
        var sigma = Math.Sqrt(n * 0.3 * 0.7);
        ((double)kept).Should().BeApproximately(0.7 * n, 5 * sigma, "the kept count is Binomial(n, 0.7)");
        // Every 16,384-element block (one thread's share) keeps about 70% too.
        for (var c = 0; c < n / 16384; c++)
        {
            ((double)y.Skip(c * 16384).Take(16384).Count(v => v != 0f)).Should().BeApproximately(0.7 * 16384, 5 * Math.Sqrt(16384 * 0.21), $"block {c}");
        }

        // Elements 2j and 2j + 1 take the two halves of one 64-bit hash: they must still be independent.
        var pairs = n / 2;
        var bothKept = Enumerable.Range(0, pairs).Count(j => y[2 * j] != 0f && y[(2 * j) + 1] != 0f);
        ((double)bothKept).Should().BeApproximately(0.49 * pairs, 5 * Math.Sqrt(pairs * 0.49 * 0.51), "P(both kept) = 0.7 * 0.7");
        // And neighbouring pairs (consecutive counters) too.
        var nextKept = Enumerable.Range(0, pairs - 1).Count(j => y[2 * j] != 0f && y[2 * (j + 1)] != 0f);
        ((double)nextKept).Should().BeApproximately(0.49 * (pairs - 1), 5 * Math.Sqrt(pairs * 0.49 * 0.51));
    }

    [Fact]
    public void Dropout_Backward_IsTheMaskTimesTheScale()
    {
        using var scope = NewDisposeScope();
        var x = Random(9, 64, 50).requires_grad_();
        var r = Random(10, 64, 50);
        var y = F.dropout(x, 0.4, training: true);
        (y * r).sum().backward();

        var kept = y.ne(0).to(float32);
        var expected = r * kept * (1f / 0.6f);
        x.grad!.ToArray<float>().Should().Equal(expected.ToArray<float>());
        kept.mean().item<float>().Should().BeInRange(0.5f, 0.7f);
    }

    [Fact]
    public void Dropout_OddLength_DecidesTheLastElementToo()
    {
        using var scope = NewDisposeScope();
        const int n = 100_001;
        var x = (Random(14, n).abs() + 1).requires_grad_();
        var y = F.dropout(x, 0.5, training: true);
        y.sum().backward();
        var values = y.ToArray<float>();
        var inputs = x.ToArray<float>();
        var grads = x.grad!.ToArray<float>();
        for (var i = 0; i < n; i++)
        {
            (values[i] == 0f ? grads[i] == 0f : values[i] == inputs[i] * 2f && grads[i] == 2f).Should().BeTrue($"element {i}: kept values are 2x, with gradient 2");
        }

        ((double)values.Count(v => v != 0f)).Should().BeApproximately(0.5 * n, 5 * Math.Sqrt(n * 0.25));
        var lastKept = Enumerable.Range(0, 20).Select(_ => F.dropout(x, 0.5, training: true).ToArray<float>()[n - 1] != 0f).Distinct().Count();
        lastKept.Should().Be(2, "the last element is sometimes kept and sometimes dropped");
    }

    [Fact]
    public void Dropout_SecondDerivative_IsTwiceTheMaskTimesTheScaleSquared()
    {
        using var scope = NewDisposeScope();
        var x = (Random(11, 1000).abs() + 0.5).requires_grad_();
        var y = F.dropout(x, 0.5, training: true);
        var g = autograd.grad([y.square().sum()], [x], create_graph: true)[0]!;
        g.sum().backward();
        // d/dx Σ (m s x)^2 = 2 m s^2 x, and its sum's gradient is 2 m s^2 (s = 2, m in {0, 1}).
        var kept = y.ne(0).to(float32);
        x.grad!.ToArray<float>().Should().Equal((kept * 8f).ToArray<float>());
    }

    [Fact]
    public void Dropout_SameSeed_GivesTheSameMaskWhateverTheThreadCount()
    {
        using var scope = NewDisposeScope();
        var threads = get_num_threads();
        var x = ones([100_000]);
        try
        {
            set_num_threads(2);
            manual_seed(5);
            var first = F.dropout(x, 0.3, training: true);
            set_num_threads(1);
            manual_seed(5);
            var again = F.dropout(x, 0.3, training: true);
            manual_seed(6);
            var other = F.dropout(x, 0.3, training: true);

            equal(first, again).Should().BeTrue("the stream depends on the seed only, not on how chunks are shared out");
            equal(first, other).Should().BeFalse();
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Dropout_IdentityAndZeroCases_UseLibtorchAndKeepItsMeaning()
    {
        using var scope = NewDisposeScope();
        var x = Random(12, 10);
        var before = backends.fast_paths.dropout_uses;
        equal(F.dropout(x, 0.0, training: true), x).Should().BeTrue();
        equal(F.dropout(x, 0.5, training: false), x).Should().BeTrue();
        F.dropout(x, 1.0, training: true).abs().sum().item<float>().Should().Be(0);
        backends.fast_paths.dropout_uses.Should().Be(before);
    }

    [Fact]
    public void Adam_FusedStepInFloat32_MatchesTheClosedForm()
    {
        using var scope = NewDisposeScope();
        var w = new nn.Parameter(tensor(new float[] { 1f, -2f, 0.5f }));
        using var adam = optim.Adam([w], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
        double[] c = [0.5, -3.0, 2.0];
        var p = new double[] { 1.0, -2.0, 0.5 };
        var m = new double[3];
        var v = new double[3];
        var before = backends.fast_paths.adam_uses;
        for (var t = 1; t <= 3; t++)
        {
            adam.zero_grad();
            (w * tensor(new float[] { 0.5f, -3f, 2f })).sum().backward();
            adam.step();
            for (var i = 0; i < 3; i++)
            {
                var g = c[i] + (0.01 * p[i]);
                m[i] = (0.9 * m[i]) + (0.1 * g);
                v[i] = (0.999 * v[i]) + (0.001 * g * g);
                p[i] -= 0.1 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }

            Check.Values(w, p, 1e-6);
        }

        backends.fast_paths.adam_uses.Should().Be(before + 3);
        w.Dispose();
    }

    [Fact]
    public void Adam_FusedStep_GivesWhatTheTensorOperationsGive()
    {
        using var scope = NewDisposeScope();
        const int n = 100_003; // several parallel chunks and a ragged end
        var fused = new nn.Parameter(Random(13, n));
        var stock = new nn.Parameter(Random(13, n));
        using var fusedAdam = optim.Adam([fused], lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-7, weight_decay: 0.1);
        using var stockAdam = optim.Adam([stock], lr: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-7, weight_decay: 0.1);
        var before = backends.fast_paths.adam_uses;
        for (var t = 0; t < 3; t++)
        {
            var target = Random(20 + (ulong)t, n);
            fusedAdam.zero_grad();
            stockAdam.zero_grad();
            (fused * target).square().sum().backward();
            (stock * target).square().sum().backward();
            fusedAdam.step();
            backends.fast_paths.adam = false;
            try
            {
                stockAdam.step();
            }
            finally
            {
                backends.fast_paths.adam = true;
            }
        }

        // The same float32 formulas; libtorch's vector kernels fuse some multiply-adds, so the last bit may differ.
        Close(fused, stock, 1e-6);
        using var fusedState = fusedAdam.state_dict();
        using var stockState = stockAdam.state_dict();
        Close(fusedState.Parameters[0].ExpAvg, stockState.Parameters[0].ExpAvg, 1e-6);
        Close(fusedState.Parameters[0].ExpAvgSq, stockState.Parameters[0].ExpAvgSq, 1e-6);
        backends.fast_paths.adam_uses.Should().Be(before + 3, "only the first optimizer's steps were fused");
        fused.Dispose();
        stock.Dispose();
    }

    [Fact]
    public void CachingAllocator_ReusesAFreedBlockOfTheSameSize_AndEmptyCacheGivesItBack()
    {
        using var scope = NewDisposeScope();
        backends.memory_tuned.Should().Be(NativeRuntimeDefaults.Enabled);
        if (!backends.memory_tuned)
        {
            return; // GANMNIST_NATIVE_TUNING=0 in this environment: nothing to check
        }

        cpu.empty_cache();
        const long size = 3_000_000; // 12 MB of float32
        var allocated = cpu.memory_allocated();
        for (var i = 0; i < 3; i++)
        {
            using var t = full([size], 7f);
            cpu.memory_allocated().Should().BeGreaterThanOrEqualTo(allocated + (size * 4));
        }

        var cached = cpu.memory_cached();
        cached.Should().BeGreaterThanOrEqualTo(size * 4, "a size asked for more than once is kept when freed");
        using (var reused = zeros([size]))
        {
            cpu.memory_cached().Should().Be(cached - (size * 4) - ((4096 - (size * 4 % 4096)) % 4096), "the freed block was handed out again");
            reused.abs().sum().item<float>().Should().Be(0, "zeros() fills a reused block");
        }

        cpu.empty_cache().Should().BeGreaterThanOrEqualTo(size * 4);
        cpu.memory_cached().Should().Be(0);
    }

    [Fact]
    public void CachingAllocator_OneOffSize_IsNotKept()
    {
        using var scope = NewDisposeScope();
        if (!backends.memory_tuned)
        {
            return;
        }

        cpu.empty_cache();
        using (var once = ones([2_345_679]))
        {
            once.sum().item<float>().Should().Be(2_345_679);
        }

        cpu.memory_cached().Should().Be(0, "a size asked for once (a load-time temporary) is unmapped when freed");
    }

    [Fact]
    public void NativeTuning_OptOutVariable_IsHonoured()
    {
        var saved = Environment.GetEnvironmentVariable(NativeRuntimeDefaults.OptOutVariable);
        try
        {
            foreach (var (value, enabled) in new[] { ("0", false), ("false", false), (" OFF ", false), ("1", true), ("", true) })
            {
                Environment.SetEnvironmentVariable(NativeRuntimeDefaults.OptOutVariable, value);
                NativeRuntimeDefaults.Enabled.Should().Be(enabled, $"{NativeRuntimeDefaults.OptOutVariable}='{value}'");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeRuntimeDefaults.OptOutVariable, saved);
        }
    }

    private static long[] TransposedOutput(Tensor x, int cout, int k, int stride, int padding, int outputPadding, int dilation) =>
        [x.size(0), cout, Size(x.size(2), k, stride, padding, outputPadding, dilation), Size(x.size(3), k, stride, padding, outputPadding, dilation)];

    private static long Size(long input, int k, int stride, int padding, int outputPadding, int dilation) =>
        ((input - 1) * stride) - (2 * padding) + (dilation * (k - 1)) + outputPadding + 1;

    // The output, and the gradients of Σ y·r with respect to x, w (and b).
    private static Tensor[] TransposedWithGradients(Tensor x, Tensor w, Tensor? b, Tensor r, int stride, int padding, int outputPadding, int dilation, int groups)
    {
        x = x.detach().requires_grad_();
        w = w.detach().requires_grad_();
        b = b?.detach().requires_grad_();
        var y = F.conv_transpose2d(x, w, b, stride, padding, outputPadding, groups, dilation);
        (y * r).sum().backward();
        return b is null ? [y, x.grad!, w.grad!] : [y, x.grad!, w.grad!, b.grad!];
    }

    // d/dw of ‖∂(Σ y²)/∂x‖²: a double backward through the transposed convolution.
    private static Tensor PenaltyGradient(Tensor x, Tensor w)
    {
        x = x.detach().requires_grad_();
        w = w.detach().requires_grad_();
        var y = F.conv_transpose2d(x, w, stride: 2, padding: 2, output_padding: 1);
        var gx = autograd.grad([y.square().sum()], [x], create_graph: true)[0]!;
        return autograd.grad([gx.square().sum()], [w])[0]!;
    }

    private static void Close(Tensor actual, Tensor expected, double tolerance)
    {
        actual.shape.Should().Equal(expected.shape);
        var a = actual.to(float64).ToArray<double>();
        var e = expected.to(float64).ToArray<double>();
        var scale = e.Max(Math.Abs) + 1e-12;
        for (var i = 0; i < a.Length; i++)
        {
            Math.Abs(a[i] - e[i]).Should().BeLessThanOrEqualTo(tolerance * scale, $"element {i} ({a[i]} vs {e[i]})");
        }
    }
}
