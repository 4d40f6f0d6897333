using GanMnist.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Training;

/// <summary>
/// An exponential moving average of a generator's weights (Karras et al. 2018; Yazıcı et al. 2019): after every
/// generator update, θ̄ ← β·θ̄ + (1 − β)·θ for each parameter, and buffers (batch-norm statistics) copied. The
/// average, a second model of the same architecture, is what samples, evaluations and the exported generator use.
/// </summary>
internal sealed class GeneratorAverage : IDisposable
{
    private readonly (Tensor Average, Tensor Live)[] _parameters;
    private readonly (Tensor Average, Tensor Live)[] _buffers;

    /// <summary>Starts the average at the model's current weights; <paramref name="copy"/> (same architecture) is owned from now on.</summary>
    public GeneratorAverage(IGenerator model, IGenerator copy, double decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(decay, 1);
        (Average, Decay) = (copy, decay);
        _parameters = Pair(model.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
            copy.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
        _buffers = Pair(model.Module.named_buffers(), copy.Module.named_buffers());
        foreach (var p in copy.Module.parameters())
        {
            p.requires_grad_(false);
        }

        using (no_grad())
        {
            foreach (var (average, live) in _parameters.Concat(_buffers))
            {
                average.copy_(live);
            }
        }

        copy.Module.eval();
    }

    /// <summary>The averaged generator (evaluation mode).</summary>
    public IGenerator Average { get; }

    /// <summary>β.</summary>
    public double Decay { get; }

    /// <summary>One update after a generator step.</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (average, live) in _parameters)
        {
            average.lerp_(live, 1 - Decay); // θ̄ + (1 − β)(θ − θ̄) = βθ̄ + (1 − β)θ, in place: one op, no temporaries
        }

        foreach (var (average, live) in _buffers)
        {
            average.copy_(live);
        }
    }

    public void Dispose() => Average.Module.Dispose();

    private static (Tensor, Tensor)[] Pair(IEnumerable<(string name, Tensor tensor)> live, IEnumerable<(string name, Tensor tensor)> average)
    {
        var byName = average.ToDictionary(p => p.name, p => p.tensor);
        return [.. live.Select(p => byName.TryGetValue(p.name, out var a)
            ? (a, p.tensor)
            : throw new InvalidOperationException($"The average model has no tensor '{p.name}'; it must be built like the generator."))];
    }
}
