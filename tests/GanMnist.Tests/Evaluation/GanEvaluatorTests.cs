using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Models;
using GanMnist.Tests.Training;
using GanMnist.Training;
using GanMnist.Runtime;

namespace GanMnist.Tests.Evaluation;

/// <summary>
/// One evaluator for the class: the cached classifier (trained into the per-user cache on first use, about
/// 1.5 minutes), 10,000 MNIST training images as the reference and the MNIST test set as the real scores.
/// </summary>
public sealed class EvaluatorFixture : IDisposable
{
    public EvaluatorFixture()
    {
        var data = new MnistDatasetOptions { Directory = TestData.MnistDirectory, AllowDownload = false };
        Evaluator = GanEvaluator.CreateAsync(new GanEvaluatorOptions { SampleCount = 2000, Classifier = { Data = data } }).GetAwaiter().GetResult();
        Test = MnistDataset.LoadAsync(MnistSplit.Test, data).GetAwaiter().GetResult();
    }

    public GanEvaluator Evaluator { get; }

    public MnistDataset Test { get; }

    public void Dispose()
    {
        Evaluator.Dispose();
        Test.Dispose();
    }
}

public sealed class GanEvaluatorTests(EvaluatorFixture fixture, MnistSubsetFixture mnist) : IClassFixture<EvaluatorFixture>, IClassFixture<MnistSubsetFixture>
{
    private GanEvaluator Evaluator => fixture.Evaluator;

    [Fact]
    public void Classifier_FromTheCache_ClassifiesTheTestSetAtLeast99PercentRight()
    {
        Evaluator.Classifier.Accuracy(fixture.Test).Should().BeGreaterThanOrEqualTo(0.99);
        Evaluator.Classifier.TestAccuracy.Should().BeGreaterThanOrEqualTo(0.99, "the accuracy measured at training time is stored in the file");
    }

    [Fact]
    public async Task Training_WithTensorBoard_WritesEventFilesWhoseRecordsScalarsImagesAndTextReadBack()
    {
        using var output = new TempFolder();
        var trainer = GanTrainer.Create(b => b.UseMlp(MlpActivation.LeakyRelu).Epochs(2).BatchSize(64).Seed(3).OnDevice("cpu").OutputTo(output.Path)
            .EvaluateWith(Evaluator, everyEpochs: 1).WriteTensorBoard("tb").Configure(o => (o.Output.LogEverySteps, o.Output.SampleGridSize, o.Threads) = (10, 3, 1)));

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        using var result = await trainer.TrainAsync(mnist.Data); // 32 steps per epoch
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        TensorBoardEvents.Crc32C("123456789"u8).Should().Be(0xE3069283u, "the published CRC-32C check value");
        var file = Directory.GetFiles(Path.Combine(output.Path, "tb"), "events.out.tfevents.*").Should().ContainSingle().Subject;
        var values = TensorBoardEvents.Read(file); // throws on any bad CRC
        values.Where(v => v.Tag == "step/d_loss").Select(v => v.Step).Should().Equal(10, 20, 30, 32, 42, 52, 62, 64);
        values.Where(v => v.Tag == "epoch/d_loss").Select(v => (v.Step, v.Scalar)).Should().Equal(
            result.History.Epochs.Select(e => ((long)e.Epoch, (float?)(float)e.DiscriminatorLoss)));
        values.Where(v => v.Tag == "evaluation/fid").Select(v => (v.Step, v.Scalar)).Should().Equal(
            result.History.Epochs.Select(e => ((long)e.Epoch, (float?)(float)e.Evaluation!.FrechetDistance)));
        values.Should().Contain(v => v.Tag == "step/images_per_second" && v.Scalar > 0);
        var images = values.Where(v => v.Tag == "samples").ToList();
        images.Select(v => v.Step).Should().Equal(1, 2);
        GanMnist.Tests.Imaging.PngDecoder.DecodeGray(images[1].Image!).Pixels.Should().Equal(
            GanMnist.Tests.Imaging.PngDecoder.DecodeGray(File.ReadAllBytes(result.SampleFiles[1])).Pixels, "the sample grid written to samples/ (re-encoded)");
        (images[1].ImageWidth, images[1].ImageHeight).Should().Be((3 * 30 + 2, 3 * 30 + 2));
        System.Text.Encoding.UTF8.GetString(values.Single(v => v.Tag.StartsWith("options", StringComparison.Ordinal)).Raw).Should().Contain("\"Epochs\": 2");
        // TensorBoard's clock: Unix seconds with a fraction in every record, the header first; the file named as PyTorch names it.
        var records = TensorBoardEvents.Records(file);
        records[0].FileVersion.Should().Be("brain.Event:2", "the first record is the file-version header");
        records.Should().OnlyContain(r => r.WallTime >= before - 0.01 && r.WallTime <= after + 0.01, "every wall time is Unix seconds within the run");
        records.Should().Contain(r => r.WallTime != Math.Floor(r.WallTime), "wall times carry fractions of a second");
        var name = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(file), @"^events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)$");
        name.Success.Should().BeTrue(Path.GetFileName(file));
        double.Parse(name.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(Math.Floor(before), after);
        (name.Groups[2].Value, int.Parse(name.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)).Should().Be((Environment.MachineName, Environment.ProcessId));
    }

