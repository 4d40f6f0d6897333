using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

/// <summary>The trainer's step runs the binding's CPU fast paths (docs/performance.md), and gives the allocator's cache back.</summary>
[Collection(LiveTensorCollection.Name)]
public sealed class FastPathUseTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Fact]
    public async Task TrainAsync_SeedDcgan_RunsEveryFastPathOnEveryStep_AndEmptiesTheCpuCacheAfterwards()
    {
        using var output = new TempFolder();
        var (transposed, dropouts, updates) = (backends.fast_paths.conv_transpose2d_uses, backends.fast_paths.dropout_uses, backends.fast_paths.adam_uses);

        using var result = await GanTrainer.Create(b => b.Configure(o => (o.Architecture, o.Epochs, o.BatchSize, o.Seed, o.Device, o.OutputDirectory) =
            (GanArchitecture.Dcgan, 1, 500, 3UL, "cpu", output.Path))).TrainAsync(mnist.Data);

        const int steps = 4; // 2,000 images in batches of 500
        var gParameters = result.Generator.Module.parameters().Count();
        var dParameters = result.Discriminator.Module.parameters().Count();
        (backends.fast_paths.conv_transpose2d_uses - transposed).Should().BeGreaterThanOrEqualTo(3 * steps, "G's three transposed convolutions, every step");
        (backends.fast_paths.dropout_uses - dropouts).Should().BeGreaterThanOrEqualTo(6 * steps, "D's two dropouts on real, fake, and fake again for G");
        (backends.fast_paths.adam_uses - updates).Should().BeGreaterThanOrEqualTo((gParameters + dParameters) * steps, "every parameter is updated every step");
        if (backends.memory_tuned)
        {
            cpu.memory_cached().Should().Be(0, "the trainer gives the cached blocks back after the run");
        }
    }
}
