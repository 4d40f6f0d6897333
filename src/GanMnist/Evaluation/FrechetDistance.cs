using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Evaluation;

/// <summary>The mean and covariance of a set of feature vectors, in float64.</summary>
internal sealed class GaussianStatistics
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
/// The Fréchet distance between two Gaussians, d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, in float64
/// (Dowson and Landau 1982; as FID, Heusel et al. 2017). The trace of the matrix square root comes from two symmetric
/// eigendecompositions by libtorch's <c>torch.linalg.eigh</c> (Σ₁^½ from Σ₁'s, then the eigenvalues of the symmetric
/// positive semi-definite Σ₁^½ Σ₂ Σ₁^½), never from a non-symmetric square root as scipy's <c>sqrtm</c> in the
/// reference implementation. On classifier features this is the FID of generated images.
/// </summary>
public static class FrechetDistance
{
    /// <summary>The squared Fréchet distance between two sets of statistics of the same dimension.</summary>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    internal static double Between(GaussianStatistics first, GaussianStatistics second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
        {
            throw new ArgumentException($"The statistics have dimensions {first.Dimension} and {second.Dimension}.", nameof(second));
        }

        TorchRuntime.EnsureLoaded();
        var n = first.Dimension;
        using var scope = NewDisposeScope();
        var meanTerm = (tensor(first.MeanValues, float64) - tensor(second.MeanValues, float64)).square().sum().ToDouble();
        var sigma1 = tensor(first.CovarianceValues, [n, n], float64);
        var sigma2 = tensor(second.CovarianceValues, [n, n], float64);
        var root = SquareRoot(sigma1);
        var product = root.matmul(sigma2).matmul(root);
        product = (product + product.T) / 2; // rounding asymmetry
        var traceOfRoot = linalg.eigvalsh(product).clamp_min(0).sqrt().sum().ToDouble();
        var traces = sigma1.trace().ToDouble() + sigma2.trace().ToDouble();
        return Math.Max(meanTerm + traces - (2 * traceOfRoot), 0);
    }

    /// <summary>The squared Fréchet distance between the rows of two feature tensors.</summary>
    public static double Between(Tensor first, Tensor second) => Between(GaussianStatistics.Of(first), GaussianStatistics.Of(second));

    /// <summary>The symmetric square root V·diag(√max(λ, 0))·Vᵀ of a symmetric positive semi-definite float64 matrix (d x d).</summary>
    internal static Tensor SquareRoot(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(matrix);
        return (vectors * values.clamp_min(0).sqrt()).matmul(vectors.T).MoveToOuterDisposeScope();
    }
}