    [Fact]
    public void Evaluate_ConditionalGeneratorOfOtherClasses_IsRefusedNamingBothCounts()
    {
        var letters = GanModels.CreateGenerator(GanArchitecture.ConditionalMlp, classCount: 26);

        var act = () => Evaluator.Evaluate(letters, sampleCount: 100);

        act.Should().Throw<ArgumentException>().WithMessage("The generator is conditioned on 26 classes but the classifier tells 10 apart (MNIST)*");
    }

    [Fact]
    public void Real_TestImages_ScoreAsRealDigits()
    {
        var real = Evaluator.Real!;

        real.SampleCount.Should().Be(10_000);
        real.MnistScore.Should().BeGreaterThan(9.5);
        real.ClassesCovered.Should().Be(10);
        real.ModeCollapse.Should().BeFalse();
        real.Precision.Should().BeGreaterThan(0.8);
        real.Recall.Should().BeGreaterThan(0.8);
    }

    [Fact]
    public void Evaluate_FewerImagesThanFeatureDimensions_WarnsNamingTheCountAndTheMinimum()
    {
        using var scope = NewDisposeScope();

        var few = Evaluator.Evaluate(fixture.Test.Images.narrow(0, 0, 100));
        var enough = Evaluator.Evaluate(fixture.Test.Images.narrow(0, 0, 129));

        few.Warning.Should().Be("FID from 100 images of 128-dimensional features: with no more samples than dimensions the covariance is singular " +
            "and the FID is biased upward; evaluate at least 129 images (10,000 is the convention)");
        few.ToString().Should().Contain(" - WARNING: FID from 100 images");
        enough.Warning.Should().BeNull();
    }

    [Fact]
    public void Evaluate_OtherRealImagesNearTheRealReference_AndNoiseFarFromIt()
    {
        using var scope = NewDisposeScope();
        var realImages = fixture.Test.Images.narrow(0, 5000, 5000);
        using var random = new Generator(5);
        var noise = rand([5000, 1, 28, 28], generator: random).mul(2).sub(1);

        var real = Evaluator.Evaluate(realImages);
        var fake = Evaluator.Evaluate(noise);

        // FID is biased upwards at smaller N (and MNIST's second test half is the harder one), so "near" is a factor of 6
        // (measured: 4.1x with the classifier the libtorch 1.13 binding trained, 5.3x with TorchSharp's, both 99.3% accurate).
        real.FrechetDistance.Should().BeLessThan(6 * Evaluator.Real!.FrechetDistance);
        fake.FrechetDistance.Should().BeGreaterThan(50 * real.FrechetDistance);
        real.MnistScore.Should().BeGreaterThan(9.5);
        fake.MnistScore.Should().BeLessThan(real.MnistScore / 2);
        fake.Recall.Should().BeLessThan(0.1);
    }

    [Fact]
    public void Evaluate_OnlyOnesAndSevens_CoversTwoClassesAndRaisesTheModeCollapseAlarm()
    {
        using var scope = NewDisposeScope();
        var labels = fixture.Test.Labels.ToArray<long>();
        var indices = Enumerable.Range(0, labels.Length).Where(i => labels[i] is 1 or 7).Select(i => (long)i).ToArray();
        var twoDigits = fixture.Test.Images.index_select(0, tensor(indices));

        var result = Evaluator.Evaluate(twoDigits);

        result.ClassesCovered.Should().Be(2);
        result.ModeCollapse.Should().BeTrue();
        result.ModeCollapseReason.Should().Contain("classes '1' (").And.Contain("'7' (").And.Contain("over 2x the real share");
        result.ClassCounts[1].Should().BeGreaterThan(1000);
        result.ClassCounts[7].Should().BeGreaterThan(900);
        result.ToString().Should().Contain("MODE COLLAPSE");
    }

    [Fact]
    public void Evaluate_AGenerator_UsesTheSeedAndLeavesItsModeAlone()
    {
        using var random = new Generator(3);
        var generator = GanModels.CreateGenerator(GanArchitecture.Mlp, generator: random);
        try
        {
            generator.Module.train();

            var first = Evaluator.Evaluate(generator, sampleCount: 500, seed: 9);
            var again = Evaluator.Evaluate(generator, sampleCount: 500, seed: 9);

            again.FrechetDistance.Should().Be(first.FrechetDistance);
            first.SampleCount.Should().Be(500);
            first.FrechetDistance.Should().BeGreaterThan(10 * Evaluator.Real!.FrechetDistance, "an untrained generator makes no digits");
            first.ConditionalAccuracy.Should().BeNull();
            generator.Module.training.Should().BeTrue();
        }
        finally
        {
            generator.Module.Dispose();
        }
    }

