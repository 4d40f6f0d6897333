using GanMnist.Evaluation;
using GanMnist.Runtime;

namespace GanMnist.Tests.Evaluation;

/// <summary>The metrics' arithmetic against closed forms and hand-computed values (no classifier involved).</summary>
public sealed class MetricArithmeticTests
{
    [Fact]
    public void SquareRoot_TwoByTwo_MatchesTheClosedForm()
    {
        // For a 2x2 positive definite A: √A = (A + √det A · I) / √(tr A + 2√det A). A = [[5, 4], [4, 5]]: det 9, tr 10.
        using var scope = NewDisposeScope();
        var root = FrechetDistance.SquareRoot(tensor(new double[] { 5, 4, 4, 5 }, [2, 2], ScalarType.Float64)).ToArray<double>();

        root.Should().Equal([2, 1, 1, 2], (a, b) => Math.Abs(a - b) < 1e-13);
    }

    [Fact]
    public void SquareRoot_RandomPositiveSemiDefinite_SquaresBackToIt()
    {
        const int n = 40;
        using var scope = NewDisposeScope();
        var a = tensor(RandomSymmetric(n, seed: 3), [n, n], ScalarType.Float64);
        a = a.matmul(a); // symmetric positive semi-definite

        var root = FrechetDistance.SquareRoot(a);

        (root.matmul(root) - a).abs().max().ToDouble().Should().BeLessThan(1e-10);
        (root - root.T).abs().max().ToDouble().Should().BeLessThan(1e-12, "V·diag·Vᵀ is symmetric");
    }

