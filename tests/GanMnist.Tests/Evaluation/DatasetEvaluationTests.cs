using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;

namespace GanMnist.Tests.Evaluation;

/// <summary>Evaluation on another member of the family: real Fashion-MNIST, its own classifier, cache file and class names.</summary>
[Collection(LiveTensorCollection.Name)] // trains with a fixed thread count; the classifier's dropout draws from the process-wide generator
public sealed class DatasetEvaluationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task FashionMnist_ClassifierIsCachedUnderItsDatasetAndAShortTrainingRunMeasurablyImprovesItsFid()
    {
        _ = TestData.FashionMnistDirectory; // without Debian's package: one line naming it
        // A classifier on 600 images per class (2 epochs, ~20 s), saved where LoadOrTrainAsync looks for Fashion-MNIST's.
        var data = new MnistDatasetOptions { Dataset = "fashion-mnist", CacheDirectory = _folder.Path };
        using var train = await MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Dataset = "fashion-mnist", PerClass = 600 });
        using var test = await MnistDataset.LoadAsync(MnistSplit.Test, data);
        var cache = Path.Combine(_folder.Path, "classifier");
        var file = MnistClassifier.CacheFile(cache, MnistFamily.FashionMnist);
        file.Should().EndWith("fashion-mnist-classifier-v1.safetensors");
        using (var trained = MnistClassifier.Train(train, test, new MnistClassifierOptions { Epochs = 2, Threads = 2 }))
        {
            trained.TestAccuracy.Should().BeGreaterThan(0.75, "a small CNN tells Fashion-MNIST's ten classes apart");
            Directory.CreateDirectory(cache);
            trained.Save(file);
        }

        using var classifier = await MnistClassifier.LoadOrTrainAsync(new MnistClassifierOptions { CacheDirectory = cache, Data = data });
        classifier.Path.Should().Be(file, "the cached Fashion-MNIST classifier is used, not trained again");
        classifier.Dataset.Should().BeSameAs(MnistFamily.FashionMnist);
        classifier.ClassNames.Should().Equal(MnistFamily.FashionMnist.ClassNames);

        using var evaluator = GanEvaluator.Create(classifier, train.Images, test.Images.narrow(0, 0, 2000), new GanEvaluatorOptions { SampleCount = 2000 });
        var untrained = GanModels.CreateGenerator(GanArchitecture.Mlp, mlpActivation: MlpActivation.LeakyRelu, generator: new Generator(11));
        EvaluationResult before;
        using (untrained.Module)
        {
            before = evaluator.Evaluate(untrained);
        }

        var trainer = GanTrainer.Create(b => b.UseMlp(MlpActivation.LeakyRelu).Epochs(6).BatchSize(64).LearningRate(2e-4).Betas(0.5).Seed(11)
            .OnDevice("cpu").OutputTo(Path.Combine(_folder.Path, "run")).Configure(o => (o.Output.LogEverySteps, o.Threads) = (50, 2))); // 564 steps
        using var result = await trainer.TrainAsync(train); // measured: FID 870 -> 506
        var after = evaluator.Evaluate(result.Generator);

        after.FrechetDistance.Should().BeLessThan(0.75 * before.FrechetDistance,  $"training should move the samples toward Fashion-MNIST (FID {before.FrechetDistance:F1} -> {after.FrechetDistance:F1})");
        after.ClassNames.Should().Equal(MnistFamily.FashionMnist.ClassNames);
        after.ClassCounts.Should().HaveCount(10);
        evaluator.Real!.ClassesCovered.Should().Be(10);
        GanMnist.Checkpoints.GeneratorFile.ReadDataset(Path.Combine(_folder.Path, "run", "generator.safetensors")).Should().BeSameAs(MnistFamily.FashionMnist);
    }
}
