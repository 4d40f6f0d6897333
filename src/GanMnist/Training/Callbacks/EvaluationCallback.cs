using System.Text.Json;
using GanMnist.Evaluation;
using GanMnist.IO;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Evaluates the sampling generator (<see cref="TrainingContext.SamplingGenerator"/>) every <c>everyEpochs</c> epochs and
/// after the last, and writes the real test images' scores to the run folder's <see cref="Checkpoints.RunFolder.RealEvaluationFile"/>
/// when training starts (the report compares against them). The trainer puts each result in the epoch's summary and in
/// <see cref="TrainingContext.Evaluation"/>. Added by default when <see cref="GanEvaluationOptions.EvaluateEveryEpochs"/> is above 0
/// (with an evaluator the trainer loads and disposes); <c>EvaluateWith</c> on the builder adds one with your evaluator.
/// </summary>
public sealed class EvaluationCallback : ITrainingCallback
{
    private readonly GanEvaluator _evaluator;
    private readonly int _everyEpochs;

    /// <summary>Evaluates with <paramref name="evaluator"/> (not disposed by the callback) every <paramref name="everyEpochs"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="everyEpochs"/> is below 1.</exception>
    public EvaluationCallback(GanEvaluator evaluator, int everyEpochs = 1)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentOutOfRangeException.ThrowIfLessThan(everyEpochs, 1);
        (_evaluator, _everyEpochs) = (evaluator, everyEpochs);
    }

    /// <summary>Writes the real images' scores, when the evaluator has them.</summary>
    public void OnTrainingStart(TrainingContext context)
    {
        if (_evaluator.Real is { } real)
        {
            AtomicFile.WriteAllText(context.Folder.RealEvaluationFile, JsonSerializer.Serialize(real, JsonSettings.Options));
        }
    }

    /// <summary>The evaluation of this epoch's end, or null on epochs that are not evaluated.</summary>
    public EvaluationResult? OnEvaluate(TrainingContext context, int epoch) =>
        epoch % _everyEpochs == 0 || epoch == context.Options.Epochs ? _evaluator.Evaluate(context.SamplingGenerator) : null;
}
