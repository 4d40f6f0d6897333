namespace GanMnist.Training;

/// <summary>Instance noise's standard deviation over a run: constant, or annealed linearly to zero (Sønderby et al. 2017).</summary>
internal static class InstanceNoiseSchedule
{
    /// <summary>σ at <paramref name="step"/> (from 0): σ₀ when <paramref name="annealSteps"/> is 0, else σ₀ · max(0, 1 − step / annealSteps).</summary>
    public static double At(double initial, long annealSteps, long step) =>
        annealSteps <= 0 ? initial : initial * Math.Max(0, 1 - ((double)step / annealSteps));
}
