using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;
using TorchSharp.Modules;
using GanMnist.Runtime;

namespace GanMnist.Tests.Compatibility;

/// <summary>
/// Files written by the last release on the hand-written libtorch 1.13 binding (Fixtures/PreMigration, see its README)
/// still load, sample and resume on TorchSharp.
/// </summary>
[Collection(LiveTensorCollection.Name)]
public sealed class PreMigrationFileTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "PreMigration");

    [Fact]
    public void GeneratorFile_WrittenByTheBinding_LoadsAndGivesTheImagesItGaveThen()
    {
        using var scope = NewDisposeScope();
        using var expected = SafeTensorsFile.Read(Path.Combine(Fixtures, "mlp-generator-expected.safetensors"));

        var generator = GeneratorFile.Load(Path.Combine(Fixtures, "mlp-generator.safetensors"));
        using var module = generator.Module;
        using var noGrad = no_grad();
        var images = generator.Generate(expected.Tensors["noise"]);

        images.shape.Should().Equal(4, 1, 28, 28);
        (images - expected.Tensors["images"]).abs().max().ToDouble().Should().BeLessThanOrEqualTo(1e-5, "libtorch 1.13 and 2.10 compute the same MLP");
        generator.Generate(4, seed: 3).shape.Should().Equal(4, 1, 28, 28);
    }

    [Fact]
    public void GeneratorFile_OfUserModelsWrittenByTheBinding_LoadsIntoTheSameTorchSharpModule()
    {
        var path = Path.Combine(Fixtures, "tiny-generator.safetensors");

        var act = () => GeneratorFile.Load(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' holds a 'custom' generator, which GanMnist cannot rebuild*");
        using var content = SafeTensorsFile.Read(path);
        using var tiny = new TinyGenerator();
        tiny.load_state_dict(content.Tensors.ToDictionary(t => t.Key, t => t.Value));
        tiny.state_dict()["main.2.weight"].Equals(content.Tensors["main.2.weight"]).Should().BeTrue();
    }

    [Fact]
    public async Task Checkpoint_WrittenByTheBinding_ResumesWithItsWeightsOptimizerStateAndHistory()
    {
        using var output = new TempFolder();
        var checkpoint = Path.Combine(Fixtures, "tiny-step_0000000004.safetensors");
        using var saved = SafeTensorsFile.Read(checkpoint);
        using var data = await MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 256 });
        var atStart = new StartSnapshot();

        using var result = await GanTrainer.Create(b => b
            .UseModels((_, _) => new TinyGenerator(), (_, _) => new TinyDiscriminator())
            .AddCallback(atStart)
            .Configure(o => (o.Epochs, o.Optimization.BatchSize, o.Model.LatentSize, o.Device, o.Output.OutputDirectory, o.Output.ResumeFrom, o.Output.CheckpointEveryEpochs) =
                (2, 64, 8, "cpu", output.Path, checkpoint, 1))).TrainAsync(data);

        foreach (var (name, value) in saved.Tensors.Where(t => t.Key.StartsWith("generator.", StringComparison.Ordinal)))
        {
            atStart.Generator![name["generator.".Length..]].Equals(value).Should().BeTrue($"{name} is restored exactly");
        }

        result.Seed.Should().Be(11, "the checkpoint's seed");
        result.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2);
        result.History.Epochs[0].DiscriminatorLoss.Should().Be(1.3835124671459198, "epoch 1 comes from the checkpoint's history");
        using var resumed = SafeTensorsFile.Read(new GanMnist.Checkpoints.RunFolder(output.Path).FindCheckpoints().First());
        resumed.Metadata["global_step"].Should().Be("8");
        resumed.Tensors["optimizer.generator.step"].ToArray<long>().Should().OnlyContain(s => s == 8, "Adam continued from the 4 steps it had taken");
        resumed.Tensors["generator.main.2.weight"].Equals(saved.Tensors["generator.main.2.weight"]).Should().BeFalse("epoch 2 trained the generator");
    }

    private sealed class StartSnapshot : ITrainingCallback
    {
        public Dictionary<string, Tensor>? Generator { get; private set; }

        public void OnTrainingStart(TrainingContext context) =>
            Generator = context.Generator.Module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    /// <summary>The tiny user generator of MakeFixtures.cs.txt, written again with TorchSharp.</summary>
    private sealed class TinyGenerator : nn.Module<Tensor, Tensor>, IGenerator
    {
        private readonly Sequential main = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 784), nn.Tanh(), nn.Unflatten(1, [1, 28, 28]));

        public TinyGenerator() : base(nameof(TinyGenerator)) => RegisterComponents();

        public int LatentSize => 8;

        public IReadOnlyList<long> ImageShape => [1, 28, 28];

        public int ClassCount => 0;

        public nn.Module Module => this;

        public Tensor Generate(Tensor noise, Tensor? labels = null) => forward(noise);

        public override Tensor forward(Tensor input) => main.call(input);
    }

    private sealed class TinyDiscriminator : nn.Module<Tensor, Tensor>, IDiscriminator
    {
        private readonly Sequential main = nn.Sequential(nn.Flatten(), nn.Linear(784, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1));

        public TinyDiscriminator() : base(nameof(TinyDiscriminator)) => RegisterComponents();

        public IReadOnlyList<long> ImageShape => [1, 28, 28];

        public int ClassCount => 0;

        public nn.Module Module => this;

        public Tensor Forward(Tensor images, Tensor? labels = null) => forward(images);

        public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null) => throw new NotSupportedException();

        public override Tensor forward(Tensor input) => main.call(input);
    }
}
