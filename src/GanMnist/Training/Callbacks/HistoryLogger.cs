using GanMnist.Imaging;
using GanMnist.IO;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Writes the history after every epoch and at the end (Keras' <c>CSVLogger</c>): <see cref="Checkpoints.RunFolder.HistoryCsvFile"/>
/// and <see cref="Checkpoints.RunFolder.HistoryJsonFile"/>, the loss chart <see cref="Checkpoints.RunFolder.LossChartFile"/> and,
/// once an epoch was evaluated, the FID chart <see cref="Checkpoints.RunFolder.FidChartFile"/>. Each file is replaced whole. Always
/// added by default: the report and a resume read these files.
/// </summary>
public sealed class HistoryLogger : ITrainingCallback
{
    /// <summary>Writes the files with the epoch just added.</summary>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary) => Write(context);

    /// <summary>Writes the files once more when the run ends.</summary>
    public void OnTrainingEnd(TrainingContext context, TrainingHistory history) => Write(context);

    private static void Write(TrainingContext context)
    {
        var (folder, history) = (context.Folder, context.History);
        AtomicFile.WriteAllText(folder.HistoryCsvFile, history.BuildCsv());
        AtomicFile.Write(folder.HistoryJsonFile, history.WriteJson);
        if (history.Epochs.Count > 0)
        {
            var x = history.Epochs.Select(e => (double)e.Epoch).ToArray();
            AtomicFile.WriteAllText(folder.LossChartFile, LossChart.Svg($"GanMnist losses ({context.Loss.Name})", x,
            [
                ("discriminator", history.Epochs.Select(e => e.DiscriminatorLoss).ToArray()),
                ("generator", history.Epochs.Select(e => e.GeneratorLoss).ToArray()),
            ]));
        }

        var evaluated = history.Epochs.Where(e => e.Evaluation is not null).ToList();
        if (evaluated.Count > 0)
        {
            AtomicFile.WriteAllText(folder.FidChartFile, LossChart.Svg("Fréchet distance to MNIST (classifier features)",
                evaluated.Select(e => (double)e.Epoch).ToArray(), [("FID", evaluated.Select(e => e.Evaluation!.FrechetDistance).ToArray())]));
        }
    }
}
