using GanMnist.Checkpoints;
using GanMnist.Models;
using TorchSharp.Modules;
using GanMnist.Runtime;

namespace GanMnist.Tests.Models;

public sealed class ModelTests
{
    private static long Trainable(nn.Module m) => m.parameters().Sum(p => p.numel());

    private static long RunningStatistics(nn.Module m) =>
        m.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal)).Sum(b => b.buffer.numel());

    [Fact]
    public void DcganGenerator_HasTheTutorialsParameterCounts_AndMakes28x28Images()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.Dcgan);
        using var module = g.Module;

        Trainable(module).Should().Be(2_305_472);
        (Trainable(module) + RunningStatistics(module)).Should().Be(2_330_944);
        module.eval();
        g.Generate(randn([3, 100])).shape.Should().Equal(3, 1, 28, 28);
        module.state_dict().Keys.Should().Contain(["main.0.weight", "main.1.running_mean", "main.4.weight", "main.10.weight"]);
    }

    [Fact]
    public void DcganDiscriminator_Has212865Parameters_AndExposesItsFeatures()
    {
        using var scope = NewDisposeScope();
        var d = GanModels.CreateDiscriminator(GanArchitecture.Dcgan);
        using var module = d.Module;
        module.eval();
        var x = randn([2, 1, 28, 28]);

        Trainable(module).Should().Be(212_865);
        var (logits, features) = d.ForwardWithFeatures(x);
        features.shape.Should().Equal(2, 7 * 7 * 128);
        logits.Equals(d.Forward(x)).Should().BeTrue();
    }

    [Fact]
    public void MlpModels_HaveSeed004sLayerSizes()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.Mlp);
        var d = GanModels.CreateDiscriminator(GanArchitecture.Mlp);
        using var gm = g.Module;
        using var dm = d.Module;

        // (100·128 + 128) + (128·256 + 256) + (256·512 + 512) + (512·784 + 784)
        Trainable(gm).Should().Be(579_728);
        // (784·512 + 512) + (512·256 + 256) + (256 + 1)
        Trainable(dm).Should().Be(533_505);
        g.Generate(randn([2, 100])).shape.Should().Equal(2, 1, 28, 28);
        d.Forward(zeros([2, 1, 28, 28])).shape.Should().Equal(2, 1);
        gm.modules().OfType<ReLU>().Should().HaveCount(3);
    }

    [Fact]
    public void CreateGeneratorAndDiscriminator_InfoGan_HaveThePapersLayerSizes()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.InfoGan);
        var d = GanModels.CreateDiscriminator(GanArchitecture.InfoGan);
        using var gm = g.Module;
        using var dm = d.Module;

        // 100·1024 + BN 2·1024 + 1024·6272 + BN 2·6272 + 128·64·16 + BN 2·64 + 64·16 + 1 (the last layer's bias)
        Trainable(gm).Should().Be((100 * 1024) + 2048 + (1024 * 6272) + (2 * 6272) + (128 * 64 * 16) + 128 + (64 * 16) + 1);
        // (16·64 + 64) + 64·128·16 + BN 2·128 + 6272·1024 + BN 2·1024 + (1024 + 1)
        Trainable(dm).Should().Be((16 * 64) + 64 + (64 * 128 * 16) + 256 + (6272 * 1024) + 2048 + 1025);
        gm.eval();
        dm.eval();
        g.Generate(randn([3, 100])).shape.Should().Equal(3, 1, 28, 28);
        var (logits, features) = d.ForwardWithFeatures(randn([3, 1, 28, 28]));
        logits.shape.Should().Equal(3, 1);
        features.shape.Should().Equal(3, 1024);
        dm.modules().OfType<LeakyReLU>().Should().HaveCount(3);
    }

    [Fact]
    public void ConditionalInfoGan_AtWidth32_HasHalfTheChannels_AndAProjectionHead()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.ConditionalInfoGan, width: 32);
        var d = GanModels.CreateDiscriminator(GanArchitecture.ConditionalInfoGan, width: 32);
        using var gm = g.Module;
        using var dm = d.Module;

        // embedding 10·50 + (150·512 + BN 2·512) + (512·3136 + BN 2·3136) + 64·32·16 + BN 2·32 + 32·16 + 1
        Trainable(gm).Should().Be((10 * 50) + (150 * 512) + 1024 + (512 * 3136) + (2 * 3136) + (64 * 32 * 16) + 64 + (32 * 16) + 1);
        // (16·32 + 32) + 32·64·16 + BN 2·64 + 3136·512 + BN 2·512 + head (512 + 1) + projection 10·512
        Trainable(dm).Should().Be((16 * 32) + 32 + (32 * 64 * 16) + 128 + (3136 * 512) + 1024 + 513 + (10 * 512));
        gm.eval();
        dm.eval();
        var labels = tensor(new long[] { 0, 7, 9 });
        g.Generate(randn([3, 100]), labels).shape.Should().Equal(3, 1, 28, 28);
        var (logits, features) = d.ForwardWithFeatures(randn([3, 1, 28, 28]), labels);
        logits.shape.Should().Equal(3, 1);
        features.shape.Should().Equal(3, 512);
        GanModels.WidthOf(gm).Should().Be(32);
    }

    [Fact]
    public void Width_OfAnArchitectureWithoutOne_OrOutOfRange_IsRefusedNamingIt()
    {
        var dcgan = () => GanModels.CreateGenerator(GanArchitecture.Dcgan, width: 32);
        var tiny = () => GanModels.CreateDiscriminator(GanArchitecture.InfoGan, width: 2);

        dcgan.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().StartWith(
            "Only the InfoGan and ConditionalInfoGan architectures have a width; Dcgan takes null. (Parameter 'width')");
        tiny.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().StartWith("An InfoGAN width must be 4 to 1024. (Parameter 'width')");
    }

    [Fact]
    public void GeneratorFile_RecordsTheWidth_AndLoadsTheSameGenerator()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var g = GanModels.CreateGenerator(GanArchitecture.ConditionalInfoGan, width: 16);
        using var gm = g.Module;
        gm.eval();
        var path = Path.Combine(folder.Path, "g.safetensors");
        GeneratorFile.Save(g, path, GanArchitecture.ConditionalInfoGan);

        var loaded = GeneratorFile.Load(path);
        using var loadedModule = loaded.Module;

        using (var content = SafeTensorsFile.Read(path))
        {
            content.Metadata["width"].Should().Be("16");
        }

        var noise = randn(4, 100);
        var labels = tensor(new long[] { 1, 2, 3, 4 });
        loaded.Generate(noise, labels).allclose(g.Generate(noise, labels), 1e-6, 1e-6).Should().BeTrue();
    }

    [Fact]
    public void GeneratorFile_AWidthForAnArchitectureWithoutOne_IsRefusedNamingIt()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var g = GanModels.CreateGenerator(GanArchitecture.Mlp);
        using var gm = g.Module;
        var path = Path.Combine(folder.Path, "g.safetensors");
        GeneratorFile.Save(g, path, GanArchitecture.Mlp);
        using (var content = SafeTensorsFile.Read(path))
        {
            SafeTensorsFile.Write(path, content.Tensors, new Dictionary<string, string>(content.Metadata) { ["width"] = "32" });
        }

        var act = () => GeneratorFile.Load(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' has a 'width' of 32 for the architecture 'Mlp', which has none (only InfoGan and ConditionalInfoGan do).");
    }

    [Fact]
    public void LeakyReluSlope_IsAnOption()
    {
        using var g = GanModels.CreateGenerator(GanArchitecture.Dcgan, leakyReluSlope: 0.3).Module;
        using var mlp = GanModels.CreateGenerator(GanArchitecture.Mlp, leakyReluSlope: 0.1, mlpActivation: MlpActivation.LeakyRelu).Module;

        g.modules().OfType<LeakyReLU>().Select(l => l.negative_slope).Should().AllBeEquivalentTo(0.3).And.HaveCount(3);
        mlp.modules().OfType<LeakyReLU>().Select(l => l.negative_slope).Should().AllBeEquivalentTo(0.1).And.HaveCount(3);
    }

    [Fact]
    public void KerasInitialization_GlorotUniformKernelsAndZeroBiases()
    {
        using var d = GanModels.CreateDiscriminator(GanArchitecture.Mlp, initialization: WeightInitialization.Keras).Module;
        var parameters = d.named_parameters().ToArray();
        var first = parameters.First(p => p.name.EndsWith(".weight", StringComparison.Ordinal)).parameter;
        first.shape.Should().Equal(512, 784);

        var bound = Math.Sqrt(6.0 / (784 + 512));
        var w = first.ToArray<float>();
        w.Should().OnlyContain(v => Math.Abs(v) <= (float)bound, "U(±bound), the bound rounded to float32");
        w.Max().Should().BeGreaterThan((float)(0.95 * bound));
        parameters.Where(p => p.name.EndsWith(".bias", StringComparison.Ordinal)).Should().HaveCount(3)
            .And.OnlyContain(p => p.parameter.ToArray<float>().All(v => v == 0));
    }

    [Fact]
    public void UnconditionalModels_GivenLabels_ThrowNamingTheModel()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.Mlp);
        using var module = g.Module;

        var act = () => g.Generate(randn([2, 100]), tensor(new long[] { 1, 2 }));

        act.Should().Throw<ArgumentException>().WithMessage("The MLP generator is unconditional; it takes no labels.*");
    }
}
