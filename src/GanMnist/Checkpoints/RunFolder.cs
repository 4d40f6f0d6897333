using System.Globalization;
using System.Text.RegularExpressions;

namespace GanMnist.Checkpoints;

/// <summary>
/// The files and folders of one training run, by name: what the trainer writes into
/// the trainer's output folder and what the report, the checkpoint reader, the CLI and
/// the samples read back. Every run-folder name in GanMnist is spelled here and nowhere else.
/// </summary>
/// <remarks>
/// A run folder holds <c>options.json</c> (the options trained with), <c>run.json</c> (dataset, seed, device),
/// <c>history.csv</c> and <c>history.json</c> (one row per epoch), <c>evaluation-real.json</c> (the real images'
/// metrics, when evaluating), <c>losses.svg</c> and <c>fid.svg</c> (charts), <c>samples/epoch_NNNN.png</c> (fixed-noise
/// grids), <c>checkpoints/step_NNNNNNNNNN.safetensors</c> (training checkpoints, named by global step so that the
/// ordinal order is the order written), <c>generator.safetensors</c> (written when training finishes),
/// <c>report.html</c>, and <c>.ganmnist.lock</c> with <c>.ganmnist.lock.owner</c> while a training holds the folder.
/// Nothing here touches the disk except <see cref="FindCheckpoints"/> and <see cref="FindSampleFiles"/>.
/// </remarks>
public sealed partial class RunFolder
{
    private const string CheckpointPrefix = "step_";
    private const string SafeTensors = ".safetensors";
    private const string SamplePrefix = "epoch_";

    /// <summary>A run folder at <paramref name="path"/> (made absolute; it need not exist).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    public RunFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The folder, absolute.</summary>
    public string Path { get; }

    /// <summary><c>options.json</c>: the options the run trained with.</summary>
    public string OptionsFile => Combine(OptionsFileName);

    /// <summary><c>run.json</c>: the dataset, seed and device of the run.</summary>
    public string RunFile => Combine("run.json");

    /// <summary><c>history.csv</c>: one row per epoch (losses, scores, speed, evaluation).</summary>
    public string HistoryCsvFile => Combine("history.csv");

    /// <summary><c>history.json</c>: the same rows as <see cref="HistoryCsvFile"/>, with every per-step value.</summary>
    public string HistoryJsonFile => Combine("history.json");

    /// <summary><c>evaluation-real.json</c>: the evaluation of real test images, the report's reference row.</summary>
    public string RealEvaluationFile => Combine("evaluation-real.json");

    /// <summary><c>losses.svg</c>: the loss chart.</summary>
    public string LossChartFile => Combine("losses.svg");

    /// <summary><c>fid.svg</c>: the FID chart, once the run has been evaluated.</summary>
    public string FidChartFile => Combine("fid.svg");

    /// <summary><c>report.html</c>: the self-contained report.</summary>
    public string ReportFile => Combine(ReportFileName);

    /// <summary><c>generator.safetensors</c>: the final generator (the weight average where kept), written when training finishes.</summary>
    public string GeneratorFile => Combine(GeneratorFileName);

    /// <summary><c>samples</c>: the fixed-noise grids, one per sampled epoch.</summary>
    public string SamplesFolder => Combine("samples");

    /// <summary><c>checkpoints</c>: the training checkpoints.</summary>
    public string CheckpointsFolder => Combine(CheckpointsFolderName);

    /// <summary><c>.ganmnist.lock</c>: locked by the training that holds the folder.</summary>
    internal string LockFile => Combine(".ganmnist.lock");

    /// <summary><c>.ganmnist.lock.owner</c>: who holds <see cref="LockFile"/>, for the message another training gets.</summary>
    internal string LockOwnerFile => Combine(".ganmnist.lock.owner");

    /// <summary>The file name of <see cref="OptionsFile"/>, for messages.</summary>
    internal const string OptionsFileName = "options.json";

    /// <summary>The file name of <see cref="ReportFile"/>.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>The file name of <see cref="GeneratorFile"/>.</summary>
    public const string GeneratorFileName = "generator.safetensors";

    /// <summary>The folder name of <see cref="CheckpointsFolder"/>.</summary>
    internal const string CheckpointsFolderName = "checkpoints";

    /// <summary>The grid of <paramref name="epoch"/>: <c>samples/epoch_NNNN.png</c>.</summary>
    /// <param name="epoch">The epoch, 1 or more.</param>
    public string SampleFile(int epoch) =>
        System.IO.Path.Combine(SamplesFolder, $"{SamplePrefix}{epoch.ToString("D4", CultureInfo.InvariantCulture)}.png");

    /// <summary>
    /// The grid of <paramref name="epoch"/> enlarged <see cref="Imaging.ImageGrid.LargeScale"/> times for people to look at:
    /// <c>samples/epoch_NNNN@4x.png</c> (the <c>@4x</c> suffix as image assets name their scale).
    /// </summary>
    /// <param name="epoch">The epoch, 1 or more.</param>
    public string LargeSampleFile(int epoch) =>
        System.IO.Path.Combine(SamplesFolder, $"{SamplePrefix}{epoch.ToString("D4", CultureInfo.InvariantCulture)}@{Imaging.ImageGrid.LargeScale.ToString(CultureInfo.InvariantCulture)}x.png");

    /// <summary>The checkpoint written after <paramref name="globalStep"/> steps: <c>checkpoints/step_NNNNNNNNNN.safetensors</c>.</summary>
    /// <param name="globalStep">Steps trained so far, 0 or more.</param>
    public string CheckpointFile(long globalStep) =>
        System.IO.Path.Combine(CheckpointsFolder, CheckpointPrefix + globalStep.ToString("D10", CultureInfo.InvariantCulture) + SafeTensors);

    /// <summary>The pattern of the checkpoints' file names, for messages.</summary>
    internal string CheckpointPattern => System.IO.Path.Combine(CheckpointsFolder, CheckpointPrefix + "*" + SafeTensors);

    /// <summary>The checkpoint files in the folder, newest first (by name, which is by global step); none when there is no checkpoints folder.</summary>
    /// <remarks>It lists files; whether each is a valid checkpoint is for <see cref="TrainingCheckpoint.Read"/> to say.</remarks>
    public IReadOnlyList<string> FindCheckpoints() =>
        Directory.Exists(CheckpointsFolder)
            ? [.. Directory.GetFiles(CheckpointsFolder, CheckpointPrefix + "*" + SafeTensors).OrderByDescending(System.IO.Path.GetFileName, StringComparer.Ordinal)]
            : [];

    /// <summary>The sample grids in the folder with their epochs, oldest first; none when there is no samples folder.</summary>
    public IReadOnlyList<(int Epoch, string Path)> FindSampleFiles() =>
        Directory.Exists(SamplesFolder)
            ? [.. Directory.GetFiles(SamplesFolder, SamplePrefix + "*.png")
                .Select(p => (Match: SampleName().Match(System.IO.Path.GetFileName(p)), Path: p))
                .Where(m => m.Match.Success)
                .Select(m => (int.Parse(m.Match.Groups[1].Value, CultureInfo.InvariantCulture), m.Path))
                .OrderBy(s => s.Item1)]
            : [];

    /// <inheritdoc />
    public override string ToString() => Path;

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    [GeneratedRegex(@"^epoch_(\d{1,9})\.png$")]
    private static partial Regex SampleName();
}
