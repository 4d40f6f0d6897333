namespace GanMnist.Training.Callbacks;

/// <summary>
/// Lowers both learning rates linearly to zero over the run's last <c>decayEpochs</c> epochs, step by step (pix2pix's and
/// CycleGAN's "linear" policy, Zhu et al. 2017; Keras' <c>LearningRateScheduler</c> is the same kind of callback). Before
/// global step s of S (from 0) the rates are the configured ones times min(1, (S − s) / (D + 1)), D the decay's steps.
/// Added by default when <see cref="GanScheduleOptions.LearningRateDecayEpochs"/> is above 0.
/// </summary>
public sealed class LearningRateScheduler : ITrainingCallback
{
    private readonly int _decayEpochs;

    /// <summary>A linear decay over the last <paramref name="decayEpochs"/> epochs of the run.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decayEpochs"/> is below 1.</exception>
    public LearningRateScheduler(int decayEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(decayEpochs, 1);
        _decayEpochs = decayEpochs;
    }

    /// <summary>Sets the rates of the step the run starts (or resumes) at, so the first callbacks see them.</summary>
    public void OnTrainingStart(TrainingContext context) => Apply(context, context.GlobalStep);

    /// <summary>Sets the rates of the step about to run.</summary>
    public void OnStepStart(TrainingContext context, StepInfo step) => Apply(context, step.GlobalStep - 1);

    private void Apply(TrainingContext context, long stepsDone)
    {
        var factor = Schedules.LearningRateFactor(stepsDone, (long)context.Options.Epochs * context.StepsPerEpoch, (long)_decayEpochs * context.StepsPerEpoch);
        context.SetLearningRates(context.Options.Optimization.GeneratorLearningRate * factor, context.Options.Optimization.DiscriminatorLearningRate * factor);
    }
}
