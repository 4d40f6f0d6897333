using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>What a run writes and where: the run folder, TensorBoard, sample grids, progress, checkpoints, and resuming from one. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Output</c>).</summary>
public sealed class GanOutputOptions
{
    /// <summary>The folder for samples, the loss history and the chart.</summary>
    /// <value>Default: <c>ganmnist-run</c> (relative to the working directory).</value>
    [Required]
    public string OutputDirectory { get; set; } = GanTrainerDefaults.OutputDirectory;

    /// <summary>
    /// A folder for TensorBoard event files (relative paths are inside <see cref="OutputDirectory"/>): step losses, D(x),
    /// D(G(z)) and throughput every <see cref="LogEverySteps"/> steps; epoch means, evaluation metrics and sample grids per
    /// epoch; the options as text. Written with TorchSharp's SummaryWriter; view with <c>tensorboard --logdir DIR</c>.
    /// </summary>
    /// <value>Default: none (no event files).</value>
    public string? TensorBoardDirectory { get; set; }

    /// <summary>Write a sample grid every N epochs (and after the last); 0 writes none.</summary>
    /// <value>Default: 1.</value>
    [Range(0, 1_000_000)]
    public int SampleEveryEpochs { get; set; } = GanTrainerDefaults.SampleEveryEpochs;

    /// <summary>The sample grid is N x N images from fixed noise.</summary>
    /// <value>Default: 4 (16 images, as seed 002).</value>
    [Range(1, 32)]
    public int SampleGridSize { get; set; } = GanTrainerDefaults.SampleGridSize;

    /// <summary>Read the losses back to the host, check them and report progress every N steps.</summary>
    /// <value>Default: 50.</value>
    [Range(1, 1_000_000)]
    public int LogEverySteps { get; set; } = GanTrainerDefaults.LogEverySteps;

    /// <summary>Write a training checkpoint every N epochs (and after the last); 0 writes none.</summary>
    /// <value>Default: 15 (as seed 002).</value>
    [Range(0, 1_000_000)]
    public int CheckpointEveryEpochs { get; set; } = GanTrainerDefaults.CheckpointEveryEpochs;

    /// <summary>How many training checkpoints to keep (the oldest are deleted).</summary>
    /// <value>Default: 3.</value>
    [Range(1, 1000)]
    public int KeepCheckpoints { get; set; } = GanTrainerDefaults.KeepCheckpoints;

    /// <summary>Whether a cancelled run writes a checkpoint (after its last complete step) before it stops.</summary>
    /// <value>Default: true.</value>
    public bool CheckpointOnCancel { get; set; } = GanTrainerDefaults.CheckpointOnCancel;

    /// <summary>
    /// Continue a run: a checkpoint file, or a run folder (its newest valid checkpoint is used). <see cref="GanTrainerOptions.Epochs"/>
    /// is the total, as when the run was started; the checkpoint's seed replaces <see cref="GanTrainerOptions.Seed"/>.
    /// </summary>
    /// <value>Default: none (a new run).</value>
    public string? ResumeFrom { get; set; }

    /// <summary>When the newest checkpoint of a run folder is corrupt: fail (true) or fall back to the previous one with a warning (false).</summary>
    /// <value>Default: false.</value>
    public bool FailOnCorruptCheckpoint { get; set; }

    internal GanOutputOptions Clone() => (GanOutputOptions)MemberwiseClone();
}
