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
            (o.Architecture, o.Epochs, o.Seed, o.Device, o.OutputDirectory) = (GanArchitecture.ConditionalMlp, 1, 6UL, "cpu", output.Path);
            (o.FeatureMatchingWeight, o.R1Weight, o.MinibatchDiscriminationKernels, o.MinibatchDiscriminationKernelSize) = (1, 1, 8, 4);
            (o.InstanceNoise, o.InstanceNoiseAnnealEpochs, o.EmaDecay, o.DiscriminatorLearningRate) = (0.1, 2, 0.99, 4e-4);
            o.CheckpointEveryEpochs = 1;
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

        using var resumed = await GanTrainer.Create(b => b.Configure(Configure).Configure(o => (o.Epochs, o.ResumeFrom) = (2, output.Path))).TrainAsync(mnist.Data);
        resumed.History.Epochs.Should().HaveCount(2);
    }
}
