using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Tests;

public sealed class NNFunctionalTests
{
    [Fact]
    public void Conv2d_ThreeByThreeOnesKernelPaddingOne_SumsEachNeighbourhood()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Enumerable.Range(1, 9).Select(i => (float)i).ToArray(), 1, 1, 3, 3);
        var w = ones([1, 1, 3, 3]);

        var y = F.conv2d(x, w, padding: 1);

        // Hand sums of each 3x3 neighbourhood of [[1,2,3],[4,5,6],[7,8,9]] (zero padded).
        y.shape.Should().Equal(1, 1, 3, 3);
        y.ToArray<float>().Should().Equal(12, 21, 16, 27, 45, 33, 24, 39, 28);
    }

    [Fact]
    public void Conv2d_TwoByTwoKernelWithBias_MatchesHandComputedDotProducts()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Enumerable.Range(1, 9).Select(i => (float)i).ToArray(), 1, 1, 3, 3);
        var w = tensor(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        var b = tensor(new float[] { 1 });

        // 1·1+2·2+3·4+4·5 = 37, then + bias.
        F.conv2d(x, w, b).ToArray<float>().Should().Equal(38, 48, 68, 78);
        F.conv2d(x, w, b, stride: 2).ToArray<float>().Should().Equal(38);
    }

    [Fact]
    public void ConvTranspose2d_StrideTwoPaddingOneOutputPaddingOne_MatchesHandComputedScatter()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        var w = ones([1, 1, 3, 3]);

        var y = F.conv_transpose2d(x, w, stride: 2, padding: 1, output_padding: 1);

        // Output size (2-1)·2 - 2·1 + (3-1) + 1 + 1 = 4. Per axis the ones kernel maps [a, b] to
        // [a, a+b, b, b]; applying that to rows and columns of [[1,2],[3,4]] gives:
        y.shape.Should().Equal(1, 1, 4, 4);
        y.ToArray<float>().Should().Equal(1, 3, 2, 2, 4, 10, 6, 6, 3, 7, 4, 4, 3, 7, 4, 4);
    }

    [Fact]
    public void BatchNorm_TrainingThenEval_UsesBatchThenRunningStatistics()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2, 2, 4, 3, 6, 4, 8 }, 4, 2); // columns [1,2,3,4] and [2,4,6,8]
        var mean = zeros([2], float64);
        var variance = ones([2], float64);
        const double eps = 1e-5;

        var train = F.batch_norm(x, mean, variance, training: true, momentum: 0.1, eps: eps);

        // Each column normalises with its batch mean and biased batch variance: (2.5, 1.25) and (5, 5).
        var z0 = new[] { -1.5, -0.5, 0.5, 1.5 }.Select(v => v / Math.Sqrt(1.25 + eps)).ToArray();
        var z1 = new[] { -3.0, -1.0, 1.0, 3.0 }.Select(v => v / Math.Sqrt(5 + eps)).ToArray();
        Check.Values(train, [z0[0], z1[0], z0[1], z1[1], z0[2], z1[2], z0[3], z1[3]], 1e-12);
        // Running statistics move 10% towards the batch mean and the unbiased batch variance.
        Check.Values(mean, [0.25, 0.5], 1e-12);
        Check.Values(variance, [(0.9 * 1) + (0.1 * 5.0 / 3), (0.9 * 1) + (0.1 * 20.0 / 3)], 1e-12);

        var eval = F.batch_norm(tensor(new double[] { 3, 6 }, 1, 2), mean, variance, training: false, eps: eps);
        Check.Values(eval, [(3 - 0.25) / Math.Sqrt(1.0666666666666667 + eps), (6 - 0.5) / Math.Sqrt(1.5666666666666667 + eps)], 1e-9);
        Check.Values(mean, [0.25, 0.5], 1e-12);
    }

    [Fact]
    public void Linear_MatchesHandComputedAffineMap()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2 }, 1, 2);
        var w = tensor(new float[] { 1, 0, -1, 3 }, 2, 2);
        var b = tensor(new float[] { 0.5f, -1 });

        F.linear(x, w, b).ToArray<float>().Should().Equal(1.5f, 4);
    }

    [Fact]
    public void SoftmaxAndLogSoftmax_MatchClosedForm()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 1, 2, 3 }, 1, 3);
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);

        Check.Values(F.softmax(x, 1), [Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z], 1e-12);
        Check.Values(F.log_softmax(x, 1), [1 - Math.Log(z), 2 - Math.Log(z), 3 - Math.Log(z)], 1e-12);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_MatchesClosedFormAndIsStableForLargeLogits()
    {
        using var scope = NewDisposeScope();
        double[] logits = [-3, 0, 2, 1000];
        double[] targets = [0, 1, 0.9, 1];
        static double Softplus(double v) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));
        var expected = logits.Zip(targets, (x, t) => Softplus(x) - (x * t)).ToArray();

        var none = F.binary_cross_entropy_with_logits(tensor(logits), tensor(targets), reduction: nn.Reduction.None);
        var mean = F.binary_cross_entropy_with_logits(tensor(logits), tensor(targets));

        Check.Values(none, expected, 1e-12);
        mean.item<double>().Should().BeApproximately(expected.Average(), 1e-12);
        double.IsFinite(none.ToArray<double>()[3]).Should().BeTrue();
    }

    [Fact]
    public void MseAndCrossEntropy_MatchClosedForms()
    {
        using var scope = NewDisposeScope();
        F.mse_loss(tensor(new double[] { 1, 2, 3 }), tensor(new double[] { 1, 0, 0 })).item<double>().Should().BeApproximately(13.0 / 3, 1e-12);
        F.mse_loss(tensor(new double[] { 1, 2 }), tensor(new double[] { 0, 0 }), nn.Reduction.Sum).item<double>().Should().Be(5);

        var logits = tensor(new double[] { 1, 2, 3, 0, 0, 0 }, 2, 3);
        var labels = tensor(new long[] { 2, 0 });
        var z = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        F.cross_entropy(logits, labels).item<double>().Should().BeApproximately(((z - 3) + Math.Log(3)) / 2, 1e-12);
    }

    [Fact]
    public void Dropout_TrainingZeroesOrScalesAndEvalIsIdentity()
    {
        using var scope = NewDisposeScope();
        var x = ones([10_000]);

        var train = F.dropout(x, 0.3, training: true).ToArray<float>();
        var eval = F.dropout(x, 0.3, training: false).ToArray<float>();

        train.Should().OnlyContain(v => v == 0 || Math.Abs(v - (1 / 0.7f)) < 1e-6);
        train.Count(v => v == 0).Should().BeInRange(2700, 3300);
        eval.Should().OnlyContain(v => v == 1);
        var act = () => F.dropout(x, 1.5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("dropout probability must be in [0, 1]*");
    }

    [Fact]
    public void MaxPool2d_TwoByTwo_TakesTheLargestOfEachWindowAndDropsTheRemainder()
    {
        using var scope = NewDisposeScope();
        // 1x1x3x5: windows cover columns 0-1 and 2-3 of rows 0-1; row 2 and column 4 are dropped (floor mode).
        var x = tensor(new float[] { 1, 9, 2, 3, 7, 4, 0, 8, 5, 6, 3, 3, 3, 3, 3 }).reshape(1, 1, 3, 5);

        F.max_pool2d(x, 2).ToArray<float>().Should().Equal(9, 8);
        nn.MaxPool2d(2, stride: 1).forward(x).ToArray<float>().Should().Equal(9, 9, 8, 7, 4, 8, 8, 6);
    }

    [Fact]
    public void TopK_ReturnsTheLargestOrSmallestValuesWithTheirIndices()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 4, 1, 3, 2, 5, 0 }).reshape(2, 3);

        var (largest, where) = x.topk(2);
        largest.ToArray<float>().Should().Equal(4, 3, 5, 2);
        where.ToArray<long>().Should().Equal(0, 2, 1, 0);
        x.topk(1, dim: 0, largest: false).values.ToArray<float>().Should().Equal(2, 1, 0);
    }

    [Fact]
    public void Embedding_PicksRowsOfTheTable()
    {
        using var scope = NewDisposeScope();
        var table = tensor(new float[] { 0, 0, 1, 1, 2, 2 }, 3, 2);

        F.embedding(tensor(new long[] { 2, 0, 2 }), table).ToArray<float>().Should().Equal(2, 2, 0, 0, 2, 2);
    }
}
