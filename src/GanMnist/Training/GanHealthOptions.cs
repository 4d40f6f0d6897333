using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The watch for the silent failures of GAN training, and its thresholds. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Health</c>).</summary>
public sealed class GanHealthOptions
{
    /// <summary>
    /// Whether the trainer watches every step for the silent failures of GAN training (<see cref="Health.HealthIssue"/>:
    /// divergence, a discriminator that wins outright, frozen losses) and reports each one it sees as a warning in the
    /// log, the progress reports, the history, the report and TensorBoard.
    /// </summary>
    /// <value>Default: true.</value>
    public bool MonitorHealth { get; set; } = GanTrainerDefaults.MonitorHealth;

    /// <summary>Whether a health warning stops the run (after a checkpoint, with <see cref="Health.TrainingHealthException"/>) instead of only being reported.</summary>
    /// <value>Default: false.</value>
    public bool StopOnHealthWarning { get; set; }

    /// <summary>A loss whose magnitude exceeds this has diverged (the seeds' cross-entropy losses stay below 10).</summary>
    /// <value>Default: 10,000.</value>
    [Range(1e-3, double.MaxValue)]
    public double DivergenceBound { get; set; } = GanTrainerDefaults.DivergenceBound;

    /// <summary>A loss that grows to this many times the median magnitude of its first 20 steps (at least 0.1) has diverged.</summary>
    /// <value>Default: 1,000 (three orders of magnitude).</value>
    [Range(2, double.MaxValue)]
    public double DivergenceFactor { get; set; } = GanTrainerDefaults.DivergenceFactor;

    /// <summary>How many consecutive steps a discriminator must win outright, or the losses stay unchanged, before it is reported.</summary>
    /// <value>Default: 500 (about two epochs of the seeds' batch 256).</value>
    [Range(1, 100_000_000)]
    public int HealthWindowSteps { get; set; } = GanTrainerDefaults.HealthWindowSteps;

    internal GanHealthOptions Clone() => (GanHealthOptions)MemberwiseClone();
}
