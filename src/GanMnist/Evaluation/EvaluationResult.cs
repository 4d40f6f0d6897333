using System.Globalization;
using System.Text;

namespace GanMnist.Evaluation;

/// <summary>
/// The metrics of one set of images, measured with <see cref="MnistClassifier"/> against the reference
/// (the dataset's training images). Lower Fréchet distance is better; the MNIST score is at most the number of
/// classes (confident and uniformly spread); precision says how many samples look real, recall how much of
/// the real variety the samples cover.
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>The metric names used in histories, logs and reports.</summary>
    public static class Names
    {
        /// <summary>Fréchet distance in classifier feature space.</summary>
        public const string FrechetDistance = "fid";
        /// <summary>MNIST score.</summary>
        public const string MnistScore = "mnist_score";
        /// <summary>Classes covered.</summary>
        public const string ClassesCovered = "classes_covered";
        /// <summary>Largest class share.</summary>
        public const string LargestClassShare = "largest_class_share";
        /// <summary>Smallest class share.</summary>
        public const string SmallestClassShare = "smallest_class_share";
        /// <summary>1 when the mode-collapse alarm is raised, else 0.</summary>
        public const string ModeCollapse = "mode_collapse";
        /// <summary>Precision.</summary>
        public const string Precision = "precision";
        /// <summary>Recall.</summary>
        public const string Recall = "recall";
        /// <summary>Share of conditional samples classified as the class asked for.</summary>
        public const string ConditionalAccuracy = "conditional_accuracy";
    }

    /// <summary>How many images were measured.</summary>
    public required int SampleCount { get; init; }

    /// <summary>
    /// Why a metric of this result is not to be trusted, or null: set when <see cref="SampleCount"/> is not more than
    /// the classifier's feature dimension, so that the samples' covariance in the FID is singular (rank at most
    /// count - 1) and the FID is biased upward and not comparable with FIDs from more samples (Heusel et al. 2017
    /// use 50,000; pytorch-fid issue 13). It is logged when the evaluation runs and shown by <see cref="ToString"/>.
    /// </summary>
    public string? Warning { get; init; }

    /// <summary>The squared Fréchet distance between the images' and the reference's classifier features ("FID").</summary>
    public required double FrechetDistance { get; init; }

    /// <summary>The Inception score computed with the classifier's softmax: exp(E KL(p(y|x) ‖ p(y))), from 1 to the number of classes.</summary>
    public required double MnistScore { get; init; }

    /// <summary>How many images the classifier assigned to each class, indexed by class.</summary>
    public required IReadOnlyList<long> ClassCounts { get; init; }

    /// <summary>The classes' names, indexed by class (the classifier's dataset's); empty when not known.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Classes holding at least <see cref="GanEvaluatorOptions.CoveredClassRatio"/> of their real share of the images.</summary>
    public required int ClassesCovered { get; init; }

    /// <summary>The share of the most frequent class.</summary>
    public required double LargestClassShare { get; init; }

    /// <summary>The share of the least frequent class.</summary>
    public required double SmallestClassShare { get; init; }

    /// <summary>
    /// Whether a class's share is outside [<see cref="GanEvaluatorOptions.MinClassRatio"/>, <see cref="GanEvaluatorOptions.MaxClassRatio"/>]
    /// times its share among the real reference images.
    /// </summary>
    public required bool ModeCollapse { get; init; }

    /// <summary>Why the mode-collapse alarm was raised; null when it was not.</summary>
    public string? ModeCollapseReason { get; init; }

    /// <summary>The share of the images inside the reference's k-NN manifold; null when not computed.</summary>
    public double? Precision { get; init; }

    /// <summary>The share of the reference inside the images' k-NN manifold; null when not computed.</summary>
    public double? Recall { get; init; }

    /// <summary>For a conditional generator, the share of images classified as the class they were generated for; else null.</summary>
    public double? ConditionalAccuracy { get; init; }

    /// <summary>The time the evaluation took (generation, features and statistics).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The numeric metrics by name (<see cref="Names"/>), as histories and reports store them.</summary>
    public IReadOnlyDictionary<string, double> ToMetrics()
    {
        var metrics = new Dictionary<string, double>
        {
            [Names.FrechetDistance] = FrechetDistance,
            [Names.MnistScore] = MnistScore,
            [Names.ClassesCovered] = ClassesCovered,
            [Names.LargestClassShare] = LargestClassShare,
            [Names.SmallestClassShare] = SmallestClassShare,
            [Names.ModeCollapse] = ModeCollapse ? 1 : 0,
        };
        if (Precision is { } precision)
        {
            metrics[Names.Precision] = precision;
        }

        if (Recall is { } recall)
        {
            metrics[Names.Recall] = recall;
        }

        if (ConditionalAccuracy is { } accuracy)
        {
            metrics[Names.ConditionalAccuracy] = accuracy;
        }

        return metrics;
    }

    /// <summary>One line: FID, MNIST score, classes, precision and recall, and the alarm when raised.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"FID {FrechetDistance:F3}, MNIST score {MnistScore:F2}, {ClassesCovered}/{ClassCounts.Count} classes ({SmallestClassShare * 100:F1}%-{LargestClassShare * 100:F1}%)");
        if (Precision is { } precision && Recall is { } recall)
        {
            text.Append(CultureInfo.InvariantCulture, $", precision {precision:F3}, recall {recall:F3}");
        }

        if (ConditionalAccuracy is { } accuracy)
        {
            text.Append(CultureInfo.InvariantCulture, $", conditional accuracy {accuracy * 100:F1}%");
        }

        if (ModeCollapse)
        {
            text.Append(" - MODE COLLAPSE: ").Append(ModeCollapseReason);
        }

        if (Warning is not null)
        {
            text.Append(" - WARNING: ").Append(Warning);
        }

        return text.Append(CultureInfo.InvariantCulture, $" [{SampleCount} images, {Duration.TotalSeconds:F1} s]").ToString();
    }
}
