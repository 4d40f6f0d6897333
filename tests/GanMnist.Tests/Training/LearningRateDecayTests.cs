using GanMnist.Models;
using GanMnist.Training;
using Microsoft.Extensions.Options;

namespace GanMnist.Tests.Training;

public sealed class LearningRateDecayTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Fact]
    public void Factor_IsOneThenFallsLinearly_AndNeverReachesZeroWithinTheRun()
    {
        // 10 steps, the last 4 decaying: (10 - s) / 4 clamped to 1.
        Enumerable.Range(0, 10).Select(s => Schedules.LearningRateFactor(s, 10, 4)).Should().Equal(1, 1, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25);
        Schedules.LearningRateFactor(0, 10, 10).Should().Be(1);
        Schedules.LearningRateFactor(9, 10, 10).Should().BeApproximately(0.1, 1e-15);
    }

    [Fact]
    public async Task Trainer_DecayingTheLastEpoch_StepsWithTheScheduledRates()
    {
        using var output = new TempFolder();
        var rates = new RateRecorder();
        // 2,000 images at batch 500: 4 steps an epoch, 8 in all, the last 4 decaying.
        using var result = await GanTrainer.Create(b => b.UseMlp(MlpActivation.LeakyRelu).Epochs(2).BatchSize(500).Seed(2).OnDevice("cpu").OutputTo(output.Path)
            .Configure(o => (o.GeneratorLearningRate, o.DiscriminatorLearningRate, o.LearningRateDecayEpochs, o.SampleEveryEpochs, o.CheckpointEveryEpochs) = (2e-4, 4e-4, 1, 0, 0))
            .AddCallback(rates)).TrainAsync(mnist.Data);

        double[] factors = [1, 1, 1, 1, 1, 0.75, 0.5, 0.25];
        rates.Generator.Should().Equal(factors.Select(f => 2e-4 * f), (a, b) => Math.Abs(a - b) < 1e-18);
        rates.Discriminator.Should().Equal(factors.Select(f => 4e-4 * f), (a, b) => Math.Abs(a - b) < 1e-18);
    }

    [Fact]
    public void DecayLongerThanTheRun_IsRefusedNamingBoth()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Epochs = 3, LearningRateDecayEpochs = 5 });

        act.Should().Throw<OptionsValidationException>()
            .WithMessage("*LearningRateDecayEpochs (5) is more than Epochs (3): the decay must fit in the run.*");
    }

    private sealed class RateRecorder : ITrainingCallback
    {
        public List<double> Generator { get; } = [];

        public List<double> Discriminator { get; } = [];

        public void OnStepEnd(TrainingContext context, StepInfo step)
        {
            Generator.Add(context.GeneratorLearningRate);
            Discriminator.Add(context.DiscriminatorLearningRate);
        }
    }
}
