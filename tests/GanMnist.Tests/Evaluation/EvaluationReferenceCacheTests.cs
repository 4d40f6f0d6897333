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
    public async Task CreateAsync_SecondEvaluator_ReadsTheReferenceAndMeasuresExactlyAsTheFirst()
    {
        var firstLog = new ListLogger();
        var secondLog = new ListLogger();
        using var first = await GanEvaluator.CreateAsync(Options(), firstLog);
        ReferenceFiles().Should().ContainSingle();
        using var second = await GanEvaluator.CreateAsync(Options(), secondLog);

        firstLog.Lines.Should().Contain(l => l.Message.StartsWith("Evaluation reference: 2000 training images", StringComparison.Ordinal));
        secondLog.Lines.Should().Contain(l => l.Message.StartsWith($"Evaluation reference and real test images' score read from '{ReferenceFiles()[0]}': FID ", StringComparison.Ordinal));
        secondLog.Lines.Should().NotContain(l => l.Message.StartsWith("Evaluation reference: ", StringComparison.Ordinal), "nothing is classified again");
        second.ReferenceCount.Should().Be(2000);
        // The real images' metrics come from the file: measuring the test images again gives what was stored.
        second.Real!.ClassCounts.Should().Equal(first.Real!.ClassCounts);
        (second.Real.FrechetDistance, second.Real.Precision, second.Real.Recall).Should().Be((first.Real.FrechetDistance, first.Real.Precision, first.Real.Recall));
        var remeasured = second.Evaluate(fixture.Test.Images.narrow(0, 0, 2000));
        (remeasured.FrechetDistance, remeasured.Precision, remeasured.Recall).Should().Be((second.Real.FrechetDistance, second.Real.Precision, second.Real.Recall));

        using var scope = NewDisposeScope();
        var images = fixture.Test.Images.narrow(0, 0, 700);
        var (a, b) = (first.Evaluate(images), second.Evaluate(images));
        b.FrechetDistance.Should().Be(a.FrechetDistance);
        (b.Precision, b.Recall, b.MnistScore).Should().Be((a.Precision, a.Recall, a.MnistScore));
        b.ClassCounts.Should().Equal(a.ClassCounts);
    }

    [Fact]
    public async Task CreateAsync_TruncatedReferenceFile_IsRecomputedWithAWarningNamingItAndReplaced()
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
    public async Task CreateAsync_AnOptionThatChangesAMeasurement_UsesAnotherFile()
    {
        using (await GanEvaluator.CreateAsync(Options(neighbours: 3)))
        {
        }

        using var five = await GanEvaluator.CreateAsync(Options(neighbours: 5));

        ReferenceFiles().Should().HaveCount(2, "k changes the radii and so precision and recall");
    }

    [Theory]
    [InlineData("key", "is not the evaluation reference it is named for (another format or key).")]
    [InlineData("nan", "lacks the finite float32 features (2000, 128) of the reference images.")]
    [InlineData("shares", "holds class shares that are not a distribution (each in [0, 1], summing to 1).")]
    [InlineData("json", "holds unreadable real-image metrics: *")]
    public async Task CreateAsync_ReadableReferenceFileWithBadContent_IsRecomputedWithAWarningNamingWhatIsWrong(string damage, string reason)
    {
        using (await GanEvaluator.CreateAsync(Options()))
        {
        }

        var file = ReferenceFiles().Single();
        var tensors = new Dictionary<string, Tensor>();
        Dictionary<string, string> metadata;
        using (var content = GanMnist.Checkpoints.SafeTensorsFile.Read(file))
        {
            metadata = new(content.Metadata);
            foreach (var (name, t) in content.Tensors)
            {
                tensors[name] = t.clone();
            }
        }

        switch (damage)
        {
            case "key": metadata["key"] = new string('0', 64); break;
            case "nan": tensors["features"][5, 7] = float.NaN; break;
            case "shares": tensors["shares"][0] = 0.5; break;
            default: metadata["real"] = "{\"SampleCount\": [}"; break;
        }

        GanMnist.Checkpoints.SafeTensorsFile.Write(file, tensors, metadata);
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }

        var log = new ListLogger();
        using var evaluator = await GanEvaluator.CreateAsync(Options(), log);

        log.Lines.Should().Contain(l => l.Level == LogLevel.Warning).Which.Message.Should().Match($"The cached evaluation reference '{file}' cannot be used ('{file}' {reason}); computing it again");
        evaluator.Real!.ClassesCovered.Should().Be(10);
    }

    [Fact]
    public async Task CreateAsync_ReferenceFileCannotBeWritten_WarnsNamingItAndStillEvaluates()
    {
        var options = Options();
        using (await GanEvaluator.CreateAsync(options))
        {
        }

        var file = ReferenceFiles().Single();
        File.Delete(file);
        Directory.CreateDirectory(file); // a folder where the file goes: not readable as one, not replaceable by one
        var log = new ListLogger();

        using var evaluator = await GanEvaluator.CreateAsync(options, log);

        log.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.StartsWith($"The evaluation reference could not be cached in '{file}' (", StringComparison.Ordinal));
        evaluator.Real!.ClassesCovered.Should().Be(10);
        Directory.Exists(file).Should().BeTrue("nothing else is touched");
    }

    [Fact]
    public async Task CreateAsync_ManyReferenceFiles_KeepsTheNewestFewOfTheDataset()
    {
        for (var i = 0; i < EvaluationReference.KeepFiles + 1; i++)
        {
            var stale = Path.Combine(_cache.Path, $"mnist-reference-{i:x16}.safetensors");
            await File.WriteAllBytesAsync(stale, [1, 2, 3]);
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-1 - i));
        }

        var other = Path.Combine(_cache.Path, "fashion-mnist-reference-0000000000000000.safetensors");
        await File.WriteAllBytesAsync(other, [1]);
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddDays(-30));

        using (await GanEvaluator.CreateAsync(Options()))
        {
        }

        var kept = ReferenceFiles().Select(Path.GetFileName).ToList();
        kept.Should().HaveCount(EvaluationReference.KeepFiles).And.Contain($"mnist-reference-{0:x16}.safetensors", "the newest stale ones stay");
        kept.Should().NotContain($"mnist-reference-{EvaluationReference.KeepFiles:x16}.safetensors");
        File.Exists(other).Should().BeTrue("another dataset's files are not this dataset's to prune");
    }

    [Fact]
    public void Key_OnePixelOneWeightOrAnAlarmThresholdChanged_Changes()
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
        using var saved = weight.detach().clone();
        using (no_grad())
        {
            try
            {
                weight.view(-1)[0] += 1e-3f;
                EvaluationReference.Key(classifier, reference, real, options).Should().NotBe(key);
            }
            finally
            {
                weight.copy_(saved);
            }
        }

        EvaluationReference.Key(classifier, reference, real, options).Should().Be(key);
    }
}
