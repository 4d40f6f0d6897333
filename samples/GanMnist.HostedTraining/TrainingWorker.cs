using GanMnist.Data;
using GanMnist.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GanMnist.HostedTraining;

/// <summary>Loads MNIST, trains with the injected <see cref="GanTrainer"/>, and stops the application when done.</summary>
internal sealed partial class TrainingWorker(GanTrainer trainer, IOptions<MnistDatasetOptions> mnist, IHostApplicationLifetime lifetime,
    TrainingOutcome outcome, ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var data = await MnistDataset.LoadAsync(MnistSplit.Train, mnist.Value, logger: logger, cancellationToken: stoppingToken);
            using var result = await trainer.TrainAsync(data, cancellationToken: stoppingToken);
            LogDone(logger, result.OutputDirectory, result.History.Epochs[^1].Evaluation?.ToString() ?? "not evaluated");
            outcome.ExitCode = 0;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped(logger, Path.GetFullPath(trainer.Options.Output.OutputDirectory));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NonFiniteLossException or System.Runtime.InteropServices.ExternalException)
        {
            LogFailed(logger, e.Message);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training finished; run folder {Folder}; final evaluation: {Evaluation}")]
    private static partial void LogDone(ILogger logger, string folder, string evaluation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped on request after writing a checkpoint; resume with --GanMnist:Output:ResumeFrom={Folder}")]
    private static partial void LogStopped(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
