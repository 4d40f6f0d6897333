using GanMnist.Checkpoints;
using GanMnist.Health;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

[Collection(LiveTensorCollection.Name)]
public sealed class HealthTests(SmallMnistFixture mnist) : IClassFixture<SmallMnistFixture>, IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private Action<GanTrainerOptions> Recipe(string name, int epochs, double lrG, double lrD) => o =>
    {
        (o.Model.Architecture, o.Model.MlpActivation, o.Epochs, o.Optimization.BatchSize, o.Seed, o.Device, o.Threads) = (GanArchitecture.Mlp, MlpActivation.LeakyRelu, epochs, 64, 5UL, "cpu", 1);
        (o.Optimization.GeneratorLearningRate, o.Optimization.DiscriminatorLearningRate, o.Health.HealthWindowSteps) = (lrG, lrD, 40);
        (o.Output.OutputDirectory, o.Output.LogEverySteps, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = (Path.Combine(_root.Path, name), 8, 0, 1);
    };

    [Fact]
    public async Task LearningRateFarTooHigh_IsReportedAsDivergence_InTheLogHistoryReportAndResult()
    {
        var logger = new ListLogger();
        using var result = await GanTrainer.Create(b => b.Configure(Recipe("diverging", 3, 1.0, 1.0)), logger).TrainAsync(mnist.Data);

        var warning = result.HealthWarnings.Should().Contain(w => w.Issue == HealthIssue.Divergence).Subject;
        warning.Message.Should().MatchRegex(@"^Divergence: the (discriminator|generator) loss reached \S+ at step \d+ \(epoch \d\)(, \S+ times the \S+ of its first 20 steps)?\. " +
            @"The learning rates are usually too high \(the seeds use 1e-4: try ten times lower\), or D needs a penalty \(R1Weight, or the WassersteinGp loss\)\.$");
        logger.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message == "Health warning: " + warning.Message);
        result.History.Epochs.Single(e => e.Epoch == warning.Epoch).HealthWarnings.Should().Contain(warning);
        File.ReadAllText(result.Folder.HistoryJsonFile).Should().Contain("Divergence");
        File.ReadAllText(result.Folder.ReportFile).Should().Contain($"Health warning at epoch {warning.Epoch}: Divergence:");
    }

    [Fact]
    public async Task StopOnHealthWarning_StopsWithACheckpoint_AndTheMessageNamesIt()
    {
        var act = () => GanTrainer.Create(b => b.Configure(Recipe("stopped", 3, 1.0, 1.0)).Configure(o => o.Health.StopOnHealthWarning = true)).TrainAsync(mnist.Data);

        var thrown = (await act.Should().ThrowAsync<TrainingHealthException>()).Which;
        thrown.Warning.Issue.Should().Be(HealthIssue.Divergence);
        thrown.Checkpoint.Should().NotBeNull();
        File.Exists(thrown.Checkpoint).Should().BeTrue();
        thrown.Message.Should().Be($"{thrown.Warning.Message} Training stopped after writing {thrown.Checkpoint}.");
        new RunFolder(Path.Combine(_root.Path, "stopped")).FindCheckpoints().Should().Contain(thrown.Checkpoint);
    }

    [Fact]
    public async Task DiscriminatorThatWinsOutright_IsReported()
    {
        // 8 steps an epoch: G all but frozen, D fast; reported after 20 steps of outright wins.
        using var result = await GanTrainer.Create(b => b.Configure(Recipe("d-wins", 8, 1e-9, 2e-3)).Configure(o => o.Health.HealthWindowSteps = 20)).TrainAsync(mnist.Data);

        result.HealthWarnings.Select(w => w.Issue).Should().Contain(HealthIssue.DiscriminatorWins);
        result.HealthWarnings.First(w => w.Issue == HealthIssue.DiscriminatorWins).Message.Should().StartWith(
            "The discriminator wins outright: D(x) above 0.99 and D(G(z)) below 0.01 on every step since step ");
    }

    [Fact]
    public async Task SaturatedNetworks_AreReportedAsFrozenLosses()
    {
        // The minimax loss against a discriminator at learning rate 1.0: its logits run far past the sigmoid's range, where
        // both cross-entropies are 0 in float32 and stay there (G, barely moving, gets no gradient to escape).
        using var result = await GanTrainer.Create(b => b.Configure(Recipe("frozen", 10, 1e-9, 1.0))
            .Configure(o => (o.Objective.Loss, o.Health.HealthWindowSteps) = (GanLossKind.Minimax, 20))).TrainAsync(mnist.Data);

        result.HealthWarnings.Select(w => w.Issue).Should().Contain(HealthIssue.FrozenLosses);
    }

    [Fact]
    public async Task HealthyShortRun_OfTheQuickRecipe_RaisesNothing()
    {
        using var result = await GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Configure(o =>
        {
            (o.Epochs, o.Optimization.BatchSize, o.Seed, o.Device, o.Threads, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = (3, 64, 5UL, "cpu", 1, 0, 0);
            o.Output.OutputDirectory = Path.Combine(_root.Path, "healthy");
        })).TrainAsync(mnist.Data);

        result.HealthWarnings.Should().BeEmpty();
    }

    [Fact]
    public void Monitor_FrozenLosses_AreReportedOnceAfterTheWindow()
    {
        var monitor = new HealthMonitor(1e4, 1e3, window: 5, scoresAreProbabilities: true);
        var warnings = Enumerable.Range(1, 12).Select(step => monitor.Observe(1, step, step <= 3 ? 0.5 + (step * 0.01) : 0.0, step <= 3 ? 1.0 : 27.631021, 0.7, 0.3))
            .Where(w => w is not null).ToList();

        warnings.Should().ContainSingle().Which.Should().Be(new HealthWarning(HealthIssue.FrozenLosses, 1, 4,
            "Losses frozen: D loss 0 and G loss 27.631 have not changed since step 4 (5 steps): the networks stopped learning (saturated outputs, or a learning rate of 0). " +
            "What usually helps: lower learning rates, the NonSaturating loss, or a restart from an earlier checkpoint."));
    }

    [Fact]
    public void Monitor_ScoresThatAreNotProbabilities_NeverRaiseTheOutrightWin()
    {
        var monitor = new HealthMonitor(1e4, 1e3, window: 3, scoresAreProbabilities: false);

        Enumerable.Range(1, 10).Select(step => monitor.Observe(1, step, 0.1 * step, -0.1 * step, 5.0, -5.0)).Should().OnlyContain(w => w == null);
    }

    [Fact]
    public void Monitor_AWassersteinCritic_IsJudgedByTheBoundOnly()
    {
        var monitor = new HealthMonitor(1e4, 1e3, window: 3, scoresAreProbabilities: false, relativeDivergence: false);
        var calm = Enumerable.Range(1, 30).Select(step => monitor.Observe(1, step, -0.01 - (step * 1e-4), 0.01 + (step * 1e-4), double.NaN, double.NaN)).ToList();

        monitor.Observe(1, 31, -500, 400, double.NaN, double.NaN).Should().BeNull("500 is 50,000 times the first steps' 0.01 but a critic has no fixed scale");
        monitor.Observe(1, 32, -2e4, 400, double.NaN, double.NaN)!.Message.Should().StartWith("Divergence: the discriminator loss reached -2E+04 at step 32 (epoch 1).");
        calm.Should().OnlyContain(w => w == null);
    }

    [Fact]
    public void Options_HealthThresholdsOutOfRange_AreRefusedNamingThem()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Health = { DivergenceFactor = 1, HealthWindowSteps = 0 } });

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*DivergenceFactor*").WithMessage("*HealthWindowSteps*");
    }
}
