using GanMnist.Models;
using GanMnist.Training;
using Microsoft.Extensions.Options;

namespace GanMnist.Tests.Training;

public sealed class LearningRateDecayTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    // 2,000 images at batch 500: 4 steps an epoch, 8 in 2 epochs, the last 4 decaying: min(1, (8 - s) / 5).
    private static readonly double[] Factors = [1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2];

    [Fact]
    public void LearningRateFactor_TenStepsTheLastFourDecaying_IsOneThenFallsByAFifth()
    {
        // min(1, (10 - s) / (4 + 1)), as pix2pix's 1 - max(0, e - n) / (n_decay + 1).
        Enumerable.Range(0, 10).Select(s => Schedules.LearningRateFactor(s, 10, 4)).Should().Equal([1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2],
            (a, b) => Math.Abs(a - b) < 1e-15);
        Schedules.LearningRateFactor(0, 1, 1).Should().Be(0.5, "a decay of one step still lowers it");
    }

    [Fact]
    public async Task TrainAsync_DecayingTheLastEpoch_StepsWithTheScheduledRatesOfTheOptimizers()
    {
        using var output = new TempFolder();
        var rates = new RateRecorder();

        using var result = await Trainer(output.Path, 2, rates).TrainAsync(mnist.Data);

        rates.Generator.Should().Equal(Factors.Select(f => 2e-4 * f), (a, b) => Math.Abs(a - b) < 1e-18);
        rates.Discriminator.Should().Equal(Factors.Select(f => 4e-4 * f), (a, b) => Math.Abs(a - b) < 1e-18);
        rates.AtStart.Should().Equal(2e-4);
    }

    [Fact]
    public async Task TrainAsync_CancelledInTheDecayAndResumed_GoesOnWithTheSameRates()
    {
        using var output = new TempFolder();
        using var cancel = new CancellationTokenSource();
        var first = new RateRecorder(cancelAfter: 6, cancel);
        var act = () => Trainer(output.Path, 2, first).TrainAsync(mnist.Data, cancellationToken: cancel.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();

        var second = new RateRecorder();
        using var resumed = await Trainer(output.Path, 2, second, resume: true).TrainAsync(mnist.Data);

        first.Generator.Concat(second.Generator).Should().Equal(Factors.Select(f => 2e-4 * f), (a, b) => Math.Abs(a - b) < 1e-18);
        second.AtStart.Should().Equal([2e-4 * 0.4], (a, b) => Math.Abs(a - b) < 1e-18, "callbacks see the rate of the step the run resumes at");
    }

    [Fact]
    public void Validate_DecayLongerThanTheRun_IsRefusedNamingBoth()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Epochs = 3, Schedule = { LearningRateDecayEpochs = 5 } });

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*LearningRateDecayEpochs (5) is more than Epochs (3): the decay must fit in the run.*");
    }

    [Fact]
    public void Create_ConvPresetShortened_IsRefusedSayingWhatToSet()
    {
        var act = () => GanTrainer.Create(b => b.UsePreset(GanPreset.Conv).Epochs(6));

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*LearningRateDecayEpochs (10) is more than Epochs (6)*CLI: --set LearningRateDecayEpochs=3; the conv preset decays over its last 10 epochs*");
    }

    private static GanTrainer Trainer(string output, int epochs, RateRecorder rates, bool resume = false) =>
        GanTrainer.Create(b => b.UseMlp(MlpActivation.LeakyRelu).Epochs(epochs).BatchSize(500).Seed(2).OnDevice("cpu").OutputTo(output)
            .Configure(o => (o.Optimization.GeneratorLearningRate, o.Optimization.DiscriminatorLearningRate, o.Schedule.LearningRateDecayEpochs, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs, o.Output.ResumeFrom) =
                (2e-4, 4e-4, 1, 0, 0, resume ? output : null))
            .AddCallback(rates));

    private sealed class RateRecorder(int cancelAfter = 0, CancellationTokenSource? cancel = null) : ITrainingCallback
    {
        public List<double> Generator { get; } = [];

        public List<double> Discriminator { get; } = [];

        public List<double> AtStart { get; } = [];

        public void OnTrainingStart(TrainingContext context) => AtStart.Add(context.GeneratorLearningRate);

        public void OnStepEnd(TrainingContext context, StepInfo step)
        {
            Generator.Add(context.GeneratorLearningRate);
            Discriminator.Add(context.DiscriminatorLearningRate);
            if (Generator.Count == cancelAfter)
            {
                cancel!.Cancel();
            }
        }
    }
}
