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
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.LiveCount;

        var result = await GanTrainer.Create(b => b.Configure(o => (o.Architecture, o.Loss, o.Epochs, o.BatchSize, o.Seed, o.Device, o.OutputDirectory, o.LogEverySteps) =
            (architecture, loss, 1, architecture == GanArchitecture.Dcgan ? 500 : 100, 1UL, "cpu", output.Path, 3))).TrainAsync(mnist.Data);
        var modelTensors = result.Generator.Module.parameters().Count() + result.Generator.Module.named_buffers().Count()
            + result.Discriminator.Module.parameters().Count() + result.Discriminator.Module.named_buffers().Count();

        Tensor.LiveCount.Should().Be(baseline + modelTensors, "only the trained models' parameters and buffers remain");
        result.Dispose();
        Tensor.LiveCount.Should().Be(baseline);
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
        var baseline = Tensor.LiveCount;

        using (var evaluator = GanEvaluator.Create(classifier, reference, reference, new GanEvaluatorOptions { SampleCount = 300, BatchSize = 128 }))
        {
            evaluator.Evaluate(generator).FrechetDistance.Should().BeGreaterThan(0);
            evaluator.Evaluate(reference).FrechetDistance.Should().BeApproximately(0, 1e-6);
        }

        Tensor.LiveCount.Should().Be(baseline);
        generator.Module.Dispose();
    }
}
