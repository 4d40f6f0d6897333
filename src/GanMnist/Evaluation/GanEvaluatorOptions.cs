using System.Globalization;

namespace GanMnist.Evaluation;

/// <summary>What <see cref="GanEvaluator"/> measures and how; every invalid value is reported at once.</summary>
public sealed class GanEvaluatorOptions
{
    /// <summary>Images generated per evaluation.</summary>
    /// <value>Default: 10,000.</value>
    public int SampleCount { get; set; } = 10_000;

    /// <summary>MNIST training images forming the reference distribution (a fixed random subset).</summary>
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

    /// <summary>A digit counts as covered when it holds at least this share of the images.</summary>
    /// <value>Default: 0.01.</value>
    public double CoveredClassShare { get; set; } = 0.01;

    /// <summary>The mode-collapse alarm is raised when a digit holds less than this share (uniform is 0.1).</summary>
    /// <value>Default: 0.05.</value>
    public double MinClassShare { get; set; } = 0.05;

    /// <summary>The mode-collapse alarm is raised when a digit holds more than this share (uniform is 0.1).</summary>
    /// <value>Default: 0.2.</value>
    public double MaxClassShare { get; set; } = 0.2;

    /// <summary>The classifier (and where MNIST is found for it and for the reference and real images).</summary>
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
        Require(ReferenceCount > NearestNeighbours && ReferenceCount <= 60_000, nameof(ReferenceCount), ReferenceCount, $"in ({NearestNeighbours}, 60000]");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(CoveredClassShare is >= 0 and <= 1, nameof(CoveredClassShare), CoveredClassShare, "in [0, 1]");
        Require(MinClassShare is >= 0 and <= 0.1, nameof(MinClassShare), MinClassShare, "in [0, 0.1]");
        Require(MaxClassShare is >= 0.1 and <= 1, nameof(MaxClassShare), MaxClassShare, "in [0.1, 1]");
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
