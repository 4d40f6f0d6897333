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

/// <summary>How predictions spread over the digits, and whether that looks like mode collapse.</summary>
internal sealed record ClassHistogram(long[] Counts, int Covered, double Largest, double Smallest, string? Alarm)
{
    public static ClassHistogram Of(IReadOnlyList<int> predicted, GanEvaluatorOptions options)
    {
        var counts = new long[10];
        foreach (var digit in predicted)
        {
            counts[digit]++;
        }

        var total = (double)Math.Max(predicted.Count, 1);
        var shares = counts.Select(c => c / total).ToArray();
        var reasons = new List<string>();
        var over = Enumerable.Range(0, 10).Where(d => shares[d] > options.MaxClassShare).ToList();
        if (over.Count > 0)
        {
            reasons.Add(Describe(over, shares, string.Create(CultureInfo.InvariantCulture, $"over {options.MaxClassShare * 100:0.#}%")));
        }

        var under = Enumerable.Range(0, 10).Where(d => shares[d] < options.MinClassShare).ToList();
        if (under.Count > 0)
        {
            reasons.Add(Describe(under, shares, string.Create(CultureInfo.InvariantCulture, $"under {options.MinClassShare * 100:0.#}%")));
        }

        return new ClassHistogram(counts, shares.Count(s => s >= options.CoveredClassShare), shares.Max(), shares.Min(),
            reasons.Count == 0 ? null : string.Join("; ", reasons));
    }

    private static string Describe(List<int> digits, double[] shares, string limit) => string.Create(CultureInfo.InvariantCulture,
        $"{(digits.Count == 1 ? "digit" : "digits")} {string.Join(", ", digits.Select(d => $"{d} ({shares[d] * 100:F1}%)"))} {(digits.Count == 1 ? "has" : "have")} a share {limit} (uniform is 10%)");
}
