using GanMnist.Checkpoints;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;

namespace GanMnist.Tests.Checkpoints;

// libtorch's default generator (dropout, manual_seed) is process-wide: exactness needs these runs alone.
[Collection(LiveTensorCollection.Name)]
public sealed class TrainingCheckpointTests(SmallMnistFixture mnist) : IClassFixture<SmallMnistFixture>, IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private static Action<GanTrainerOptions> Recipe(GanArchitecture architecture, string output, int epochs, Precision precision = Precision.Float32) => o =>
    {
        (o.Model.Architecture, o.Model.MlpActivation, o.Epochs, o.Optimization.BatchSize, o.Seed, o.Device, o.Threads) = (architecture, MlpActivation.LeakyRelu, epochs, 64, 21UL, "cpu", 1);
        o.Precision = precision;
        (o.Output.OutputDirectory, o.Output.LogEverySteps, o.Output.CheckpointEveryEpochs, o.Output.SampleEveryEpochs) = (output, 3, 1, 0);
    };

    private string Folder(string name) => Path.Combine(_root.Path, name);

    /// <summary>Every tensor of the run's final checkpoint (models, optimizers, random states), by name.</summary>
    private static Dictionary<string, byte[]> FinalState(string run)
    {
        using var content = SafeTensorsFile.Read(new RunFolder(run).FindCheckpoints().First());
        return content.Tensors.Where(t => t.Key != "history.partial_epoch").ToDictionary(t => t.Key, t => t.Value.bytes.ToArray());
    }

    private async Task Cancelled(GanArchitecture architecture, string output, int epochs, Func<StepInfo, bool> stopAfter, Precision precision = Precision.Float32)
    {
        using var cancel = new CancellationTokenSource();
        var act = () => GanTrainer.Create(b => b.Configure(Recipe(architecture, output, epochs, precision)).AddCallback(new StopWhen(stopAfter, cancel)))
            .TrainAsync(mnist.Data, cancellationToken: cancel.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(GanArchitecture.Mlp, 8)]  // at the end of epoch 1 (8 steps of 64)
    [InlineData(GanArchitecture.Mlp, 11)] // in the middle of epoch 2
    [InlineData(GanArchitecture.Dcgan, 8)] // dropout draws from the default generator: its state must be restored too
    [InlineData(GanArchitecture.Mlp, 11, Precision.BFloat16Mixed)]
    public async Task Resume_AfterCancellation_EndsBitIdenticalToTheUninterruptedRun(GanArchitecture architecture, int stopAfterGlobalStep,
        Precision precision = Precision.Float32)
    {
        using (await GanTrainer.Create(b => b.Configure(Recipe(architecture, Folder("straight"), 2, precision))).TrainAsync(mnist.Data))
        {
        }

        await Cancelled(architecture, Folder("interrupted"), 2, s => s.GlobalStep == stopAfterGlobalStep, precision);
        using (await GanTrainer.Create(b => b.Configure(Recipe(architecture, Folder("interrupted"), 2, precision)).Configure(o => (o.Output.ResumeFrom, o.Seed) = (Folder("interrupted"), 999UL)))
            .TrainAsync(mnist.Data))
        {
        }

        var straight = FinalState(Folder("straight"));
        var resumed = FinalState(Folder("interrupted"));
        resumed.Keys.Should().BeEquivalentTo(straight.Keys);
        straight.Keys.Should().Contain(["generator.main.0.weight", "optimizer.generator.0.exp_avg", "optimizer.discriminator.step", "rng.run", "rng.default"]);
        straight.Keys.Should().Contain(k => k.StartsWith("discriminator.main.", StringComparison.Ordinal));
        foreach (var name in straight.Keys)
        {
            resumed[name].Should().Equal(straight[name], $"tensor '{name}' must match byte for byte");
        }

        File.ReadAllLines(Path.Combine(Folder("interrupted"), "history.csv")).Should().HaveCount(3, "the history continues where it stopped");
    }

    [Fact]
    public async Task Files_OfABFloat16MixedRun_HaveTheFloat32RunsTensorsDTypesAndShapes()
    {
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("fp32"), 1))).TrainAsync(mnist.Data))
        {
        }

        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("bf16"), 1, Precision.BFloat16Mixed))).TrainAsync(mnist.Data))
        {
        }

        foreach (var (float32, mixed) in new[]
        {
            (new RunFolder(Folder("fp32")).FindCheckpoints().First(), new RunFolder(Folder("bf16")).FindCheckpoints().First()),
            (Path.Combine(Folder("fp32"), "generator.safetensors"), Path.Combine(Folder("bf16"), "generator.safetensors")),
        })
        {
            using var a = SafeTensorsFile.Read(float32);
            using var b = SafeTensorsFile.Read(mixed);
            static IEnumerable<(string, ScalarType, string)> Format(SafeTensorsContent content) =>
                content.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value.dtype, string.Join("x", t.Value.shape)));
            Format(b).Should().Equal(Format(a), $"{Path.GetFileName(mixed)} has the float32 run's format");
            b.Tensors.Where(t => t.Key.StartsWith("generator.", StringComparison.Ordinal) || t.Key.StartsWith("main.", StringComparison.Ordinal))
                .Should().OnlyContain(t => t.Value.dtype == ScalarType.Float32);
        }
    }

    [Fact]
    public async Task Resume_NewestCheckpointCorrupt_FallsBackToThePreviousOne_OrFailsWhenAsked()
    {
        var run = Folder("corrupt");
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, run, 2))).TrainAsync(mnist.Data))
        {
        }

        var newest = new RunFolder(run).FindCheckpoints().First();
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..100]);

        var strict = () => GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, run, 3)).Configure(o => (o.Output.ResumeFrom, o.Output.FailOnCorruptCheckpoint) = (run, true))).TrainAsync(mnist.Data);
        (await strict.Should().ThrowAsync<InvalidDataException>()).WithMessage($"Safetensors file '{newest}' *");

        using var resumed = await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, run, 3)).Configure(o => o.Output.ResumeFrom = run)).TrainAsync(mnist.Data);
        resumed.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Checkpoints_KeepOnlyTheLastK()
    {
        var run = Folder("keep");
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, run, 4)).Configure(o => o.Output.KeepCheckpoints = 2)).TrainAsync(mnist.Data))
        {
        }

        new RunFolder(run).FindCheckpoints().Select(Path.GetFileName).Should().Equal("step_0000000032.safetensors", "step_0000000024.safetensors");
        Directory.GetFiles(Path.Combine(run, "checkpoints"), ".*").Should().BeEmpty("no temporary file remains");
    }

    [Fact]
    public async Task Resume_WithModelOptionsThatChangeNoShape_IsRefusedNamingThem()
    {
        // The dcgan preset's padding and slope changed; an earlier run resumed with the new preset would load (same
        // shapes) and silently train another model.
        var run = Folder("other-model");
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Dcgan, run, 1))).TrainAsync(mnist.Data))
        {
        }

        var act = () => GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Dcgan, run, 2)).Configure(o =>
        {
            (o.Output.ResumeFrom, o.Model.LeakyReluSlope, o.Model.TransposedConvolutionPadding) = (run, 0.3, TransposedConvolutionPadding.KerasSame);
        })).TrainAsync(mnist.Data);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage(
            "'*step_*.safetensors' holds models built with LeakyReluSlope 0.2, TransposedConvolutionPadding Symmetric, not this run's " +
            "LeakyReluSlope 0.3, TransposedConvolutionPadding KerasSame: resume with the same model options " +
            "(CLI: --set LeakyReluSlope=0.2 --set TransposedConvolutionPadding=Symmetric).");
    }

    [Fact]
    public async Task Resume_WithAnotherModelWidth_IsRefusedNamingIt()
    {
        var run = Folder("other-width");
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.InfoGan, run, 1)).Configure(o => o.Model.ModelWidth = 8)).TrainAsync(mnist.Data))
        {
        }

        var act = () => GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.InfoGan, run, 2)).Configure(o => (o.Output.ResumeFrom, o.Model.ModelWidth) = (run, null)))
            .TrainAsync(mnist.Data);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage(
            "'*step_*.safetensors' holds models built with ModelWidth 8, not this run's ModelWidth 64: resume with the same model options (CLI: --set ModelWidth=8).");
    }

    [Fact]
    public async Task ResumeFrom_NothingThere_SaysWhatWasLookedFor()
    {
        var act = () => GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("none"), 1)).Configure(o => o.Output.ResumeFrom = _root.Path)).TrainAsync(mnist.Data);

        (await act.Should().ThrowAsync<FileNotFoundException>()).WithMessage($"ResumeFrom: '{_root.Path}' holds no valid checkpoint*");
    }

    [Fact]
    public async Task Resume_OfARunThatHasTheAskedEpochs_RefusesSayingWhatItHasAndHowToAskForMore()
    {
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("done"), 2))).TrainAsync(mnist.Data))
        {
        }

        var newest = new RunFolder(Folder("done")).FindCheckpoints().First();
        var again = () => GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("done"), 2)).Configure(o => o.Output.ResumeFrom = Folder("done"))).TrainAsync(mnist.Data);
        (await again.Should().ThrowAsync<InvalidOperationException>()).WithMessage(
            $"Nothing to train: '{newest}' has already trained 2 epochs, and Epochs is 2. Epochs is the run's total, not a number to add: " +
            "to train on, set it higher (e.g. Epochs = 12; CLI: --epochs 12).");

        // Epochs is the total: asking for 3 trains one more epoch.
        using var more = await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("done"), 3)).Configure(o => o.Output.ResumeFrom = Folder("done")))
            .TrainAsync(mnist.Data);
        more.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3);
    }

    /// <summary>Flips the bits of one byte of a tensor's data in a safetensors file, leaving the file's structure intact.</summary>
    private static void Damage(string path, string tensor, int byteOffset)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var begin = header.RootElement.GetProperty(tensor).GetProperty("data_offsets")[0].GetInt64();
        bytes[8 + headerLength + begin + byteOffset] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData("rng.default", 12)]                       // the state's 'seeded' field: libtorch aborted the process on it
    [InlineData("rng.run", 100)]                          // inside the Mersenne state
    [InlineData("generator.main.0.weight", 5)]            // a weight
    [InlineData("optimizer.discriminator.0.exp_avg_sq", 0)] // an optimiser moment
    public async Task Resume_ADamagedCheckpoint_IsRefusedNamingTheFileAndTensor_AndTheRunGoesOnFromThePreviousOne(string tensor, int byteOffset)
    {
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("damaged"), 2))).TrainAsync(mnist.Data))
        {
        }

        var checkpoints = new RunFolder(Folder("damaged")).FindCheckpoints();
        Damage(checkpoints[0], tensor, byteOffset);

        var read = () => TrainingCheckpoint.Read(checkpoints[0]);
        read.Should().Throw<InvalidDataException>().WithMessage($"'{checkpoints[0]}' is damaged: tensor '{tensor}' differs from the digest written with it.");
        var logger = new ListLogger();
        using var resumed = await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("damaged"), 3)).Configure(o => o.Output.ResumeFrom = Folder("damaged")), logger)
            .TrainAsync(mnist.Data);
        logger.Lines.Select(l => l.Message).Should().Contain(m => m.StartsWith($"Checkpoint {checkpoints[0]} is unusable, trying the previous one: '{checkpoints[0]}' is damaged", StringComparison.Ordinal));
        logger.Lines.Select(l => l.Message).Should().Contain(m => m.StartsWith($"Resumed from {checkpoints[1]} at epoch 2", StringComparison.Ordinal));
        resumed.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Resume_ACheckpointWithoutDigests_StillLoads_ButAnInvalidRandomStateIsRefusedBeforeLibtorchSeesIt()
    {
        using (await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Mlp, Folder("legacy"), 1))).TrainAsync(mnist.Data))
        {
        }

        var written = new RunFolder(Folder("legacy")).FindCheckpoints()[0];
        var legacy = Path.Combine(_root.Path, "legacy.safetensors");
        using (var content = SafeTensorsFile.Read(written))
        {
            SafeTensorsFile.Write(legacy, content.Tensors, content.Metadata.Where(m => m.Key != TrainingCheckpoint.DigestsKey).ToDictionary());
        }

        using (TrainingCheckpoint.Read(legacy))
        {
        }

        Damage(legacy, "rng.default", 12);
        var read = () => TrainingCheckpoint.Read(legacy);
        read.Should().Throw<InvalidDataException>().WithMessage(
            $"'{legacy}' is damaged: tensor 'rng.default' is not a valid random generator state (left *, seeded 254, next *; libtorch needs seeded 1, left 1-624, next at most 624).");
    }

    [Fact]
    public async Task GeneratorExport_LoadsAndGeneratesExactlyWhatTheTrainedGeneratorDoes()
    {
        using var result = await GanTrainer.Create(b => b.Configure(Recipe(GanArchitecture.Dcgan, Folder("export"), 1))).TrainAsync(mnist.Data);
        var file = Path.Combine(result.OutputDirectory, "generator.safetensors");

        var loaded = GeneratorFile.Load(file);
        using (loaded.Module)
        {
            using var scope = NewDisposeScope();
            loaded.Generate(9, seed: 4).Equals(result.Generator.Generate(9, seed: 4)).Should().BeTrue();
            loaded.Generate(9, seed: 4).Equals(loaded.Generate(9, seed: 5)).Should().BeFalse();
            loaded.Generate(9, seed: 4).shape.Should().Equal(9, 1, 28, 28);
        }

        using var content = SafeTensorsFile.Read(file);
        content.Tensors.Keys.Should().Contain(["main.0.weight", "main.1.running_mean", "main.1.num_batches_tracked", "main.10.weight"]);
        content.Metadata["architecture"].Should().Be("Dcgan");
    }

    [Fact]
    public void GeneratorFile_TensorsOfAnotherArchitecture_AreRejectedNamingThem()
    {
        using var scope = NewDisposeScope();
        var mlp = GanModels.CreateGenerator(GanArchitecture.Mlp);
        using var module = mlp.Module;
        var path = Path.Combine(_root.Path, "mislabelled.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "ganmnist.generator/1", ["architecture"] = "Dcgan", ["latent_size"] = "100", ["leaky_relu_slope"] = "0.2", ["mlp_activation"] = "Relu",
        };
        SafeTensorsFile.Write(path, module.state_dict(), metadata);

        var act = () => GeneratorFile.Load(path);

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' does not fit the model: tensor 'main.0.weight' is [128, 100] Float32, the model needs [12544, 100] Float32;*tensor 'main.1.running_mean' is missing;*tensor 'main.6.weight' is not part of the model*");
    }

    [Theory]
    [InlineData("latent_size", "2147483647", "has a 'latent_size' of '2147483647', expected a whole number in [1, 4096].")]
    [InlineData("latent_size", "0", "has a 'latent_size' of '0', expected a whole number in [1, 4096].")]
    [InlineData("class_count", "99999999", "has a 'class_count' of '99999999', expected a whole number in [0, 1000].")]
    [InlineData("leaky_relu_slope", "x", "has a 'leaky_relu_slope' of 'x', expected a number in [0, 1].")]
    [InlineData("leaky_relu_slope", "NaN", "has a 'leaky_relu_slope' of 'NaN', expected a number in [0, 1].")]
    [InlineData("mlp_activation", "7", "has an 'mlp_activation' of '7', expected one of Relu, LeakyRelu.")]
    [InlineData("architecture", "1", "holds a '1' generator, which GanMnist cannot rebuild;*")]
    public void GeneratorFile_DamagedMetadata_IsRefusedBeforeAnyModelIsBuilt(string key, string value, string problem)
    {
        // AFL++ (safetensors target) found mlp_activation "[elu" reaching Enum.Parse (regressions/safetensors/); the rest were found
        // by reading the same code: values reached double.Parse and the layer constructors (2^31 latent inputs: terabytes).
        using var scope = NewDisposeScope();
        var path = Path.Combine(_root.Path, "damaged.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "ganmnist.generator/1", ["architecture"] = "Mlp", ["latent_size"] = "100", ["leaky_relu_slope"] = "0.2", ["mlp_activation"] = "Relu",
        };
        metadata[key] = value;
        SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["main.0.weight"] = zeros(2, 2) }, metadata);

        var act = () => GeneratorFile.Load(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' {problem}");
    }

    private sealed class StopWhen(Func<StepInfo, bool> condition, CancellationTokenSource cancel) : ITrainingCallback
    {
        public void OnStepEnd(TrainingContext context, StepInfo step)
        {
            if (condition(step))
            {
                cancel.Cancel();
            }
        }
    }
}
