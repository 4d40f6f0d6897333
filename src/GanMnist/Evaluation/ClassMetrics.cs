using System.Globalization;

namespace GanMnist.Evaluation;

/// <summary>
/// The MNIST score: the Inception score (Salimans et al. 2016) with the MNIST classifier's softmax,
/// exp(mean over images of KL(p(y|x) ‖ p(y))) where p(y) is the mean prediction. It is 1 when every image
/// gets the same prediction and equals the number of classes when predictions are confident and uniform.
/// </summary>
public static class MnistScore
{
    /// <summary>The score of N rows of class probabilities (row-major, N x <paramref name="classCount"/>), in float64.</summary>
    /// <exception cref="ArgumentException">The values do not form whole rows, or are not probabilities.</exception>
    public static double Of(ReadOnlySpan<double> probabilities, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (probabilities.Length == 0 || probabilities.Length % classCount != 0)
        {
            throw new ArgumentException($"Expected whole rows of {classCount} probabilities; got {probabilities.Length} values.", nameof(probabilities));
        }

        var rows = probabilities.Length / classCount;
        var marginal = new double[classCount];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var value = probabilities[i];
            if (!(value >= 0 && value <= 1 + 1e-6))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Value {value} at row {i / classCount} is not a probability."), nameof(probabilities));
            }

            marginal[i % classCount] += value / rows;
        }

        double divergence = 0;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < classCount; c++)
            {
                var value = probabilities[(r * classCount) + c];
                if (value > 0)
                {
                    divergence += value * (Math.Log(value) - Math.Log(marginal[c]));
                }
            }
        }

        return Math.Exp(divergence / rows);
    }
}

/// <summary>
/// How predictions spread over the classes, and whether that looks like mode collapse: a class whose share is far from
/// its share among the reference (real) images, as the same classifier sees them.
/// </summary>
internal sealed record ClassHistogram(long[] Counts, int Covered, double Largest, double Smallest, string? Alarm)
{
    public static ClassHistogram Of(IReadOnlyList<int> predicted, IReadOnlyList<double> referenceShares, IReadOnlyList<string> names, GanEvaluatorOptions options)
    {
        var classes = referenceShares.Count;
        var counts = new long[classes];
        foreach (var c in predicted)
        {
            counts[c]++;
        }

        var total = (double)Math.Max(predicted.Count, 1);
        var shares = counts.Select(c => c / total).ToArray();
        var present = Enumerable.Range(0, classes).Where(c => referenceShares[c] > 0).ToList(); // classes the real data shows
        var reasons = new List<string>();
        var over = present.Where(c => shares[c] > options.MaxClassRatio * referenceShares[c]).ToList();
        if (over.Count > 0)
        {
            reasons.Add(Describe(over, shares, referenceShares, names, string.Create(CultureInfo.InvariantCulture, $"over {options.MaxClassRatio:0.##}x")));
        }

        var under = present.Where(c => shares[c] < options.MinClassRatio * referenceShares[c]).ToList();
        if (under.Count > 0)
        {
            reasons.Add(Describe(under, shares, referenceShares, names, string.Create(CultureInfo.InvariantCulture, $"under {options.MinClassRatio:0.##}x")));
        }

        return new ClassHistogram(counts, present.Count(c => shares[c] >= options.CoveredClassRatio * referenceShares[c] && shares[c] > 0), shares.Max(), shares.Min(),
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    private static string Describe(List<int> classes, double[] shares, IReadOnlyList<double> reference, IReadOnlyList<string> names, string limit)
    {
        var listed = classes.Take(8).Select(c => string.Create(CultureInfo.InvariantCulture, $"'{names[c]}' ({shares[c] * 100:F1}%, real {reference[c] * 100:F1}%)"));
        var more = classes.Count > 8 ? $" and {classes.Count - 8} more" : string.Empty;
        return $"{(classes.Count == 1 ? "class" : "classes")} {string.Join(", ", listed)}{more} {(classes.Count == 1 ? "has" : "have")} a share {limit} the real share";
    }
}