    [Fact]
    public void Evaluate_AnIdxFileWrittenFromTestImages_ScoresLikeTheImages()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var images = fixture.Test.Images.narrow(0, 0, 2000);
        var path = Path.Combine(folder.Path, "samples-idx3-ubyte");
        IdxFile.WriteImages(path, images);

        var fromFile = Evaluator.EvaluateFile(path);
        var direct = Evaluator.Evaluate(images);

        fromFile.SampleCount.Should().Be(2000);
        fromFile.FrechetDistance.Should().BeApproximately(direct.FrechetDistance, 1e-6, "MNIST's bytes survive the [-1, 1] round trip exactly");
        fromFile.ClassCounts.Should().Equal(direct.ClassCounts);
    }

    [Fact]
    public void Evaluate_BadImages_NameWhatIsWrong()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var labelsFile = folder.Write("labels-idx1-ubyte", TestData.Labels([1, 2, 3]));

        FluentActions.Invoking(() => Evaluator.Evaluate(zeros([10, 28, 28]))).Should().Throw<ArgumentException>().WithMessage("*(N, 1, 28, 28)*[10, 28, 28]*");
        FluentActions.Invoking(() => Evaluator.Evaluate(full([10, 1, 28, 28], 255))).Should().Throw<ArgumentException>().WithMessage("*[-1, 1]*[255, 255]*");
        FluentActions.Invoking(() => Evaluator.Evaluate(zeros([3, 1, 28, 28]))).Should().Throw<ArgumentException>().WithMessage("*more than 3 images; got 3*");
        FluentActions.Invoking(() => Evaluator.EvaluateFile(labelsFile)).Should().Throw<InvalidDataException>().WithMessage($"*{labelsFile}*");
    }

    [Fact]
    public async Task Trainer_EvaluatingEveryEpoch_PutsTheMetricsInSummariesProgressHistoryAndLogs()
    {
        using var output = new TempFolder();
        var logger = new ListLogger();
        var reports = new List<TrainingProgress>();
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(2).Seed(4).OutputTo(output.Path)
            .Configure(o => (o.Device, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = ("cpu", 0, 0))
            .EvaluateWith(Evaluator, everyEpochs: 1), logger);

        using var result = await trainer.TrainAsync(mnist.Data, new SynchronousProgress<TrainingProgress>(reports.Add));

        result.History.Epochs.Should().AllSatisfy(e => e.Evaluation.Should().NotBeNull());
        result.History.Epochs[^1].Evaluation!.SampleCount.Should().Be(2000);
        reports[^1].Evaluation.Should().BeSameAs(result.History.Epochs[^1].Evaluation);
        var csv = File.ReadAllLines(Path.Combine(output.Path, "history.csv"));
        csv[0].Should().Contain("fid").And.Contain("mnist_score").And.Contain("precision").And.Contain("mode_collapse");
        csv.Should().HaveCount(3);
        File.ReadAllText(Path.Combine(output.Path, "history.json")).Should().Contain("FrechetDistance");
        File.Exists(Path.Combine(output.Path, "fid.svg")).Should().BeTrue();
        logger.Lines.Should().Contain(l => l.Message.StartsWith("Evaluation at epoch 2: FID", StringComparison.Ordinal));
        var report = File.ReadAllText(new GanMnist.Checkpoints.RunFolder(output.Path).ReportFile);
        report.Should().Contain("id=\"metrics\"").And.Contain("<td>real test images</td>").And.Contain("Fréchet distance");
        var first = report[report.IndexOf("<section id=\"result\">", StringComparison.Ordinal)..report.IndexOf("</section>", StringComparison.Ordinal)];
        report.IndexOf("<section id=\"result\">", StringComparison.Ordinal).Should().BeLessThan(report.IndexOf("<h2 id=\"losses\">", StringComparison.Ordinal),
            "the report leads with the result");
        first.Should().Contain("id=\"final\"").And.Contain("<th>epoch 2</th><th>real test images</th>")
            .And.Contain("<td class=\"k\">FID (lower is better)</td><td>" + result.History.Epochs[^1].Evaluation!.FrechetDistance.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "</td>")
            .And.Contain("<td class=\"k\">throughput</td>");
    }

    [Fact]
    public async Task Trainer_WithEvaluateEveryEpochs_LoadsItsOwnEvaluatorFromBesideTheMnistFiles()
    {
        using var output = new TempFolder();
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(1).Seed(4).OutputTo(output.Path).EvaluateEvery(1, samples: 300)
            .Configure(o => (o.Device, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = ("cpu", 0, 0)));

        using var result = await trainer.TrainAsync(mnist.Data);

        var evaluation = result.History.Epochs[0].Evaluation;
        evaluation.Should().NotBeNull();
        evaluation!.SampleCount.Should().Be(300);
        evaluation.FrechetDistance.Should().BeGreaterThan(0);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
