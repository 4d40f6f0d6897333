using GanMnist.Checkpoints;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;
using GanMnist.Runtime;

namespace GanMnist.Tests.Stabilisation;

public sealed class StabilisedTrainingTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Fact]
    public async Task Trainer_WithEveryTechniqueOn_TrainsAConditionalModelExportsTheAverageAndResumes()
    {
        using var output = new TempFolder();
        void Configure(GanTrainerOptions o)
        {
            GanPresets.Apply(o, GanPreset.Quick);
            (o.Model.Architecture, o.Epochs, o.Seed, o.Device, o.Output.OutputDirectory) = (GanArchitecture.ConditionalMlp, 1, 6UL, "cpu", output.Path);
            (o.Objective.FeatureMatchingWeight, o.Objective.R1Weight, o.Model.MinibatchDiscriminationKernels, o.Model.MinibatchDiscriminationKernelSize) = (1, 1, 8, 4);
            (o.Objective.InstanceNoise, o.Objective.InstanceNoiseAnnealEpochs, o.Schedule.EmaDecay, o.Optimization.DiscriminatorLearningRate) = (0.1, 2, 0.99, 4e-4);
            o.Output.CheckpointEveryEpochs = 1;
        }

        using (var result = await GanTrainer.Create(b => b.Configure(Configure)).TrainAsync(mnist.Data))
        {
            result.AverageGenerator.Should().NotBeNull();
            result.History.Epochs[0].Values.Keys.Should().Contain([LossValues.FeatureMatching, LossValues.R1Penalty]);
            using var exported = (nn.Module)GeneratorFile.Load(Path.Combine(output.Path, "generator.safetensors")).Module;
            var exportedGenerator = (IGenerator)exported;
            exportedGenerator.ClassCount.Should().Be(10);
            using var scope = NewDisposeScope();
            var saved = exported.named_parameters().First().parameter;
            saved.ToArray<float>().Should().Equal(result.AverageGenerator!.Module.named_parameters().First().parameter.ToArray<float>(), "the average is exported");
            saved.ToArray<float>().Should().NotEqual(result.Generator.Module.named_parameters().First().parameter.ToArray<float>());
        }

        using var resumed = await GanTrainer.Create(b => b.Configure(Configure).Configure(o => (o.Epochs, o.Output.ResumeFrom) = (2, output.Path))).TrainAsync(mnist.Data);
        resumed.History.Epochs.Should().HaveCount(2);
    }
}
