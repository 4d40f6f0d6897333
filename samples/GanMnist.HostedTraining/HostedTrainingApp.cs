using GanMnist.Data;
using GanMnist.DependencyInjection;
using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GanMnist.HostedTraining;

/// <summary>Builds and runs the host; exit code 0 when training completed, 1 when it failed or stopped early, 2 for invalid configuration.</summary>
internal static class HostedTrainingApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddGanMnist(builder.Configuration.GetSection(GanTrainerOptions.SectionName));
        builder.Services.Configure<MnistDatasetOptions>(builder.Configuration.GetSection("Mnist"));
        builder.Services.AddSingleton<TrainingOutcome>();
        builder.Services.AddHostedService<TrainingWorker>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1)); // room for the last step and the checkpoint
        using var host = builder.Build();
        var outcome = host.Services.GetRequiredService<TrainingOutcome>(); // RunAsync disposes the host
        try
        {
            await host.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"Invalid configuration ({e.Failures.Count()} problem(s)):");
            foreach (var failure in e.Failures)
            {
                await error.WriteLineAsync($"  - {failure}");
            }

            return 2;
        }

        return outcome.ExitCode;
    }
}

/// <summary>How the worker ended, for the exit code.</summary>
internal sealed class TrainingOutcome
{
    public int ExitCode { get; set; } = 1;
}
