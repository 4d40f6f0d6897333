using System.Text.Json;
using System.Text.Json.Nodes;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;
using GanMnist.Training.Reporting;

namespace GanMnist.Tests.Compatibility;

/// <summary>
/// Files written before the options were grouped (Fixtures/FlatOptions, see its README: flat <c>options.json</c>, a checkpoint
/// of commit 1fcb559 and a checkpoint and generator of 22c5a13) still load into the groups, sample the images they gave then, and resume.
/// </summary>
[Collection(LiveTensorCollection.Name)]
public sealed class FlatOptionsFileTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "FlatOptions");

    [Theory]
    [InlineData("1fcb559-options.json")]
    [InlineData("22c5a13-options.json")]
    public void FlatOptionsJson_EveryKeyIsAnOption_AndReadsBackUnchangedWhenWrittenGrouped(string file)
    {
        var path = Path.Combine(Fixtures, file);
        var flat = JsonNode.Parse(File.ReadAllText(path))!.AsObject();

        var options = CheckpointFile.ReadOptions(File.ReadAllText(path), path);

        foreach (var (name, value) in flat)
        {
            var option = GanTrainerOptionKeys.Find(name);
            option.Should().NotBeNull($"'{name}' of {file} is an option");
            JsonSerializer.SerializeToNode(option!.GetValue(options), option.Property.PropertyType, GanMnist.IO.JsonSettings.Options)?.ToJsonString()
                .Should().Be(value?.ToJsonString(), $"{option.Key} holds the file's '{name}'");
        }

        var grouped = JsonSerializer.Serialize(options, GanMnist.IO.JsonSettings.Options);
        JsonNode.Parse(grouped)!.AsObject().Should().Contain(p => p.Key == "Model", "today's files are grouped");
        GanTrainerOptionKeys.Deserialize(grouped).Should().BeEquivalentTo(options);
    }

    [Fact]
    public void FlatOptionsJson_Of22c5a13_LandsInItsGroups()
    {
        var path = Path.Combine(Fixtures, "22c5a13-options.json");

        var o = CheckpointFile.ReadOptions(File.ReadAllText(path), path);

        (o.Preset, o.Epochs, o.Seed, o.Precision).Should().Be((GanPreset.Quick, 1, (ulong?)5, Precision.Float32));
        (o.Model.Architecture, o.Model.ModelWidth, o.Model.LatentSize, o.Model.MlpActivation).Should().Be((GanArchitecture.ConditionalInfoGan, (int?)4, 8, MlpActivation.LeakyRelu));
        (o.Optimization.BatchSize, o.Optimization.GeneratorLearningRate, o.Optimization.Beta1).Should().Be((128, 2e-4, 0.5));
        (o.Objective.Loss, o.Objective.LabelSmoothing).Should().Be((GanLossKind.NonSaturating, (double?)0.9));
        o.Schedule.EmaDecay.Should().Be(0.9);
        (o.Output.OutputDirectory, o.Output.CheckpointEveryEpochs).Should().Be(("flat-fixture", 1));
        (o.Evaluation.EvaluateEveryEpochs, o.Health.MonitorHealth).Should().Be((0, true));
    }

    [Fact]
    public void Report_OfARunFolderWithAFlatOptionsJson_ShowsEachValueUnderItsKey()
    {
        using var run = new TempFolder();
        File.Copy(Path.Combine(Fixtures, "22c5a13-options.json"), Path.Combine(run.Path, "options.json"));

        var html = TrainingReport.Build(run.Path);

        html.Should().Contain("<td class=\"k\">Model:ModelWidth</td><td class=\"k\">4</td>")
            .And.Contain("<td class=\"k\">Model:Architecture</td><td class=\"k\">ConditionalInfoGan</td>")
            .And.Contain("<td class=\"k\">Schedule:EmaDecay</td><td class=\"k\">0.9</td>")
            .And.Contain("<td class=\"k\">Epochs</td><td class=\"k\">1</td>");
    }

    [Fact]
    public void GeneratorFile_Of22c5a13_LoadsWithItsWidthAndGivesTheCheckpointsImages()
    {
        using var scope = NewDisposeScope();
        var generator = GeneratorFile.Load(Path.Combine(Fixtures, "22c5a13-infogan-generator.safetensors"));
        using var module = generator.Module;

        (generator.LatentSize, generator.ClassCount, GanModels.WidthOf(generator.Module)).Should().Be((8, 10, 4));
        // The run's export holds the EMA generator, as its last checkpoint does.
        SameImages(generator.Generate(8, 3, classIndex: 7), "22c5a13-infogan-checkpoint-seed3-class7.idx");
    }

    [Fact]
    public async Task Checkpoint_Of22c5a13_SamplesAndResumesWithTheModelsItsFlatOptionsDescribe()
    {
        var checkpoint = Path.Combine(Fixtures, "22c5a13-infogan-step_0000000469.safetensors");
        using (var scope = NewDisposeScope())
        {
            var generator = CheckpointFile.LoadGenerator(checkpoint, out _);
            using var module = generator.Module;
            generator.ClassCount.Should().Be(10);
            SameImages(generator.Generate(8, 3, classIndex: 7), "22c5a13-infogan-checkpoint-seed3-class7.idx");
        }

        using var output = new TempFolder();
        using var data = await MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = TestData.MnistDirectory });
        var options = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick);
        (options.Epochs, options.Device) = (2, "cpu");
        (options.Model.Architecture, options.Model.ModelWidth, options.Model.LatentSize) = (GanArchitecture.ConditionalInfoGan, 4, 8);
        options.Schedule.EmaDecay = 0.9;
        (options.Output.OutputDirectory, options.Output.ResumeFrom, options.Output.SampleEveryEpochs, options.Output.CheckpointEveryEpochs) = (output.Path, checkpoint, 0, 1);

        using var result = await new GanTrainer(options).TrainAsync(data);

        result.Seed.Should().Be(5, "the checkpoint's seed");
        result.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2);
        using var resumed = SafeTensorsFile.Read(new RunFolder(output.Path).FindCheckpoints().First());
        resumed.Metadata["global_step"].Should().Be("938", "epoch 2 continued from the checkpoint's 469 steps");

        options.Model.ModelWidth = 8;
        options.Output.OutputDirectory = Path.Combine(output.Path, "other");
        var act = async () => (await new GanTrainer(options).TrainAsync(data)).Dispose();
        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*holds models built with ModelWidth 4, not this run's ModelWidth 8*");
    }

    /// <summary>The images as the CLI's <c>generate --idx</c> wrote them then: bytes equal, or one grey level apart where float rounding differs across CPUs.</summary>
    private static void SameImages(Tensor images, string expectedFile)
    {
        using var written = new TempFolder();
        var path = Path.Combine(written.Path, "images.idx");
        IdxFile.WriteImages(path, images);
        var (now, then) = (File.ReadAllBytes(path), File.ReadAllBytes(Path.Combine(Fixtures, expectedFile)));

        now.Length.Should().Be(then.Length);
        var differences = now.Zip(then, (a, b) => Math.Abs(a - b)).ToArray();
        differences.Max().Should().BeLessThanOrEqualTo(1, "the same weights and noise give the same images");
        differences.Count(d => d > 0).Should().BeLessThan(now.Length / 100);
    }
}
