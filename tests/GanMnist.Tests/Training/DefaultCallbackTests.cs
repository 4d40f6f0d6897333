using GanMnist.Evaluation;
using GanMnist.Models;
using GanMnist.Training;
using GanMnist.Training.Callbacks;

namespace GanMnist.Tests.Training;

public sealed class DefaultCallbackTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Fact]
    public void Around_EveryOptionOn_GivesTheDocumentedOrderWithYoursBeforeCheckpointsAndTrimming()
    {
        var options = new GanTrainerOptions { Schedule = { LearningRateDecayEpochs = 5 }, Output = { TensorBoardDirectory = "tb", SampleEveryEpochs = 2, CheckpointEveryEpochs = 3 } };
        var own = new Recorder();

        var callbacks = DefaultCallbacks.Around(options, null, [own]);

        callbacks.Select(c => c.GetType().Name).Should().Equal(nameof(LearningRateScheduler), nameof(HistoryLogger), nameof(TensorBoardLogger),
            nameof(SampleGridCallback), nameof(TrainingReportCallback), nameof(GeneratorExport), nameof(Recorder), nameof(ModelCheckpoint), nameof(MemoryTrimming));
    }

    [Fact]
    public void Around_EveryOptionOff_KeepsHistoryReportExportAndTrimmingOnly()
    {
        var options = new GanTrainerOptions { Output = { SampleEveryEpochs = 0, CheckpointEveryEpochs = 0 } };

        var callbacks = DefaultCallbacks.Around(options, null, []);

        callbacks.Select(c => c.GetType().Name).Should().Equal(nameof(HistoryLogger), nameof(TrainingReportCallback), nameof(GeneratorExport), nameof(MemoryTrimming));
    }

    [Fact]
    public async Task ConfigureCallbacks_ReportRemovedAndSamplesReplaced_WritesNoReportAndOnlyTheOwnGrid()
    {
        using var output = new TempFolder();
        var own = new Recorder();
        var trainer = Trainer(output.Path, epochs: 2, b => b.ConfigureCallbacks(list =>
        {
            list.Should().ContainSingle(c => c is TrainingReportCallback);
            list.Remove(list.Single(c => c is TrainingReportCallback));
            list[list.IndexOf(list.Single(c => c is SampleGridCallback))] = own;
        }));

        using var result = await trainer.TrainAsync(mnist.Data);

        File.Exists(result.Folder.ReportFile).Should().BeFalse("the report callback was removed");
        Directory.Exists(result.Folder.SamplesFolder).Should().BeFalse("the sample callback was replaced");
        result.SampleFiles.Should().BeEmpty();
        own.Hooks.Count(h => h == "OnEpochEnd").Should().Be(2, "the replacement runs in its place");
        File.Exists(result.Folder.HistoryCsvFile).Should().BeTrue("the other defaults still run");
        File.Exists(result.Folder.GeneratorFile).Should().BeTrue();
        result.Folder.FindCheckpoints().Should().HaveCount(1, "the last epoch is checkpointed");
    }

    [Fact]
    public async Task TrainAsync_OneEpochOfTwoSteps_CallsTheHooksInTheDocumentedOrder()
    {
        using var output = new TempFolder();
        var own = new Recorder();
        var trainer = Trainer(output.Path, epochs: 1, b => b.Configure(o => (o.Optimization.BatchSize, o.Output.LogEverySteps) = (1000, 1)).AddCallback(own));

        using var result = await trainer.TrainAsync(mnist.Data);

        // The defaults' epoch end writes the grid (OnSampleWritten) before yours runs.
        own.Hooks.Should().Equal("OnTrainingStart", "OnEpochStart", "OnStepStart 1", "OnStepEnd 1", "OnProgress 1", "OnStepStart 2", "OnStepEnd 2",
            "OnProgress 2", "OnEvaluate", "OnSampleWritten", "OnEpochEnd", "OnTrainingEnd");
        own.SawGeneratorFileAtEnd.Should().BeTrue("the generator file is written before your OnTrainingEnd");
        own.HistoryAtEpochEnd.Should().Equal(1);
    }

    [Fact]
    public async Task TrainAsync_AnEvaluationGiven_ReachesLaterCallbacksThroughTheContext()
    {
        using var output = new TempFolder();
        var evaluation = new EvaluationResult
        {
            SampleCount = 10, FrechetDistance = 12.5, MnistScore = 9.9, ClassCounts = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], ClassesCovered = 10,
            LargestClassShare = 0.1, SmallestClassShare = 0.1, ModeCollapse = false,
        };
        var evaluator = new EvaluateAtEpoch(2, evaluation);
        var reader = new Recorder();
        var trainer = Trainer(output.Path, epochs: 3, b => b.AddCallback(evaluator).AddCallback(reader));

        using var result = await trainer.TrainAsync(mnist.Data);

        reader.EvaluationAtEpochEnd.Should().Equal([null, evaluation, evaluation], "the latest evaluation stays in the context");
        result.History.Epochs.Select(e => e.Evaluation).Should().Equal([null, evaluation, null]);
        File.ReadAllText(result.Folder.HistoryCsvFile).Should().Contain("12.5", "the history files carry it");
    }

    [Fact]
    public async Task TrainAsync_YourDisposableCallback_IsNotDisposedAndServesASecondRun()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        var own = new DisposableRecorder();

        using (await Trainer(first.Path, epochs: 1, b => b.AddCallback(own)).TrainAsync(mnist.Data))
        using (await Trainer(second.Path, epochs: 1, b => b.AddCallback(own)).TrainAsync(mnist.Data))
        {
        }

        own.Disposed.Should().BeFalse("a callback you add is yours to dispose");
        own.Starts.Should().Be(2);
    }

    private static GanTrainer Trainer(string output, int epochs, Action<GanTrainerBuilder> configure) =>
        GanTrainer.Create(b =>
        {
            b.UseMlp(MlpActivation.LeakyRelu).Epochs(epochs).BatchSize(500).Seed(4).OnDevice("cpu").OutputTo(output)
                .Configure(o => (o.Output.CheckpointEveryEpochs, o.Threads) = (5, 1));
            configure(b);
        });

    private sealed class DisposableRecorder : ITrainingCallback, IDisposable
    {
        public bool Disposed { get; private set; }

        public int Starts { get; private set; }

        public void OnTrainingStart(TrainingContext context) => Starts++;

        public void Dispose() => Disposed = true;
    }

    private sealed class EvaluateAtEpoch(int epoch, EvaluationResult result) : ITrainingCallback
    {
        public EvaluationResult? OnEvaluate(TrainingContext context, int at) => at == epoch ? result : null;
    }

    private sealed class Recorder : ITrainingCallback
    {
        public List<string> Hooks { get; } = [];

        public List<EvaluationResult?> EvaluationAtEpochEnd { get; } = [];

        public List<int> HistoryAtEpochEnd { get; } = [];

        public bool SawGeneratorFileAtEnd { get; private set; }

        public void OnTrainingStart(TrainingContext context) => Hooks.Add(nameof(OnTrainingStart));

        public void OnEpochStart(TrainingContext context, int epoch) => Hooks.Add(nameof(OnEpochStart));

        public void OnStepStart(TrainingContext context, StepInfo step) => Hooks.Add($"{nameof(OnStepStart)} {step.Step}");

        public void OnStepEnd(TrainingContext context, StepInfo step) => Hooks.Add($"{nameof(OnStepEnd)} {step.Step}");

        public void OnProgress(TrainingContext context, TrainingProgress progress) => Hooks.Add($"{nameof(OnProgress)} {progress.Step}");

        public EvaluationResult? OnEvaluate(TrainingContext context, int epoch)
        {
            Hooks.Add(nameof(OnEvaluate));
            return null;
        }

        public void OnEpochEnd(TrainingContext context, EpochSummary summary)
        {
            Hooks.Add(nameof(OnEpochEnd));
            EvaluationAtEpochEnd.Add(context.Evaluation);
            HistoryAtEpochEnd.Add(context.History.Epochs.Count);
        }

        public void OnSampleWritten(TrainingContext context, int epoch, string path) => Hooks.Add(nameof(OnSampleWritten));

        public void OnTrainingEnd(TrainingContext context, TrainingHistory history)
        {
            Hooks.Add(nameof(OnTrainingEnd));
            SawGeneratorFileAtEnd = File.Exists(context.Folder.GeneratorFile);
        }
    }
}
