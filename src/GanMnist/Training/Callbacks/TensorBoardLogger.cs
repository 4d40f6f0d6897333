using GanMnist.Health;
using GanMnist.IO;
using Microsoft.Extensions.Logging;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Writes the run as a TensorBoard event file in <c>logDirectory</c> (Lightning's <c>TensorBoardLogger</c>; the format of
/// <c>torch.utils.tensorboard.SummaryWriter</c>): the options as text when training starts, the step scalars at every
/// progress report, the epoch and evaluation scalars at every epoch's end, each sample grid, and health warnings as text.
/// Added by default when <see cref="GanOutputOptions.TensorBoardDirectory"/> is set (the trainer then disposes it, also when
/// a run fails); one you add yourself closes its file when the run ends, and is yours to dispose when a run fails.
/// </summary>
public sealed partial class TensorBoardLogger : ITrainingCallback, IDisposable
{
    private readonly string _logDirectory;
    private TensorBoardWriter? _writer;

    /// <summary>Writes to <paramref name="logDirectory"/>; a relative path is taken from the run's output folder (empty: the output folder itself).</summary>
    public TensorBoardLogger(string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(logDirectory);
        _logDirectory = logDirectory;
    }

    /// <summary>Opens the event file and writes the options.</summary>
    public void OnTrainingStart(TrainingContext context)
    {
        _writer?.Dispose();
        _writer = new TensorBoardWriter(Path.GetFullPath(_logDirectory, context.OutputDirectory), context.Options, JsonSettings.Options);
        LogDirectory(context.Logger, _writer.LogDirectory);
    }

    /// <summary>The step scalars.</summary>
    public void OnProgress(TrainingContext context, TrainingProgress progress) => _writer?.Step(progress);

    /// <summary>The warning as text.</summary>
    public void OnHealthWarning(TrainingContext context, HealthWarning warning) => _writer?.Health(warning);

    /// <summary>The epoch's scalars (and its evaluation's).</summary>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary) => _writer?.Epoch(summary);

    /// <summary>The grid, as an image at the epoch.</summary>
    public void OnSampleWritten(TrainingContext context, int epoch, string path) => _writer?.Samples(path, epoch);

    /// <summary>Closes the event file.</summary>
    public void OnTrainingEnd(TrainingContext context, TrainingHistory history) => Dispose();

    /// <summary>Closes the event file (the trainer calls it also when a run fails).</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TensorBoard event files go to {Directory} (tensorboard --logdir {Directory})")]
    private static partial void LogDirectory(ILogger logger, string directory);
}
