using static GanMnist.Torch.torch;

namespace GanMnist.Evaluation;

/// <summary>The mean and covariance of a set of feature vectors, in float64.</summary>
public sealed class GaussianStatistics
{
    /// <summary>Statistics from a mean (d) and a symmetric covariance (d x d, row-major).</summary>
    /// <exception cref="ArgumentException">The sizes do not match, or a value is not finite.</exception>
    public GaussianStatistics(double[] mean, double[] covariance, long count)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (covariance.Length != mean.Length * mean.Length)
        {
            throw new ArgumentException($"A mean of {mean.Length} values needs a {mean.Length}x{mean.Length} covariance, got {covariance.Length} values.", nameof(covariance));
        }

        if (mean.Concat(covariance).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The statistics hold a non-finite value.", nameof(mean));
        }

        (MeanValues, CovarianceValues, Count) = (mean.ToArray(), covariance.ToArray(), count);
    }

    /// <summary>The dimension d.</summary>
    public int Dimension => MeanValues.Length;

    /// <summary>The mean (d).</summary>
    public IReadOnlyList<double> Mean => MeanValues;

    /// <summary>The unbiased covariance (d x d, row-major).</summary>
    public IReadOnlyList<double> Covariance => CovarianceValues;

    internal double[] MeanValues { get; }

    internal double[] CovarianceValues { get; }

    /// <summary>How many vectors the statistics were computed from.</summary>
    public long Count { get; }

    /// <summary>The statistics of the rows of <paramref name="features"/> (N x d, N ≥ 2), computed in float64.</summary>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional, has fewer than two rows, or holds a non-finite value.</exception>
    public static GaussianStatistics Of(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.size(0) < 2)
        {
            throw new ArgumentException($"Expected features of shape (N ≥ 2, d), got [{string.Join(", ", features.shape)}].", nameof(features));
        }

        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = matmul(centred.transpose(0, 1), centred).div_(features.size(0) - 1);
        var meanValues = mean.cpu().ToArray<double>();
        var covarianceValues = covariance.cpu().ToArray<double>();
        if (meanValues.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The features hold a non-finite value.", nameof(features));
        }

        return new GaussianStatistics(meanValues, covarianceValues, features.size(0));
    }
}

/// <summary>
/// The Fréchet distance between two Gaussians, d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, in float64.
/// The trace of the matrix square root comes from two symmetric eigendecompositions (Σ₁^½ from Σ₁'s, then the
/// eigenvalues of the symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½), never from a non-symmetric square root.
/// On classifier features this is the FID of generated images.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The squared Fréchet distance between two sets of statistics of the same dimension.</summary>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static double Between(GaussianStatistics first, GaussianStatistics second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
        {
            throw new ArgumentException($"The statistics have dimensions {first.Dimension} and {second.Dimension}.", nameof(second));
        }

        var n = first.Dimension;
        double meanTerm = 0, traces = 0;
        for (var i = 0; i < n; i++)
        {
            var d = first.MeanValues[i] - second.MeanValues[i];
            meanTerm += d * d;
            traces += first.CovarianceValues[(i * n) + i] + second.CovarianceValues[(i * n) + i];
        }

        var root = SquareRoot(first.CovarianceValues, n);
        var product = Multiply(Multiply(root, second.CovarianceValues, n), root, n);
        Symmetrise(product, n);
        var (eigenvalues, _) = SymmetricEigen.Decompose(product, n);
        var traceOfRoot = eigenvalues.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(meanTerm + traces - (2 * traceOfRoot), 0);
    }

    /// <summary>The squared Fréchet distance between the rows of two feature tensors.</summary>
    public static double Between(Tensor first, Tensor second) => Between(GaussianStatistics.Of(first), GaussianStatistics.Of(second));

    /// <summary>The symmetric square root V·diag(√max(λ, 0))·Vᵀ of a symmetric positive semi-definite matrix.</summary>
    internal static double[] SquareRoot(double[] matrix, int n)
    {
        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);
        var root = new double[n * n];
        for (var k = 0; k < n; k++)
        {
            var s = Math.Sqrt(Math.Max(values[k], 0));
            if (s == 0)
            {
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                var vik = vectors[(i * n) + k] * s;
                for (var j = 0; j < n; j++)
                {
                    root[(i * n) + j] += vik * vectors[(j * n) + k];
                }
            }
        }

        return root;
    }

    private static double[] Multiply(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                var aik = a[(i * n) + k];
                for (var j = 0; j < n; j++)
                {
                    c[(i * n) + j] += aik * b[(k * n) + j];
                }
            }
        }

        return c;
    }

    /// <summary>Averages the matrix with its transpose (removes rounding asymmetry).</summary>
    private static void Symmetrise(double[] a, int n)
    {
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var mean = (a[(i * n) + j] + a[(j * n) + i]) / 2;
                a[(i * n) + j] = mean;
                a[(j * n) + i] = mean;
            }
        }
    }
}
