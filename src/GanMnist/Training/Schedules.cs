namespace GanMnist.Training;

/// <summary>
/// The linear schedules of a run: instance noise's standard deviation, constant or annealed linearly to zero (Sønderby et
/// al. 2017), and the learning rates' factor under <see cref="GanScheduleOptions.LearningRateDecayEpochs"/>.
/// </summary>
internal static class Schedules
{
    /// <summary>
    /// The learning-rate factor of global step <paramref name="step"/> (from 0) of <paramref name="total"/> whose last
    /// <paramref name="decay"/> fall linearly: min(1, (total − step) / (decay + 1)), so the decay's steps take
    /// decay/(decay + 1) down to 1/(decay + 1), as pix2pix's <c>1 − max(0, e − n) / (n_decay + 1)</c> per epoch.
    /// </summary>
    public static double LearningRateFactor(long step, long total, long decay) => Math.Clamp((double)(total - step) / (decay + 1), 0, 1);

    /// <summary>σ at <paramref name="step"/> (from 0): σ₀ when <paramref name="annealSteps"/> is 0, else σ₀ · max(0, 1 − step / annealSteps).</summary>
    public static double InstanceNoise(double initial, long annealSteps, long step) =>
        annealSteps <= 0 ? initial : initial * Math.Max(0, 1 - ((double)step / annealSteps));
}
