using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using Microsoft.Extensions.Logging;

namespace GanMnist.Tests.Evaluation;

public sealed class MnistClassifierTests
{
    /// <summary>A small-budget recipe (2,000 images, 2 epochs): seconds instead of minutes, for the caching paths.</summary>
    private static MnistClassifierOptions SmallBudget(string cache) => new()
    {
        CacheDirectory = cache,
        Epochs = 2,
        Data = new MnistDatasetOptions { Directory = TestData.MnistDirectory, AllowDownload = false, Limit = 2000 },
    };

    [Fact]
    public async Task LoadOrTrainAsync_TrainsOnceCachesByVersionThenLoads_AndRetrainsOverACorruptFile()
    {
        using var cache = new TempFolder();
        var options = SmallBudget(cache.Path);
        var file = MnistClassifier.CacheFile(cache.Path);
        file.Should().EndWith($"mnist-classifier-v{MnistClassifier.ArchitectureVersion}.safetensors");

        double firstAccuracy;
        using (var trained = await MnistClassifier.LoadOrTrainAsync(options))
        {
            trained.Path.Should().Be(file);
            trained.TestAccuracy.Should().BeGreaterThan(0.5, "even a small budget learns far beyond chance (0.1)");
            firstAccuracy = trained.TestAccuracy!.Value;
        }

        var written = File.GetLastWriteTimeUtc(file);
        using (var loaded = await MnistClassifier.LoadOrTrainAsync(options))
        {
            loaded.TestAccuracy.Should().Be(firstAccuracy);
            File.GetLastWriteTimeUtc(file).Should().Be(written, "a valid cached file is reused, not retrained");
        }

        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        var logger = new ListLogger();
        using (var retrained = await MnistClassifier.LoadOrTrainAsync(options, logger))
        {
            retrained.TestAccuracy.Should().BeGreaterThan(0.5);
        }

        logger.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.Contains(file) && l.Message.Contains("training a new one"));
        using var reloaded = MnistClassifier.Load(file);
        reloaded.TestAccuracy.Should().BeGreaterThan(0.5, "the corrupt file was replaced by a valid one");
    }

    [Fact]
    public void Load_FileOfAnotherKindOrVersion_SaysWhichAndWhy()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var generatorFile = Path.Combine(folder.Path, "generator.safetensors");
        SafeTensorsFile.Write(generatorFile, new Dictionary<string, Tensor> { ["w"] = zeros([1]) }, new Dictionary<string, string> { ["format"] = "ganmnist.generator/1" });
        var oldVersion = Path.Combine(folder.Path, "old.safetensors");
        SafeTensorsFile.Write(oldVersion, new Dictionary<string, Tensor> { ["w"] = zeros([1]) },
            new Dictionary<string, string> { ["format"] = MnistClassifier.Format, ["architecture_version"] = "0" });
        var garbage = folder.Write("garbage.safetensors", [1, 2, 3]);

        FluentActions.Invoking(() => MnistClassifier.Load(generatorFile)).Should().Throw<InvalidDataException>()
            .WithMessage($"*{generatorFile}*not a GanMnist classifier*ganmnist.generator/1*");
        FluentActions.Invoking(() => MnistClassifier.Load(oldVersion)).Should().Throw<InvalidDataException>()
            .WithMessage($"*{oldVersion}*version 0*uses version {MnistClassifier.ArchitectureVersion}*");
        FluentActions.Invoking(() => MnistClassifier.Load(garbage)).Should().Throw<InvalidDataException>().WithMessage($"*{garbage}*");
    }

    [Fact]
    public async Task Options_Invalid_AreAllNamedAtOnce()
    {
        var options = new MnistClassifierOptions { Epochs = 0, BatchSize = -1, LearningRate = 2 };

        var act = () => MnistClassifier.LoadOrTrainAsync(options);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*Epochs must be at least 1 (was 0)*BatchSize*-1*LearningRate*2*");
        await FluentActions.Invoking(() => GanEvaluator.CreateAsync(new GanEvaluatorOptions { SampleCount = 2, MaxClassRatio = 0.5, Classifier = options }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*SampleCount must be more than NearestNeighbours (3) (was 2)*MaxClassRatio must be at least 1 (was 0.5)*Classifier.Epochs*");
    }

    [Fact]
    public void Train_UnlabelledData_IsRejected()
    {
        using var scope = NewDisposeScope();
        using var images = new InMemoryImageDataset(zeros([4, 1, 28, 28]));

        FluentActions.Invoking(() => MnistClassifier.Train(images)).Should().Throw<ArgumentException>().WithMessage("*labelled*no labels*");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Train_TheFullRecipeFromScratch_Reaches99PercentOnTheTestSet()
    {
        var data = new MnistDatasetOptions { Directory = TestData.MnistDirectory, AllowDownload = false };
        using var training = await MnistDataset.LoadAsync(MnistSplit.Train, data);
        using var test = await MnistDataset.LoadAsync(MnistSplit.Test, data);

        using var classifier = MnistClassifier.Train(training, test);

        classifier.TestAccuracy.Should().BeGreaterThanOrEqualTo(0.99);
    }
}
