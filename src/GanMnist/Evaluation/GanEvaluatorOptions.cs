using System.Globalization;

namespace GanMnist.Evaluation;

/// <summary>What <see cref="GanEvaluator"/> measures and how; every invalid value is reported at once.</summary>
public sealed class GanEvaluatorOptions
{
    /// <summary>Images generated per evaluation.</summary>
    /// <value>Default: 10,000.</value>
    public int SampleCount { get; set; } = 10_000;

    /// <summary>Training images forming the reference distribution (a fixed random subset; all of them when the split is smaller).</summary>
    /// <value>Default: 10,000.</value>
    public int ReferenceCount { get; set; } = 10_000;

    /// <summary>Images per generator or classifier call.</summary>
    /// <value>Default: 1,000.</value>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>The seed of the evaluation noise and of the reference subset (evaluations are repeatable).</summary>
    /// <value>Default: 20191 (any fixed value).</value>
    public ulong Seed { get; set; } = 20191;

    /// <summary>Whether to compute precision and recall (k-NN manifolds; about 2 s for 10,000 images on 2 cores).</summary>
    /// <value>Default: true.</value>
    public bool PrecisionRecall { get; set; } = true;

    /// <summary>The k of the k-nearest-neighbour manifolds.</summary>
    /// <value>Default: 3 (as Kynkäänniemi et al.).</value>
    public int NearestNeighbours { get; set; } = 3;

    /// <summary>
    /// A class counts as covered when its share of the images is at least this fraction of its share among the reference
    /// images (both as the classifier sees them).
    /// </summary>
    /// <value>Default: 0.1 (for MNIST's near-uniform ten digits, about 1% of the images).</value>
    public double CoveredClassRatio { get; set; } = 0.1;

    /// <summary>The mode-collapse alarm is raised when a class's share is below this fraction of its share among the reference images.</summary>
    /// <value>Default: 0.5 (for MNIST, about 5%).</value>
    public double MinClassRatio { get; set; } = 0.5;

    /// <summary>The mode-collapse alarm is raised when a class's share is above this multiple of its share among the reference images.</summary>
    /// <value>Default: 2 (for MNIST, about 20%).</value>
    public double MaxClassRatio { get; set; } = 2;

    /// <summary>The classifier, and which dataset it, the reference and the real images come from (<see cref="MnistClassifierOptions.Data"/>).</summary>
    public MnistClassifierOptions Classifier { get; set; } = new();

    /// <summary>Every invalid value, named.</summary>
    internal IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool ok, string name, object value, string rule)
        {
            if (!ok)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be {rule} (was {value})"));
            }
        }

        Require(NearestNeighbours >= 1, nameof(NearestNeighbours), NearestNeighbours, "at least 1");
        Require(SampleCount > NearestNeighbours, nameof(SampleCount), SampleCount, $"more than {nameof(NearestNeighbours)} ({NearestNeighbours})");
        Require(ReferenceCount > NearestNeighbours, nameof(ReferenceCount), ReferenceCount, $"more than {nameof(NearestNeighbours)} ({NearestNeighbours})");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(CoveredClassRatio is >= 0 and <= 1, nameof(CoveredClassRatio), CoveredClassRatio, "in [0, 1]");
        Require(MinClassRatio is >= 0 and <= 1, nameof(MinClassRatio), MinClassRatio, "in [0, 1]");
        Require(MaxClassRatio >= 1 && double.IsFinite(MaxClassRatio), nameof(MaxClassRatio), MaxClassRatio, "at least 1");
        if (Classifier is null)
        {
            problems.Add($"{nameof(Classifier)} must be set");
        }
        else
        {
            problems.AddRange(Classifier.Problems().Select(p => $"{nameof(Classifier)}.{p}"));
        }

        return problems;
    }

    internal void ThrowIfInvalid()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(GanEvaluatorOptions)}: {string.Join("; ", problems)}.");
        }
    }

    /// <summary>A copy (the classifier options are shared).</summary>
    internal GanEvaluatorOptions Clone() => (GanEvaluatorOptions)MemberwiseClone();
}
