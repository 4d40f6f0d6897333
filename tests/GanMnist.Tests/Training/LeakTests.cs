using GanMnist.Evaluation;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

/// <summary>Tests that read or depend on process-wide state (the live-tensor count, libtorch's default random generator) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCollection
{
    public const string Name = "Live tensor count";
}

[Collection(LiveTensorCollection.Name)]
public sealed class LeakTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Theory]
    [InlineData(GanArchitecture.Mlp, GanLossKind.NonSaturating)]
    [InlineData(GanArchitecture.Mlp, GanLossKind.WassersteinGp)]
    [InlineData(GanArchitecture.Dcgan, GanLossKind.NonSaturating)]
    public async Task TrainAsync_WholeRun_LeavesNoNativeTensorBehind(GanArchitecture architecture, GanLossKind loss)
    {
        using var output = new TempFolder();
        // TorchSharp's count is of wrappers created and not disposed: its layer constructors leave some of theirs (their
        // initialisation temporaries, the wrapper a Parameter is made from) uncounted down for good. So the count is
        // compared with what building the same models holds, and leaves behind once disposed.
        // Per-step disposal is proven without any GC by TrainingStep_EveryTensorOfTenSteps_IsCreatedInTheStepScopeAndFreed.
        var (held, leftByConstruction) = ModelConstruction(architecture);
        var baseline = Tensor.TotalCount;

        var afterRun = await TrainAndDispose(architecture, loss, output.Path);

        afterRun.Should().Be(baseline + held, "only the trained models' tensors remain after the run");
        Collect();
        Tensor.TotalCount.Should().Be(baseline + leftByConstruction, "disposing the result frees everything the run created");
    }

    private async Task<long> TrainAndDispose(GanArchitecture architecture, GanLossKind loss, string output)
    {
        using var result = await GanTrainer.Create(b => b.Configure(o => (o.Model.Architecture, o.Objective.Loss, o.Epochs, o.Optimization.BatchSize, o.Seed, o.Device, o.Output.OutputDirectory, o.Output.LogEverySteps) =
            (architecture, loss, 1, architecture == GanArchitecture.Dcgan ? 500 : 100, 1UL, "cpu", output, 3))).TrainAsync(mnist.Data);
        Collect();
        return Tensor.TotalCount;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static (long Held, long Left) ModelConstruction(GanArchitecture architecture)
    {
        Collect();
        var before = Tensor.TotalCount;
        var g = GanModels.CreateGenerator(architecture);
        var d = GanModels.CreateDiscriminator(architecture);
        Collect();
        var held = Tensor.TotalCount - before;
        g.Module.Dispose();
        d.Module.Dispose();
        Collect();
        return (held, Tensor.TotalCount - before);
    }

    [Theory]
    [InlineData(GanArchitecture.Mlp, UpdateSchedule.Alternating)]
    [InlineData(GanArchitecture.Dcgan, UpdateSchedule.Alternating)]
    [InlineData(GanArchitecture.Dcgan, UpdateSchedule.Simultaneous)]
    [InlineData(GanArchitecture.InfoGan, UpdateSchedule.Alternating)]
    [InlineData(GanArchitecture.Mlp, UpdateSchedule.Alternating, Precision.BFloat16Mixed)]
    [InlineData(GanArchitecture.Dcgan, UpdateSchedule.Simultaneous, Precision.BFloat16Mixed)]
    public void TrainingStep_EveryTensorOfTenSteps_IsCreatedInTheStepScopeAndFreed(GanArchitecture architecture, UpdateSchedule schedule,
        Precision precision = Precision.Float32)
    {
        using var rig = new StepRig(architecture, 4, schedule: schedule, precision: precision);
        var step = rig.Step;
        // bfloat16 is emulated (and slow) on CPUs without it: a smaller batch there.
        var real = mnist.Data.Images.narrow(0, 0, precision == Precision.Float32 ? 32 : 4);
        int Step()
        {
            using var scope = NewDisposeScope();
            step.Run(real, null);
            return scope.DisposablesCount;
        }

        Step();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.TotalCount;
        GC.TryStartNoGCRegion(64 << 20).Should().BeTrue("no finalizer may hide a tensor the steps leaked");
        var inScope = new List<int>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                inScope.Add(Step());
            }

            Tensor.TotalCount.Should().Be(baseline, "every tensor a step creates is freed by its scope, none is left to the GC");
        }
        finally
        {
            GC.EndNoGCRegion();
        }

        inScope.Should().OnlyContain(n => n > 20, "the step's intermediates are attached to the step's scope");
    }

    [Fact]
    public void Evaluate_AGenerator_LeavesNoNativeTensorBehind()
    {
        using var classifier = MnistClassifier.Train(mnist.Data, options: new MnistClassifierOptions { Epochs = 1 });
        using var random = new Generator(2);
        var generator = GanModels.CreateGenerator(GanArchitecture.Dcgan, generator: random);
        using var scope = NewDisposeScope();
        var reference = mnist.Data.Images.narrow(0, 0, 300);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.TotalCount;

        using (var evaluator = GanEvaluator.Create(classifier, reference, reference, new GanEvaluatorOptions { SampleCount = 300, BatchSize = 128 }))
        {
            evaluator.Evaluate(generator).FrechetDistance.Should().BeGreaterThan(0);
            evaluator.Evaluate(reference).FrechetDistance.Should().BeApproximately(0, 1e-6);
        }

        Tensor.TotalCount.Should().Be(baseline);
        generator.Module.Dispose();
    }
}