    [Fact]
    public void FrechetDistance_DiagonalGaussians_MatchesTheClosedForm()
    {
        // Diagonal covariances commute: d² = ‖μ₁ − μ₂‖² + Σ (√a − √b)².
        var first = new GaussianStatistics([0, 1, 2], Diagonal([1, 4, 9]), 1);
        var second = new GaussianStatistics([1, 1, 0], Diagonal([4, 1, 1]), 1);
        var expected = (1 + 0 + 4) + (1 + 1 + 4);

        FrechetDistance.Between(first, second).Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void FrechetDistance_NonCommutingTwoByTwo_MatchesTheTraceDeterminantClosedForm()
    {
        // For 2x2 PSD M, tr √M = √(tr M + 2√det M); with M = Σ₁^½ Σ₂ Σ₁^½: tr M = tr Σ₁Σ₂, det M = det Σ₁ · det Σ₂.
        double[] s1 = [2, 0.6, 0.6, 1];
        double[] s2 = [1, -0.4, -0.4, 3];
        var trace12 = (s1[0] * s2[0]) + (s1[1] * s2[2]) + (s1[2] * s2[1]) + (s1[3] * s2[3]);
        var det = ((s1[0] * s1[3]) - (s1[1] * s1[2])) * ((s2[0] * s2[3]) - (s2[1] * s2[2]));
        var traceRoot = Math.Sqrt(trace12 + (2 * Math.Sqrt(det)));
        var expected = (0.5 * 0.5) + (2.0 * 2.0) + (s1[0] + s1[3]) + (s2[0] + s2[3]) - (2 * traceRoot);

        var distance = FrechetDistance.Between(new GaussianStatistics([0.5, -1], s1, 1), new GaussianStatistics([0, 1], s2, 1));

        distance.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void FrechetDistance_SampledGaussians_ApproachesTheClosedFormAndASampleWithItselfIsZero()
    {
        // 200,000 draws each from N(μ₁, Σ₁) and N(μ₂, Σ₂) in 3-D (Σ = L·Lᵀ with known L); the closed form uses the true parameters.
        using var scope = NewDisposeScope();
        using var random = new Generator(11);
        double[] l1 = [1, 0, 0, 0.5, 1.2, 0, -0.3, 0.4, 0.8];
        double[] l2 = [0.7, 0, 0, -0.2, 0.9, 0, 0.6, 0.1, 1.5];
        var x1 = matmul(randn([200_000, 3], dtype: ScalarType.Float64, generator: random), tensor(l1).reshape(3, 3).transpose(0, 1)) + tensor(new double[] { 1, 0, -1 });
        var x2 = matmul(randn([200_000, 3], dtype: ScalarType.Float64, generator: random), tensor(l2).reshape(3, 3).transpose(0, 1)) + tensor(new double[] { 0, 0.5, 0 });
        var closed = FrechetDistance.Between(new GaussianStatistics([1, 0, -1], Gram(l1), 1), new GaussianStatistics([0, 0.5, 0], Gram(l2), 1));

        var sampled = FrechetDistance.Between(x1, x2);

        closed.Should().BeGreaterThan(1);
        sampled.Should().BeApproximately(closed, 0.02 * closed);
        FrechetDistance.Between(x1, x1).Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void GaussianStatistics_MatchesTheUnbiasedEstimatorsComputedByHand()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 6, 5, 1 }).reshape(3, 2); // columns (1, 3, 5) and (2, 6, 1)

        var statistics = GaussianStatistics.Of(x);

        statistics.Mean.Should().Equal(3, 3);
        // var(1, 3, 5) = 4; var(2, 6, 1) = (1 + 9 + 4) / 2 = 7; cov = ((-2)(-1) + 0·3 + 2(-2)) / 2 = -1.
        statistics.Covariance.Should().Equal([4, -1, -1, 7], (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void MnistScore_MatchesItsLimitsAndAHandComputedCase()
    {
        var oneHotUniform = Enumerable.Range(0, 10).SelectMany(c => Enumerable.Range(0, 10).Select(k => k == c ? 1.0 : 0.0)).ToArray();
        var allSeven = Enumerable.Range(0, 5).SelectMany(_ => Enumerable.Range(0, 10).Select(k => k == 7 ? 1.0 : 0.0)).ToArray();
        var undecided = Enumerable.Repeat(0.1, 50).ToArray();

        MnistScore.Of(oneHotUniform, 10).Should().BeApproximately(10, 1e-12);
        MnistScore.Of(allSeven, 10).Should().BeApproximately(1, 1e-12);
        MnistScore.Of(undecided, 10).Should().BeApproximately(1, 1e-12);
        // Rows (1, 0) and (0.5, 0.5): p(y) = (0.75, 0.25); KL₁ = ln(4/3), KL₂ = 0.5 ln(2/3) + 0.5 ln 2.
        var expected = Math.Exp((Math.Log(4.0 / 3) + (0.5 * Math.Log(2.0 / 3)) + (0.5 * Math.Log(2))) / 2);
        MnistScore.Of([1, 0, 0.5, 0.5], 2).Should().BeApproximately(expected, 1e-14);
    }

    [Fact]
    public void MnistScore_ValuesThatAreNotProbabilities_AreRejectedWithTheRow()
    {
        var act = () => MnistScore.Of([0.5, 0.5, -0.1, 1.1], 2);

        act.Should().Throw<ArgumentException>().WithMessage("*-0.1*row 1*");
    }

    private static readonly double[] Uniform = [.. Enumerable.Repeat(0.1, 10)];
    private static readonly string[] Digits = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void ClassHistogram_TwoDigitsOnly_CoversTwoAndRaisesTheAlarmNamingTheClasses()
    {
        var predicted = Enumerable.Repeat(1, 600).Concat(Enumerable.Repeat(7, 394)).Concat([0, 2, 3, 4, 5, 6]).ToArray();

        var histogram = ClassHistogram.Of(predicted, Uniform, Digits, new GanEvaluatorOptions());

        histogram.Counts.Should().Equal(1, 600, 1, 1, 1, 1, 1, 394, 0, 0);
        histogram.Covered.Should().Be(2, "the six strays hold 0.1% each, under 0.1 x their real share of 10%");
        histogram.Largest.Should().Be(0.6);
        histogram.Smallest.Should().Be(0);
        histogram.Alarm.Should().Contain("classes '1' (60.0%, real 10.0%), '7' (39.4%, real 10.0%) have a share over 2x the real share")
            .And.Contain("'8' (0.0%, real 10.0%)");
    }

    [Fact]
    public void ClassHistogram_NearUniform_RaisesNoAlarm()
    {
        var predicted = Enumerable.Range(0, 1000).Select(i => i % 10 == 9 && i % 20 == 19 ? 3 : i % 10).ToArray(); // digit 9 at 5%, 3 at 15%

        var histogram = ClassHistogram.Of(predicted, Uniform, Digits, new GanEvaluatorOptions());

        histogram.Alarm.Should().BeNull();
        histogram.Covered.Should().Be(10);
        histogram.Largest.Should().Be(0.15);
        histogram.Smallest.Should().Be(0.05);
    }

    [Fact]
    public void ClassHistogram_UnbalancedRealShares_JudgesEachClassAgainstItsOwnRealShare()
    {
        // Real shares 70% / 20% / 10% (as EMNIST ByClass is far from uniform); generated 60% / 38% / 2%.
        double[] real = [0.7, 0.2, 0.1];
        var predicted = Enumerable.Repeat(0, 60).Concat(Enumerable.Repeat(1, 38)).Concat(Enumerable.Repeat(2, 2)).ToArray();

        var histogram = ClassHistogram.Of(predicted, real, ["A", "B", "C"], new GanEvaluatorOptions());

        histogram.Alarm.Should().Be("class 'C' (2.0%, real 10.0%) has a share under 0.5x the real share",
            "60% of a 70% class and 38% of a 20% class are within [0.5x, 2x]; 2% of a 10% class is not");
        histogram.Covered.Should().Be(3, "2% is at least 0.1 x 10%");
    }

    [Fact]
    public void NearestNeighbourManifold_OneDimensionalPoints_MatchesHandComputedRadiiAndCoverage()
    {
        using var scope = NewDisposeScope();
        var real = tensor(new float[] { 0, 1, 2, 10 }).reshape(4, 1);
        var queries = tensor(new float[] { 0.5f, 5, 20, 2.9f }).reshape(4, 1);

        // k = 1: each point's nearest other point is 1 away, except 10's (8 away from 2).
        var radii = NearestNeighbourManifold.SquaredRadii(real, 1);
        radii.ToArray<float>().Should().Equal(1, 1, 1, 64);
        // 0.5 is within 1 of 0; 5 within 8 of 10; 20 is 10 from 10 (outside); 2.9 within 1 of 2.
        NearestNeighbourManifold.Coverage(queries, real, radii).Should().Be(0.75);
        // k = 2: second-nearest distances 2, 1, 2, 9 (squared 4, 1, 4, 81).
        NearestNeighbourManifold.SquaredRadii(real, 2).ToArray<float>().Should().Equal(4, 1, 4, 81);
    }

    private static double[] Diagonal(double[] values)
    {
        var n = values.Length;
        var m = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            m[(i * n) + i] = values[i];
        }

        return m;
    }

    private static double[] Gram(double[] l)
    {
        var m = new double[9];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    m[(i * 3) + j] += l[(i * 3) + k] * l[(j * 3) + k];
                }
            }
        }

        return m;
    }

    private static double[] RandomSymmetric(int n, int seed)
    {
        var random = new Random(seed);
        var m = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                m[(i * n) + j] = m[(j * n) + i] = (random.NextDouble() * 2) - 1;
            }
        }

        return m;
    }
}
