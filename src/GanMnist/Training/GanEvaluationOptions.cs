using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>When and on how many images the generator is evaluated during training. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Evaluation</c>).</summary>
public sealed class GanEvaluationOptions
{
    /// <summary>
    /// Evaluate the generator (FID, MNIST score, class histogram, precision/recall; see <see cref="Evaluation.GanEvaluator"/>)
    /// every N epochs and after the last; 0 never. The first use trains and caches the MNIST classifier (about 1.5 minutes).
    /// </summary>
    /// <value>Default: 0.</value>
    [Range(0, 1_000_000)]
    public int EvaluateEveryEpochs { get; set; }

    /// <summary>Images generated per evaluation.</summary>
    /// <value>Default: 10,000.</value>
    [Range(10, 1_000_000)]
    public int EvaluationSamples { get; set; } = GanTrainerDefaults.EvaluationSamples;

    internal GanEvaluationOptions Clone() => (GanEvaluationOptions)MemberwiseClone();
}
