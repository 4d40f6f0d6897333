using GanMnist.Torch.PInvoke;
using static GanMnist.Torch.torch;

namespace GanMnist.Torch.Modules;

/// <summary>
/// Adam as <c>torch.optim.Adam</c> (no amsgrad): per parameter, m ← β₁m + (1-β₁)g,
/// v ← β₂v + (1-β₂)g², p ← p - lr·m/(1-β₁ᵗ) / (√v/√(1-β₂ᵗ) + ε), with L2 weight decay added to g.
/// The moments and step counts can be read and restored exactly (<see cref="state_dict"/>).
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly nn.Parameter[] _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly long[] _steps;
    private readonly Tensor[] _stepOperands; // parameters, then first moments, then second moments

    internal Adam(IEnumerable<nn.Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Check(lr >= 0, nameof(lr), lr, "must be >= 0");
        Check(beta1 is >= 0 and < 1, nameof(beta1), beta1, "must be in [0, 1)");
        Check(beta2 is >= 0 and < 1, nameof(beta2), beta2, "must be in [0, 1)");
        Check(eps >= 0, nameof(eps), eps, "must be >= 0");
        Check(weight_decay >= 0, nameof(weight_decay), weight_decay, "must be >= 0");
        (LearningRate, Beta1, Beta2, Eps, WeightDecay) = (lr, beta1, beta2, eps, weight_decay);
        _parameters = parameters.ToArray();
        if (_parameters.Distinct(ReferenceEqualityComparer.Instance).Count() != _parameters.Length)
        {
            throw new ArgumentException("A parameter appears more than once.", nameof(parameters));
        }

        _expAvg = Array.ConvertAll(_parameters, ZerosLike);
        _expAvgSq = Array.ConvertAll(_parameters, ZerosLike);
        _steps = new long[_parameters.Length];
        _stepOperands = [.. _parameters, .. _expAvg, .. _expAvgSq];
    }

    /// <summary>The learning rate; may be changed between steps (schedules, TTUR).</summary>
    public double LearningRate { get; set; }

    /// <summary>The first-moment decay β₁.</summary>
    public double Beta1 { get; }

    /// <summary>The second-moment decay β₂.</summary>
    public double Beta2 { get; }

    /// <summary>The denominator's ε.</summary>
    public double Eps { get; }

    /// <summary>The L2 penalty added to each gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>The parameters, in the order their state is kept.</summary>
    public IReadOnlyList<nn.Parameter> Parameters => _parameters;

    /// <summary>Updates every parameter that has a gradient (one native call for all of them).</summary>
    public unsafe void step()
    {
        var n = _parameters.Length;
        var status = Tensor.WithHandles(_stepOperands, (p, _) =>
        {
            var h = (IntPtr*)p;
            fixed (long* steps = _steps)
            {
                return NativeMethods.gmt_optim_adam_step(h, h + n, h + (2 * n), steps, n, LearningRate, Beta1, Beta2, Eps, WeightDecay);
            }
        });
        NativeErrors.Check(status);
    }

    /// <summary>Clears the gradients of every parameter (sets them to none).</summary>
    public void zero_grad()
    {
        foreach (var p in _parameters)
        {
            p.ClearGrad();
        }
    }

    /// <summary>
    /// A copy of the optimizer's state: hyper-parameters, and per parameter its step count and
    /// moment estimates (cloned: the caller owns them, and later steps do not change them).
    /// </summary>
    public AdamState state_dict()
    {
        using (no_grad())
        {
            var entries = new AdamParameterState[_parameters.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new AdamParameterState(_steps[i], Owned(_expAvg[i].clone()), Owned(_expAvgSq[i].clone()));
            }

            return new AdamState(LearningRate, Beta1, Beta2, Eps, WeightDecay, entries);
        }
    }

    /// <summary>
    /// Restores a state from <see cref="state_dict"/>: the next steps are then identical to those the
    /// saved optimizer would have taken. Everything is checked before anything is changed.
    /// </summary>
    /// <exception cref="ArgumentException">The state's parameter count or a moment's shape does not match.</exception>
    public void load_state_dict(AdamState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Parameters.Count != _parameters.Length)
        {
            throw new ArgumentException($"The Adam state has {state.Parameters.Count} parameters but the optimizer has {_parameters.Length}.", nameof(state));
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var expected = _parameters[i].shape;
            var entry = state.Parameters[i];
            if (!entry.ExpAvg.shape.SequenceEqual(expected) || !entry.ExpAvgSq.shape.SequenceEqual(expected) || entry.Step < 0)
            {
                throw new ArgumentException(
                    $"Adam state entry {i} does not fit parameter {i} of shape [{string.Join(", ", expected)}] " +
                    $"(exp_avg [{string.Join(", ", entry.ExpAvg.shape)}], exp_avg_sq [{string.Join(", ", entry.ExpAvgSq.shape)}], step {entry.Step}).",
                    nameof(state));
            }
        }

        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _expAvg[i].copy_(state.Parameters[i].ExpAvg);
                _expAvgSq[i].copy_(state.Parameters[i].ExpAvgSq);
                _steps[i] = state.Parameters[i].Step;
            }
        }

        LearningRate = state.LearningRate;
    }

    /// <summary>Frees the moment estimates (the parameters belong to their modules).</summary>
    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq))
        {
            t.Dispose();
        }
    }

    private static Tensor Owned(Tensor t) => t.DetachFromDisposeScope();

    private static Tensor ZerosLike(Tensor p) => Owned(zeros(p.shape, p.dtype, p.device));

    private static void Check(bool ok, string name, double value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Adam {name} {rule}.");
        }
    }
}

/// <summary>One parameter's Adam state: its step count and first and second moment estimates.</summary>
/// <param name="Step">Updates applied to the parameter.</param>
/// <param name="ExpAvg">First moment estimate m.</param>
/// <param name="ExpAvgSq">Second moment estimate v.</param>
public sealed record AdamParameterState(long Step, Tensor ExpAvg, Tensor ExpAvgSq);

/// <summary>A saved Adam optimizer: its hyper-parameters and per-parameter state, in parameter order. Dispose frees the tensors.</summary>
/// <param name="LearningRate">The learning rate at the time of saving.</param>
/// <param name="Beta1">β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="Eps">ε.</param>
/// <param name="WeightDecay">The L2 penalty.</param>
/// <param name="Parameters">Per-parameter state.</param>
public sealed record AdamState(double LearningRate, double Beta1, double Beta2, double Eps, double WeightDecay,
    IReadOnlyList<AdamParameterState> Parameters) : IDisposable
{
    /// <summary>Frees the moment tensors.</summary>
    public void Dispose()
    {
        foreach (var p in Parameters)
        {
            p.ExpAvg.Dispose();
            p.ExpAvgSq.Dispose();
        }
    }
}
