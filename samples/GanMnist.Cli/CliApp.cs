using System.CommandLine;
using System.Runtime.InteropServices;
using GanMnist.Data;
using GanMnist.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GanMnist.Cli;

/// <summary>The command tree, argument errors (exit code 2) and the mapping of failures to one-line reasons (exit code 1).</summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadArguments = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Train, sample, evaluate and report GANs on MNIST and its family: Fashion-MNIST, KMNIST, EMNIST, QMNIST (GanMnist on TorchSharp).")
        {
            TrainCommand.Create(output, error),
            GenerateCommand.Create(output),
            EvaluateCommand.Create(output),
            ExportCommand.Create(output),
            ReportCommand.Create(output),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync($"Usage: {Hint(parsed.CommandResult.Command)}");
            return BadArguments;
        }

        // Ctrl+C and SIGTERM cancel the token; training finishes its step and writes a checkpoint before it stops.
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, stop.Token);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await error.WriteLineAsync($"Usage: {Hint(parsed.CommandResult.Command)}");
            return BadArguments;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"error: invalid options: {string.Join(" ", e.Failures)}");
            await error.WriteLineAsync($"Usage: {Hint(parsed.CommandResult.Command)}");
            return BadArguments;
        }
        catch (StoppedException e)
        {
            await error.WriteLineAsync(e.Message);
            return Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await error.WriteLineAsync($"error: {OneLine(e)}");
            return Failure;
        }
    }

    private static string Hint(Command command)
    {
        var path = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Insert(0, c.Name);
        }

        var name = $"{RootCommand.ExecutableName} {string.Join(" ", path)}{(path.Count > 0 ? " " : "")}";
        return $"{name}[options]; see '{name}--help'.";
    }

    private static string OneLine(Exception e)
    {
        var message = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0].Message : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>
    /// Which dataset (<c>--dataset</c>) and where it is looked for: <c>--data</c> when given (downloaded into it when missing), else the
    /// library's defaults.
    /// </summary>
    public static MnistDatasetOptions Data(string? directory, bool allowDownload, string? dataset = null)
    {
        try
        {
            _ = dataset is null ? null : MnistFamily.Get(dataset);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--dataset: {e.Message}");
        }

        return new() { Directory = directory, AllowDownload = allowDownload, Dataset = dataset ?? MnistFamily.Mnist.Name };
    }

    /// <summary>The <c>--dataset</c> option: a member of the MNIST family by name.</summary>
    public static Option<string?> DatasetOption(string defaultText) => new("--dataset")
    {
        Description = $"The dataset: {string.Join(", ", MnistFamily.All.Select(d => d.Name))} ({defaultText}).",
    };

    /// <summary>Plain single-line console logs (stderr keeps stdout for results).</summary>
    public static ILoggerFactory Logging(LogLevel minimum) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat) = (true, "HH:mm:ss "))
        .SetMinimumLevel(minimum));
}

/// <summary>An argument that parsed but makes no sense (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A run stopped on request after writing its checkpoint (exit code 1, with how to resume).</summary>
internal sealed class StoppedException(string message) : Exception(message);
