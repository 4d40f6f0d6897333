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
        if (options.Schedule.LearningRateDecayEpochs > 0)
        {
            callbacks.Add(new LearningRateScheduler(options.Schedule.LearningRateDecayEpochs));
        }

        if (evaluator is not null)
        {
            callbacks.Add(new EvaluationCallback(evaluator, options.Evaluation.EvaluateEveryEpochs));
        }

        callbacks.Add(new HistoryLogger());
        if (options.Output.TensorBoardDirectory is { } board)
        {
            callbacks.Add(new TensorBoardLogger(board));
        }

        if (options.Output.SampleEveryEpochs > 0)
        {
            callbacks.Add(new SampleGridCallback(options.Output.SampleEveryEpochs, options.Output.SampleGridSize));
        }

        callbacks.Add(new TrainingReportCallback());
        callbacks.Add(new GeneratorExport());
        callbacks.AddRange(own);
        if (options.Output.CheckpointEveryEpochs > 0)
        {
            callbacks.Add(new ModelCheckpoint(options.Output.CheckpointEveryEpochs));
        }

        callbacks.Add(new MemoryTrimming());
        return callbacks;
    }
}
