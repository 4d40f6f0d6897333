using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

/// <summary>A built-in G and D with their Adam optimisers and a <see cref="TrainingStep"/> over them, disposed together.</summary>
internal sealed class StepRig : IDisposable
{
    public StepRig(GanArchitecture architecture, ulong seed, IGanLoss? loss = null, UpdateSchedule schedule = UpdateSchedule.Alternating,
        Precision precision = Precision.Float32)
    {
        Random = new Generator(seed);
        G = GanModels.CreateGenerator(architecture, generator: Random);
        D = GanModels.CreateDiscriminator(architecture, generator: Random);
        GOptimizer = optim.Adam(G.Module.parameters(), 1e-4, 0.9, 0.999);
        DOptimizer = optim.Adam(D.Module.parameters(), 1e-4, 0.9, 0.999);
        Step = new TrainingStep(G, D, loss ?? GanLosses.NonSaturating, GOptimizer, DOptimizer, Random, schedule: schedule, precision: precision);
    }

    public Generator Random { get; }

    public IGenerator G { get; }

    public IDiscriminator D { get; }

    public TorchSharp.Modules.Adam GOptimizer { get; }

    public TorchSharp.Modules.Adam DOptimizer { get; }

    public TrainingStep Step { get; }

    public void Dispose()
    {
        GOptimizer.Dispose();
        DOptimizer.Dispose();
        G.Module.Dispose();
        D.Module.Dispose();
        Random.Dispose();
    }
}
