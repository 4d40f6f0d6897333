using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>What changes over the run's steps: the learning rates' decay and the moving average of the generator's weights. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Schedule</c>).</summary>
public sealed class GanScheduleOptions
{
    /// <summary>
    /// Lower both learning rates linearly to zero over the last N epochs, step by step (pix2pix's and CycleGAN's "linear"
    /// policy, Zhu et al. 2017: constant, then linear decay to zero); 0 keeps them constant. At global step s of S (from 0)
    /// the rates are the configured ones times min(1, (S − s) / (D + 1)), D the decay's steps: D/(D + 1) at the decay's
    /// first step down to 1/(D + 1) at the last.
    /// </summary>
    /// <value>Default: 0 (at most <see cref="GanTrainerOptions.Epochs"/>; the <see cref="GanPreset.Conv"/> preset: 10).</value>
    [Range(0, 1_000_000)]
    public int LearningRateDecayEpochs { get; set; }

    /// <summary>Decay β of an exponential moving average of the generator's weights, used for samples, evaluation and export; none keeps no average.</summary>
    /// <value>Default: none (typical: 0.999).</value>
    [Range(0.0, 0.999999)]
    public double? EmaDecay { get; set; }

    internal GanScheduleOptions Clone() => (GanScheduleOptions)MemberwiseClone();
}
