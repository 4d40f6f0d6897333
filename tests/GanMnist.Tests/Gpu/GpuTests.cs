using GanMnist.Checkpoints;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;

namespace GanMnist.Tests.Gpu;

/// <summary>A fact that runs only where TorchSharp's CUDA runtime sees a GPU (an app referencing TorchSharp-cuda-linux).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!CudaAvailable())
        {
            Skip = "CUDA is not available: the tests reference TorchSharp-cpu, or no NVIDIA GPU is present (docs/gpu.md).";
        }
    }

    private static bool CudaAvailable()
    {
        try
        {
            return cuda.is_available();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    }
}

[Collection(LiveTensorCollection.Name)]
public sealed class GpuTests(SmallMnistFixture mnist) : IClassFixture<SmallMnistFixture>
{
    [CudaFact]
    [Trait("Category", "Gpu")]
    public void Generate_OnCuda_MatchesTheCpu()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        var generator = GanModels.CreateGenerator(GanArchitecture.Dcgan, generator: random);
        using var module = generator.Module;
        module.eval();
        var noise = randn([8, 100], generator: random);
        var onCpu = generator.Generate(noise);

        module.to(CUDA);
        var onGpu = generator.Generate(noise.to(CUDA));

        onGpu.device.type.Should().Be(DeviceType.CUDA);
        (onGpu.cpu() - onCpu).abs().max().ToDouble().Should().BeLessThan(1e-4);
    }

    [CudaFact]
    [Trait("Category", "Gpu")]
    public void Generate_OnCudaInBFloat16Mixed_StaysNearTheFloat32ImagesAndFloat32()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        var generator = GanModels.CreateGenerator(GanArchitecture.Dcgan, generator: random);
        using var module = generator.Module;
        module.eval();
        module.to(CUDA);
        var noise = randn([8, 100], generator: random).to(CUDA);
        var float32 = generator.Generate(noise);

        Tensor mixed;
        using (Autocast.Enable())
        {
            mixed = generator.Generate(noise);
        }

        mixed.dtype.Should().Be(ScalarType.Float32);
        var difference = (mixed - float32).abs().max().ToDouble();
        difference.Should().BeGreaterThan(0, "the layers computed in bfloat16").And.BeLessThan(0.1, "within bfloat16's precision of the tanh images");
    }

    [CudaFact]
    [Trait("Category", "Gpu")]
    public async Task TrainAsync_OnCuda_TrainsAndWritesAGeneratorTheCpuLoads()
    {
        using var output = new TempFolder();

        using var result = await GanTrainer.Create(b => b.UsePreset(GanPreset.Quick)
            .Configure(o => (o.Epochs, o.Seed, o.Device, o.Output.OutputDirectory) = (2, 1UL, "cuda", output.Path))).TrainAsync(mnist.Data);

        result.Generator.Module.parameters().First().device.type.Should().Be(DeviceType.CUDA);
        result.History.Epochs.Should().HaveCount(2).And.OnlyContain(e => double.IsFinite(e.DiscriminatorLoss) && double.IsFinite(e.GeneratorLoss));
        var loaded = GeneratorFile.Load(Path.Combine(output.Path, "generator.safetensors"));
        using var module = loaded.Module;
        using var scope = NewDisposeScope();
        loaded.Generate(4, seed: 2).shape.Should().Equal(4, 1, 28, 28);
    }
}
