using System.Globalization;

namespace GanMnist.Health;

/// <summary>What a <see cref="HealthWarning"/> is about.</summary>
public enum HealthIssue
{
    /// <summary>A loss grew by orders of magnitude over its first steps, or beyond <c>GanTrainerOptions.Health.DivergenceBound</c>.</summary>
    Divergence,

    /// <summary>D(x) above 0.99 and D(G(z)) below 0.01 for a whole window: the discriminator wins outright and G learns nothing.</summary>
    DiscriminatorWins,

    /// <summary>Both losses unchanged (to a millionth) for a whole window: the networks stopped learning.</summary>
    FrozenLosses,
}

/// <summary>A run going wrong: what was seen, since when, and what usually helps.</summary>
/// <param name="Issue">What kind of failure.</param>
/// <param name="Epoch">The epoch in which it was first seen, from 1.</param>
/// <param name="GlobalStep">The step of the run since which it holds (divergence: the step it was seen), from 1.</param>
/// <param name="Message">One sentence for a person: what was seen, since when, what usually helps.</param>
public sealed record HealthWarning(HealthIssue Issue, int Epoch, long GlobalStep, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>
/// Watches every step's losses and discriminator scores as the trainer reads them back (no extra device round-trip)
/// for the silent failures of GAN training that public trainers' users report: losses that run away (pytorch/examples
/// #822: Loss_G towards 100 and beyond with too high a learning rate), a discriminator that wins outright (Loss_D at 0,
/// D(x) 1, D(G(z)) 0; Goodfellow et al. 2014, section 3: G's gradient then vanishes), and losses frozen for hundreds of
/// steps (StudioGAN #112). Each issue is reported once, when first seen. Growth against the first steps is judged only
/// for losses of bounded scale (cross-entropy, least squares, hinge: <paramref name="relativeDivergence"/>); a
/// Wasserstein critic's values have no fixed scale, and there only <paramref name="divergenceBound"/> applies.
/// </summary>
internal sealed class HealthMonitor(double divergenceBound, double divergenceFactor, int window, bool scoresAreProbabilities, bool relativeDivergence = true)
{
    /// <summary>Steps whose median |loss| is each loss's baseline for <see cref="HealthIssue.Divergence"/>.</summary>
    private const int BaselineSteps = 20;

    /// <summary>A baseline below this (a loss near 0 at the start) is raised to it, so that ratios stay meaningful.</summary>
    private const double BaselineFloor = 0.1;

    private readonly List<double>[] _first = [[], []];
    private readonly double[] _baseline = [double.NaN, double.NaN];
    private readonly HashSet<HealthIssue> _reported = [];
    private long _winsSince = -1;
    private long _frozenSince = -1;
    private (double D, double G) _frozenAt;

    /// <summary>Takes one step's values; returns the warning it raises, if any.</summary>
    public HealthWarning? Observe(int epoch, long globalStep, double dLoss, double gLoss, double realScore, double fakeScore) =>
        Divergence(epoch, globalStep, dLoss, gLoss) ?? Wins(epoch, globalStep, realScore, fakeScore) ?? Frozen(epoch, globalStep, dLoss, gLoss);

    private HealthWarning? Divergence(int epoch, long step, double dLoss, double gLoss)
    {
        double[] losses = [dLoss, gLoss];
        for (var i = 0; i < 2; i++)
        {
            if (double.IsNaN(_baseline[i]))
            {
                _first[i].Add(Math.Abs(losses[i]));
                if (_first[i].Count == BaselineSteps)
                {
                    _first[i].Sort();
                    _baseline[i] = Math.Max(_first[i][BaselineSteps / 2], BaselineFloor);
                }
            }

            var magnitude = Math.Abs(losses[i]);
            var ratio = double.IsNaN(_baseline[i]) || !relativeDivergence ? 0 : magnitude / _baseline[i];
            if ((magnitude > divergenceBound || ratio > divergenceFactor) && _reported.Add(HealthIssue.Divergence))
            {
                var name = i == 0 ? "discriminator" : "generator";
                var growth = ratio <= divergenceFactor ? string.Empty
                    : string.Create(CultureInfo.InvariantCulture, $", {ratio:G3} times the {_baseline[i]:G3} of its first {BaselineSteps} steps");
                return new(HealthIssue.Divergence, epoch, step,
                    string.Create(CultureInfo.InvariantCulture, $"Divergence: the {name} loss reached {losses[i]:G4} at step {step} (epoch {epoch}){growth}.") +
                    " The learning rates are usually too high (the seeds use 1e-4: try ten times lower), or D needs a penalty (R1Weight, or the WassersteinGp loss).");
            }
        }

        return null;
    }

    private HealthWarning? Wins(int epoch, long step, double real, double fake)
    {
        if (!scoresAreProbabilities || _reported.Contains(HealthIssue.DiscriminatorWins))
        {
            return null;
        }

        if (!(real > 0.99 && fake < 0.01))
        {
            _winsSince = -1;
            return null;
        }

        _winsSince = _winsSince < 0 ? step : _winsSince;
        if (step - _winsSince + 1 < window)
        {
            return null;
        }

        _reported.Add(HealthIssue.DiscriminatorWins);
        return new(HealthIssue.DiscriminatorWins, epoch, _winsSince,
            string.Create(CultureInfo.InvariantCulture, $"The discriminator wins outright: D(x) above 0.99 and D(G(z)) below 0.01 on every step since step {_winsSince} ({window} steps; now {real:F4} and {fake:F4}), so G gets almost no gradient.") +
            " What usually helps: a lower discriminator learning rate (DiscriminatorLearningRate, --lr-d), one-sided label smoothing (LabelSmoothing 0.9), instance noise (InstanceNoise), or R1 (R1Weight).");
    }

    private HealthWarning? Frozen(int epoch, long step, double dLoss, double gLoss)
    {
        if (_reported.Contains(HealthIssue.FrozenLosses))
        {
            return null;
        }

        static bool Same(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));
        if (_frozenSince < 0 || !Same(dLoss, _frozenAt.D) || !Same(gLoss, _frozenAt.G))
        {
            (_frozenSince, _frozenAt) = (step, (dLoss, gLoss));
            return null;
        }

        if (step - _frozenSince + 1 < window)
        {
            return null;
        }

        _reported.Add(HealthIssue.FrozenLosses);
        return new(HealthIssue.FrozenLosses, epoch, _frozenSince,
            string.Create(CultureInfo.InvariantCulture, $"Losses frozen: D loss {dLoss:G6} and G loss {gLoss:G6} have not changed since step {_frozenSince} ({window} steps): the networks stopped learning (saturated outputs, or a learning rate of 0).") +
            " What usually helps: lower learning rates, the NonSaturating loss, or a restart from an earlier checkpoint.");
    }
}

/// <summary>A run stopped by a health warning (<c>GanTrainerOptions.Health.StopOnHealthWarning</c>), after writing a checkpoint.</summary>
public sealed class TrainingHealthException : Exception
{
    internal TrainingHealthException(HealthWarning warning, string? checkpoint)
        : base(warning.Message + (checkpoint is null ? " Training stopped." : $" Training stopped after writing {checkpoint}."))
    {
        (Warning, Checkpoint) = (warning, checkpoint);
    }

    /// <summary>The warning that stopped the run.</summary>
    public HealthWarning Warning { get; }

    /// <summary>The checkpoint written before stopping, or null when the run writes none (<c>GanTrainerOptions.Output.CheckpointEveryEpochs</c> 0).</summary>
    public string? Checkpoint { get; }
}
