using GanMnist.Checkpoints;
using GanMnist.Models;
using static TorchSharp.torch;

namespace GanMnist.Tests.Models;

public sealed class SampleNoiseTests
{
    [Fact]
    public void Noise_OfSampleI_DependsOnlyOnTheSeedAndI()
    {
        using var scope = NewDisposeScope();
        var thousand = SampleNoise.Draw(7, 0, 1_000, 100);

        foreach (var count in new[] { 1, 7, 64 })
        {
            SampleNoise.Draw(7, 0, count, 100).eq(thousand.narrow(0, 0, count)).all().item<bool>().Should().BeTrue($"the first {count} of 1,000");
        }

        SampleNoise.Draw(7, 500, 3, 100).eq(thousand.narrow(0, 500, 3)).all().item<bool>().Should().BeTrue("samples 500-502 drawn on their own");
        SampleNoise.Draw(8, 0, 1, 100).eq(thousand.narrow(0, 0, 1)).all().item<bool>().Should().BeFalse("another seed");
        // Standard normal: mean ~0 and variance ~1 over the 100,000 values (5 standard errors).
        thousand.mean().ToDouble().Should().BeApproximately(0, 5 / Math.Sqrt(100_000));
        thousand.var().ToDouble().Should().BeApproximately(1, 5 * Math.Sqrt(2.0 / 100_000));
        // Neighbouring samples are not correlated (SplitMix64 decorrelates consecutive seeds).
        var a = thousand.narrow(0, 0, 999).flatten();
        var b = thousand.narrow(0, 1, 999).flatten();
        ((a * b).mean().ToDouble()).Should().BeApproximately(0, 5 / Math.Sqrt(99_900));
    }

    [Theory]
    [InlineData(GanArchitecture.Dcgan)]
    [InlineData(GanArchitecture.ConditionalMlp)]
    public void Generate_ImageI_IsTheSameForAnyCount(GanArchitecture architecture)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        var generator = GanModels.CreateGenerator(architecture, generator: random);
        using var module = generator.Module;
        var thousand = generator.Generate(1_000, seed: 7);

        foreach (var count in new[] { 1, 7, 64 })
        {
            // Batch composition may change libtorch's kernels, so equal within float32 rounding, not bit for bit.
            generator.Generate(count, seed: 7).allclose(thousand.narrow(0, 0, count), rtol: 0, atol: 1e-5).Should().BeTrue($"the first {count} of 1,000");
        }
    }
}
