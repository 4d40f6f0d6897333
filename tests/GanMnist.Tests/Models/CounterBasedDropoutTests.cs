using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Runtime;

namespace GanMnist.Tests.Models;

/// <summary>The DCGAN discriminator's dropout against its definition: distribution, scaling, gradients, reproducibility.</summary>
[Collection(LiveTensorCollection.Name)] // draws from libtorch's default generator and sets the thread count
public sealed class CounterBasedDropoutTests
{
    private const double P = 0.3;

    [Fact]
    public void Forward_KeepsEachElementWithProbabilityOneMinusP_AndScalesTheKeptOnesExactly()
    {
        using var scope = NewDisposeScope();
        using var dropout = new CounterBasedDropout(P);
        manual_seed(1);
        var x = rand([1_000_003]) + 1; // no zeros, odd length (the scalar tail runs too)
        var uses = CounterBasedDropout.Uses;

        var y = dropout.call(x);

        (CounterBasedDropout.Uses - uses).Should().Be(1, "float32 CPU input takes the counter-based path");
        var kept = y.ne(0);
        var n = x.numel();
        var keptCount = kept.sum().ToInt64();
        var sigma = Math.Sqrt(n * P * (1 - P));
        Math.Abs(keptCount - (n * (1 - P))).Should().BeLessThan(5 * sigma, "Binomial(n, 0.7)");
        (y.masked_select(kept) - (x.masked_select(kept) / (1 - P))).abs().max().ToDouble().Should().BeLessThan(1e-6);
        foreach (var block in Enumerable.Range(0, 10))
        {
            var share = kept.narrow(0, block * 100_000, 100_000).to(ScalarType.Float64).mean().ToDouble();
            share.Should().BeApproximately(1 - P, 5 * Math.Sqrt(P * (1 - P) / 100_000), $"block {block}");
        }
    }

    [Fact]
    public void Forward_NeighbouringKeepBits_AreUncorrelated()
    {
        using var scope = NewDisposeScope();
        var keep = tensor(CounterBasedDropout.Mask(1_000_000, P, 0x1234_5678_9ABC_DEF0UL)).to(ScalarType.Float64);
        var centred = keep - keep.mean();

        foreach (var lag in new[] { 1, 2, 8, 64 })
        {
            var correlation = (centred.narrow(0, 0, 1_000_000 - lag) * centred.narrow(0, lag, 1_000_000 - lag)).mean().ToDouble() / centred.square().mean().ToDouble();
            Math.Abs(correlation).Should().BeLessThan(5 / Math.Sqrt(1_000_000), $"lag {lag}");
        }
    }

    [Fact]
    public void Forward_VectorisedPath_MatchesTheScalarDefinition()
    {
        using var scope = NewDisposeScope();
        using var dropout = new CounterBasedDropout(P);
        var x = ones([4099]);
        var state = get_rng_state();
        var draws = randint(0, 1L << 32, [2], ScalarType.Int64).ToArray<long>();
        set_rng_state(state);

        var y = dropout.call(x);

        var expected = CounterBasedDropout.Mask(4099, P, ((ulong)draws[0] << 32) | (ulong)draws[1]);
        y.ne(0).to(ScalarType.Byte).ToArray<byte>().Should().Equal(expected, "the seed is the next two draws of the default generator");
    }

    [Fact]
    public void Forward_SameSeed_SameMaskWhateverTheThreadCount_OtherSeed_OtherMask()
    {
        using var scope = NewDisposeScope();
        using var dropout = new CounterBasedDropout(P);
        var x = ones([256, 64, 14, 14]);
        var threads = get_num_threads();
        try
        {
            set_num_threads(1);
            manual_seed(7);
            var one = dropout.call(x);
            set_num_threads(2);
            manual_seed(7);
            var two = dropout.call(x);
            manual_seed(8);
            var other = dropout.call(x);

            one.Equals(two).Should().BeTrue();
            one.Equals(other).Should().BeFalse();
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Backward_IsTheMaskTimesTheScale_AndDifferentiableAgain()
    {
        using var scope = NewDisposeScope();
        using var dropout = new CounterBasedDropout(P);
        manual_seed(3);
        var x = (rand([5000], ScalarType.Float32) + 0.5).requires_grad_();

        var y = dropout.call(x);
        var gradient = autograd.grad([(y * y).sum()], [x], retain_graph: true, create_graph: true)[0];

        var multiplier = (y / x).detach(); // 1/(1−p) where kept, 0 where dropped
        (gradient - (2 * y * multiplier)).abs().max().ToDouble().Should().BeLessThan(1e-4, "d(Σy²)/dx = 2y · mask/(1−p)");
        var second = autograd.grad([gradient.sum()], [x])[0];
        (second - (2 * multiplier * multiplier)).abs().max().ToDouble().Should().BeLessThan(1e-4, "d²(Σy²)/dx² = 2 (mask/(1−p))²");
    }

    [Fact]
    public void Forward_EvalModeZeroPOrOtherDtype_BehavesAsLibtorchDropout()
    {
        using var scope = NewDisposeScope();
        var x = rand([1000]) + 1;
        using var dropout = new CounterBasedDropout(P);
        dropout.eval();
        dropout.call(x).Equals(x).Should().BeTrue("evaluation mode is the identity");
        using var none = new CounterBasedDropout(0);
        none.call(x).Equals(x).Should().BeTrue();
        using var all = new CounterBasedDropout(1);
        all.call(x).abs().sum().ToDouble().Should().Be(0);
        var uses = CounterBasedDropout.Uses;
        dropout.train();
        var y = dropout.call(x.to(ScalarType.Float64));
        y.dtype.Should().Be(ScalarType.Float64);
        (CounterBasedDropout.Uses - uses).Should().Be(0, "float64 goes to libtorch's dropout");
        var act = () => new CounterBasedDropout(1.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The drop probability must be in [0, 1].*");
    }
}
