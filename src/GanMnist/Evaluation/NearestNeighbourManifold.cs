using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Evaluation;

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019): a set's manifold is the union of balls around
/// each of its feature vectors, of radius the distance to that vector's k-th nearest neighbour in the same set.
/// Precision is the share of generated vectors inside the real manifold; recall the share of real vectors
/// inside the generated one. Distances are computed on the features' device in blocks of rows, as squared
/// Euclidean distances ‖a‖² + ‖b‖² − 2a·b (one matrix product per block).
/// </summary>
internal static class NearestNeighbourManifold
{
    private const long BlockRows = 1024;

    /// <summary>The squared distance from each row of <paramref name="set"/> (N x d) to its k-th nearest other row: (N).</summary>
    public static Tensor SquaredRadii(Tensor set, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var count = set.size(0);
        if (count <= k)
        {
            throw new ArgumentException($"A manifold with k = {k} needs more than {k} vectors; the set has {count}.", nameof(set));
        }

        using var scope = NewDisposeScope();
        var norms = set.square().sum([1]);
        var radii = new List<Tensor>();
        for (long start = 0; start < count; start += BlockRows)
        {
            using var block = NewDisposeScope();
            var rows = Math.Min(BlockRows, count - start);
            var distances = SquaredDistances(set.narrow(0, start, rows), norms.narrow(0, start, rows), set, norms);
            // The k+1 smallest include the row itself (distance ~0); the largest of them is the k-th neighbour.
            radii.Add(distances.topk(k + 1, dim: 1, largest: false, sorted: true).values.narrow(1, k, 1).squeeze(1).MoveToOuterDisposeScope());
        }

        return cat(radii, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The share of <paramref name="queries"/> rows within the ball of at least one row of <paramref name="set"/>.</summary>
    public static double Coverage(Tensor queries, Tensor set, Tensor squaredRadii)
    {
        using var scope = NewDisposeScope();
        var setNorms = set.square().sum([1]);
        var queryNorms = queries.square().sum([1]);
        var count = queries.size(0);
        var inside = new List<Tensor>();
        for (long start = 0; start < count; start += BlockRows)
        {
            using var block = NewDisposeScope();
            var rows = Math.Min(BlockRows, count - start);
            var distances = SquaredDistances(queries.narrow(0, start, rows), queryNorms.narrow(0, start, rows), set, setNorms);
            inside.Add(distances.sub(squaredRadii.unsqueeze(0)).amin([1]).le(0).to(ScalarType.Float64).sum().MoveToOuterDisposeScope());
        }

        return count == 0 ? double.NaN : stack(inside).sum().ToDouble() / count;
    }

    /// <summary>(rows of a) x (rows of b) squared distances, clamped at zero against rounding.</summary>
    private static Tensor SquaredDistances(Tensor a, Tensor aNorms, Tensor b, Tensor bNorms) =>
        (matmul(a, b.transpose(0, 1)).mul_(-2) + aNorms.unsqueeze(1) + bNorms.unsqueeze(0)).clamp(min: 0);
}
