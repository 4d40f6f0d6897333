using GanMnist.Data;
using GanMnist.Evaluation;
using Microsoft.Extensions.Logging;

namespace GanMnist.Tests.Evaluation;

/// <summary>
/// The evaluation reference (features, radii, class shares, the real images' metrics) cached beside the classifier: read back
/// it measures exactly as computed; a damaged file is recomputed with a warning; anything it depends on names another file.
/// A private cache folder holding a copy of the cached classifier, on 2,000 images of each split.
/// </summary>
public sealed class EvaluationReferenceCacheTests(EvaluatorFixture fixture) : IClassFixture<EvaluatorFixture>, IDisposable
{
    private readonly TempFolder _cache = new();

    public void Dispose() => _cache.Dispose();

    private GanEvaluatorOptions Options(int neighbours = 3)
    {
        var classifier = fixture.Evaluator.Classifier.Path!;
        var copy = Path.Combine(_cache.Path, Path.GetFileName(classifier));
        if (!File.Exists(copy))
        {
            File.Copy(classifier, copy);
        }

        var data = new MnistDatasetOptions { Directory = TestData.MnistDirectory, AllowDownload = false, Limit = 2000 };
        return new GanEvaluatorOptions { SampleCount = 500, NearestNeighbours = neighbours, Classifier = { Data = data, CacheDirectory = _cache.Path } };
    }

    private string[] ReferenceFiles() => Directory.GetFiles(_cache.Path, "mnist-reference-*.safetensors");

    [Fact]
    public async Task SecondEvaluator_ReadsTheReference_AndMeasuresExactlyAsTheFirst()
    {
        var firstLog = new ListLogger();
        var secondLog = new ListLogger();
        using var first = await GanEvaluator.CreateAsync(Options(), firstLog);
        ReferenceFiles().Should().ContainSingle();
        using var second = await GanEvaluator.CreateAsync(Options(), secondLog);

        firstLog.Lines.Should().Contain(l => l.Message.StartsWith("Evaluation reference: 2000 training images", StringComparison.Ordinal));
        secondLog.Lines.Should().Contain(l => l.Message == $"Evaluation reference and real test images' score read from '{ReferenceFiles()[0]}'");
        secondLog.Lines.Should().NotContain(l => l.Message.StartsWith("Evaluation reference: ", StringComparison.Ordinal), "nothing is classified again");
        second.ReferenceCount.Should().Be(2000);
        second.Real!.ToString().Should().Be(first.Real!.ToString());
        second.Real.ClassCounts.Should().Equal(first.Real.ClassCounts);
        second.Real.Precision.Should().Be(first.Real.Precision);

        using var scope = NewDisposeScope();
        var images = fixture.Test.Images.narrow(0, 0, 700);
        var (a, b) = (first.Evaluate(images), second.Evaluate(images));
        b.FrechetDistance.Should().Be(a.FrechetDistance);
        (b.Precision, b.Recall, b.MnistScore).Should().Be((a.Precision, a.Recall, a.MnistScore));
        b.ClassCounts.Should().Equal(a.ClassCounts);
    }

    [Fact]
    public async Task DamagedReferenceFile_IsRecomputedWithAWarningNamingIt_AndReplaced()
    {
        using (await GanEvaluator.CreateAsync(Options()))
        {
        }

        var file = ReferenceFiles().Single();
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);
        var log = new ListLogger();

        using var evaluator = await GanEvaluator.CreateAsync(Options(), log);

        log.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.StartsWith($"The cached evaluation reference '{file}' cannot be used (", StringComparison.Ordinal)
            && l.Message.EndsWith("); computing it again", StringComparison.Ordinal));
        evaluator.Real!.ClassesCovered.Should().Be(10);
        new FileInfo(file).Length.Should().Be(bytes.Length, "the recomputed reference replaced the damaged file");
        var reread = new ListLogger();
        using var again = await GanEvaluator.CreateAsync(Options(), reread);
        reread.Lines.Should().Contain(l => l.Message.StartsWith("Evaluation reference and real test images' score read from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOptionThatChangesAMeasurement_UsesAnotherFile()
    {
        using (await GanEvaluator.CreateAsync(Options(neighbours: 3)))
        {
        }

        using var five = await GanEvaluator.CreateAsync(Options(neighbours: 5));

        ReferenceFiles().Should().HaveCount(2, "k changes the radii and so precision and recall");
    }

    [Fact]
    public void Key_ChangesWithOnePixel_OneWeightOrAnAlarmThreshold()
    {
        using var scope = NewDisposeScope();
        var classifier = fixture.Evaluator.Classifier;
        var reference = fixture.Test.Images.narrow(0, 0, 50).clone();
        var real = fixture.Test.Images.narrow(0, 50, 50);
        var options = new GanEvaluatorOptions();
        var key = EvaluationReference.Key(classifier, reference, real, options);

        EvaluationReference.Key(classifier, reference, real, options).Should().Be(key, "the key is a function of its inputs");
        EvaluationReference.Key(classifier, reference, real, new GanEvaluatorOptions { MaxClassRatio = 3 }).Should().NotBe(key);
        EvaluationReference.Key(classifier, reference, null, options).Should().NotBe(key);
        reference[0, 0, 14, 14] = reference[0, 0, 14, 14] + 0.5f;
        EvaluationReference.Key(classifier, reference, real, options).Should().NotBe(key);
        reference[0, 0, 14, 14] = reference[0, 0, 14, 14] - 0.5f;
        var weight = classifier.StateDict().First(p => p.Value.is_floating_point()).Value;
        using (no_grad())
        {
            weight.view(-1)[0] += 1e-3f;
            EvaluationReference.Key(classifier, reference, real, options).Should().NotBe(key);
            weight.view(-1)[0] -= 1e-3f;
        }
    }
}
