using GanMnist.Training.Reporting;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Rewrites the run folder's HTML report (<see cref="TrainingReport"/>) after every epoch, once the epoch's history files
/// and grids are written. Always added by default.
/// </summary>
public sealed class TrainingReportCallback : ITrainingCallback
{
    /// <summary>Writes <see cref="Checkpoints.RunFolder.ReportFile"/>.</summary>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary) => TrainingReport.Write(context.Folder);
}
