using GanMnist.Checkpoints;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// When the run ends, saves <see cref="TrainingContext.SamplingGenerator"/> (the weight average when one is kept) for
/// inference as <see cref="RunFolder.GeneratorFile"/> (<see cref="GeneratorFile"/>: weights, and for built-in models what
/// they are rebuilt from, and the dataset). Always added by default.
/// </summary>
public sealed class GeneratorExport : ITrainingCallback
{
    /// <summary>Writes the generator file.</summary>
    public void OnTrainingEnd(TrainingContext context, TrainingHistory history) =>
        TrainerModels.SaveGenerator(context.SamplingGenerator, context.Folder.GeneratorFile, context.Options, context.BuiltInModels, context.Dataset);
}
