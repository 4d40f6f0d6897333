using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Tests.Training;

public sealed class RunFolderLockTests(SmallMnistFixture mnist) : IClassFixture<SmallMnistFixture>, IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    private GanTrainer Trainer(params ITrainingCallback[] callbacks) => GanTrainer.Create(b =>
    {
        b.UseMlp(MlpActivation.LeakyRelu).Epochs(1).BatchSize(64).Seed(5).OnDevice("cpu").OutputTo(_output.Path)
            .Configure(o => (o.Threads, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = (1, 0, 1));
        foreach (var callback in callbacks)
        {
            b.AddCallback(callback);
        }
    });

    [Fact]
    public async Task SecondTrainingIntoTheSameFolder_IsRefusedAtOnceNamingTheFolderAndTheHolder_AndTheFolderIsFreeAfterwards()
    {
        var holding = new Gate();
        var first = Trainer(holding).TrainAsync(mnist.Data);
        await holding.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var second = () => Trainer().TrainAsync(mnist.Data);

        (await second.Should().ThrowAsync<IOException>()).WithMessage(
            $"The run folder '{_output.Path}' is in use by another training (process {Environment.ProcessId} on {Environment.MachineName}, started *). " +
            "Wait for it to finish, or train into another folder (OutputDirectory, --out).");
        Directory.Exists(Path.Combine(_output.Path, "checkpoints")).Should().BeFalse("the second run wrote nothing (and the first is held at its start)");
        holding.Release.SetResult();
        using (await first)
        {
        }

        File.Exists(Path.Combine(_output.Path, ".ganmnist.lock.owner")).Should().BeFalse("the first run let the folder go");
        using var third = await Trainer().TrainAsync(mnist.Data);
        third.History.Epochs.Should().HaveCount(1);
    }

    /// <summary>Holds a run at its start until released.</summary>
    private sealed class Gate : ITrainingCallback
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTrainingStart(TrainingContext context)
        {
            Entered.SetResult();
            Release.Task.Wait(TimeSpan.FromMinutes(2));
        }
    }
}
