using GanMnist.Checkpoints;
using GanMnist.Imaging;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

/// <summary>The callback example of docs/architecture.md ("Adding a callback"), verbatim, run for real.</summary>
public sealed class CallbackExampleTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    // --- docs/architecture.md, "Adding a callback" ---
    /// <summary>After every epoch, 16 sevens from the same noise: <c>sevens/epoch_NNNN.png</c> in the run folder, 4x enlarged.</summary>
    public sealed class SevensEveryEpoch : ITrainingCallback
    {
        public void OnEpochEnd(TrainingContext context, EpochSummary summary)
        {
            using var scope = NewDisposeScope();
            // The weight average when the run keeps one; Generate samples in evaluation mode and restores the mode.
            var sevens = context.SamplingGenerator.Generate(16, seed: 7, classIndex: 7);
            var path = Path.Combine(context.OutputDirectory, "sevens", $"epoch_{summary.Epoch:D4}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageGrid.Save(sevens, columns: 4, path, scale: ImageGrid.LargeScale);
        }
    }

    // GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).AddCallback(new SevensEveryEpoch()))
    // --- end of the example ---

    [Fact]
    public async Task SevensEveryEpoch_WritesAGridOfSevensAfterEachEpoch()
    {
        using var output = new TempFolder();
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(2).Seed(3).OnDevice("cpu").OutputTo(output.Path)
            .Configure(o => o.Threads = 1).AddCallback(new SevensEveryEpoch()));

        using var result = await trainer.TrainAsync(mnist.Data);

        Directory.GetFiles(Path.Combine(output.Path, "sevens")).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal("epoch_0001.png", "epoch_0002.png");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        result.Folder.Path.Should().Be(output.Path);
        var generator = GeneratorFile.Load(result.Folder.GeneratorFile);
        using var module = generator.Module;
        generator.ClassCount.Should().Be(10, "quick is conditional, so a class can be asked for");
    }
}
