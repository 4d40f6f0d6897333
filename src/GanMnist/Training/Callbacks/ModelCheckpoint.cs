namespace GanMnist.Training.Callbacks;

/// <summary>
/// Writes a training checkpoint (<see cref="TrainingContext.SaveCheckpoint"/>: everything a resume needs) every
/// <c>everyEpochs</c> epochs and after the last (Lightning's <c>ModelCheckpoint</c>, which Lightning also runs after the
/// other callbacks). It runs after your callbacks, so the state they leave (the default random generator included) is the
/// state a resume continues from. Added by default when <see cref="GanOutputOptions.CheckpointEveryEpochs"/> is above 0.
/// </summary>
public sealed class ModelCheckpoint : ITrainingCallback
{
    private readonly int _everyEpochs;

    /// <summary>A checkpoint every <paramref name="everyEpochs"/> epochs and after the last.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="everyEpochs"/> is below 1.</exception>
    public ModelCheckpoint(int everyEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyEpochs, 1);
        _everyEpochs = everyEpochs;
    }

    /// <summary>Checkpoints at the chosen epochs' ends.</summary>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        if (summary.Epoch % _everyEpochs == 0 || summary.Epoch == context.Options.Epochs)
        {
            context.SaveCheckpoint();
        }
    }
}
