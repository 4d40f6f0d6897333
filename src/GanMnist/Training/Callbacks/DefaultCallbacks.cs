using GanMnist.Evaluation;

namespace GanMnist.Training.Callbacks;

/// <summary>The callbacks a run gets from its options, around the host's own, in the order of docs/architecture.md.</summary>
internal static class DefaultCallbacks
{
    /// <summary>
    /// Schedule, evaluation, history, TensorBoard, samples, report and export; then <paramref name="own"/> in the order given;
    /// then checkpoints and memory trimming, so a checkpoint holds the state every other callback left.
    /// </summary>
    public static List<ITrainingCallback> Around(GanTrainerOptions options, GanEvaluator? evaluator, IEnumerable<ITrainingCallback> own)
    {
        var callbacks = new List<ITrainingCallback>();
        if (options.LearningRateDecayEpochs > 0)
        {
            callbacks.Add(new LearningRateScheduler(options.LearningRateDecayEpochs));
        }

        if (evaluator is not null)
        {
            callbacks.Add(new EvaluationCallback(evaluator, options.EvaluateEveryEpochs));
        }

        callbacks.Add(new HistoryLogger());
        if (options.TensorBoardDirectory is { } board)
        {
            callbacks.Add(new TensorBoardLogger(board));
        }

        if (options.SampleEveryEpochs > 0)
        {
            callbacks.Add(new SampleGridCallback(options.SampleEveryEpochs, options.SampleGridSize));
        }

        callbacks.Add(new TrainingReportCallback());
        callbacks.Add(new GeneratorExport());
        callbacks.AddRange(own);
        if (options.CheckpointEveryEpochs > 0)
        {
            callbacks.Add(new ModelCheckpoint(options.CheckpointEveryEpochs));
        }

        callbacks.Add(new MemoryTrimming());
        return callbacks;
    }
}
