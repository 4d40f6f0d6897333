using System.CommandLine;
using System.Globalization;
using GanMnist.Data;
using GanMnist.Losses;
using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace GanMnist.Cli;

/// <summary><c>ganmnist train</c>: a preset, explicit overrides, any option through <c>--set</c>, a live progress bar or plain logs.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var preset = new Option<GanPreset>("--preset") { Description = "The recipe to start from: quick (conditional MLP + EMA, 18 epochs: 4.5-4.7 minutes on 2 cores, FID 75 (74-81) over 3 seeds, every digit), " +
            "best (the same for 100 epochs: 27-29 minutes on 2 cores, FID 12.0 (11.3-12.8) over 3 seeds, varied digits), conv (quick's recipe on a conditional InfoGAN at width 32, 20 epochs, the learning rates decaying over the last 10: under 10 minutes on 2 Zen 5 cores in bf16-mixed (FID 6.4, 6.3-7.1 over 3 seeds), 33 minutes in float32 on 2 Zen 3 cores (FID 6.3, 5.6-6.4), clean varied digits), dcgan (the seeds' TensorFlow recipe, 50 epochs: recognisable digits of all ten classes at epoch 50, FID 264 at seed 1, about 80 minutes on 2 Zen 5 cores in bf16-mixed), mlp (seed 004's, stays collapsed) or none. Measurements: docs/training.md.", DefaultValueFactory = _ => GanPreset.Quick };
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training images." };
        var dataset = CliApp.DatasetOption("default mnist");
        var batchSize = new Option<int?>("--batch-size") { Description = "Real images per batch." };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate of both networks." };
        var lrD = new Option<double?>("--lr-d") { Description = "The discriminator's learning rate (TTUR), when it differs." };
        var loss = new Option<GanLossKind?>("--loss") { Description = "NonSaturating, Minimax, LeastSquares, Hinge or WassersteinGp." };
        var smoothing = new Option<double?>("--label-smoothing") { Description = "One-sided label smoothing target for real images, e.g. 0.9." };
        var seed = new Option<ulong?>("--seed") { Description = "The seed of the run (a random one is drawn and logged otherwise)." };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto." };
        var precision = new Option<string?>("--precision")
        {
            Description = "32-true (float32, the default) or bf16-mixed (linear and convolution layers in bfloat16, weights and losses in float32; fast on CPUs with AMX, on Ampere+ GPUs and on some CPUs with AVX512-BF16 alone (a Zen 5 EPYC), slower than float32 on others and where bfloat16 is emulated; docs/performance.md).",
        };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per core)." };
        var data = new Option<string?>("--data") { Description = "The folder with the dataset's files (downloaded into it when missing)." };
        var noDownload = new Option<bool>("--no-download") { Description = "Never download the dataset." };
        var outDir = new Option<string?>("--out") { Description = "The run folder (default: runs/<preset>)." };
        var tensorBoard = new Option<string?>("--tensorboard") { Description = "Also write TensorBoard event files to this folder (relative: inside the run folder)." };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: a run folder or a checkpoint file." };
        var evaluateEvery = new Option<int>("--evaluate-every")
        {
            Description = "Evaluate (FID, MNIST score, classes, precision/recall) every N epochs and after the last; 0 never.",
            DefaultValueFactory = _ => 15,
        };
        var evaluationSamples = new Option<int?>("--evaluation-samples") { Description = "Images per evaluation (default 10000)." };
        var set = new Option<string[]>("--set")
        {
            Description = "Any option of GanTrainerOptions by its key or its name alone, as Key=Value (repeatable), e.g. --set Optimization:DiscriminatorSteps=2 or --set DiscriminatorSteps=2.",
            AllowMultipleArgumentsPerToken = false,
        };
        var summary = new Option<bool>("--summary") { Description = "Print the generator's and discriminator's summaries (layers, output shapes, parameters, as Keras' model.summary()) and exit without training." };
        var command = new Command("train", $"Train a GAN on MNIST or another dataset of the family; writes samples, history, charts, checkpoints, {Checkpoints.RunFolder.GeneratorFileName} and {Checkpoints.RunFolder.ReportFileName}.")
        {
            preset, dataset, epochs, batchSize, lr, lrD, loss, smoothing, seed, device, precision, threads, data, noDownload, outDir, tensorBoard, resume, evaluateEvery, evaluationSamples, set, summary,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = GanPresets.Apply(new GanTrainerOptions(), parse.GetValue(preset));
            ApplySettings(options, parse.GetValue(set) ?? []);
            options.Epochs = parse.GetValue(epochs) ?? options.Epochs;
            options.Optimization.BatchSize = parse.GetValue(batchSize) ?? options.Optimization.BatchSize;
            if (parse.GetValue(lr) is { } rate)
            {
                (options.Optimization.GeneratorLearningRate, options.Optimization.DiscriminatorLearningRate) = (rate, rate);
            }

            options.Optimization.DiscriminatorLearningRate = parse.GetValue(lrD) ?? options.Optimization.DiscriminatorLearningRate;
            options.Objective.Loss = parse.GetValue(loss) ?? options.Objective.Loss;
            options.Objective.LabelSmoothing = parse.GetValue(smoothing) ?? options.Objective.LabelSmoothing;
            options.Seed = parse.GetValue(seed) ?? options.Seed;
            options.Device = parse.GetValue(device) ?? options.Device;
            options.Threads = parse.GetValue(threads) ?? options.Threads;
            options.Precision = parse.GetValue(precision) is { } name ? ParsePrecision(name) : options.Precision;
            options.Output.ResumeFrom = parse.GetValue(resume) ?? options.Output.ResumeFrom;
            options.Output.TensorBoardDirectory = parse.GetValue(tensorBoard) ?? options.Output.TensorBoardDirectory;
            options.Evaluation.EvaluateEveryEpochs = parse.GetValue(evaluateEvery);
            options.Evaluation.EvaluationSamples = parse.GetValue(evaluationSamples) ?? options.Evaluation.EvaluationSamples;
            options.Output.OutputDirectory = parse.GetValue(outDir)
                ?? (options.Output.ResumeFrom is { } from && Directory.Exists(from) ? from : Path.Combine("runs", options.Preset.ToString().ToLowerInvariant()));
            var datasetName = parse.GetValue(dataset) ?? (options.Output.ResumeFrom is { } resumed ? TrainedOn(resumed) : null);
            if (parse.GetValue(summary))
            {
                return await PrintSummaryAsync(options, datasetName, output);
            }

            return await RunAsync(options, CliApp.Data(parse.GetValue(data), !parse.GetValue(noDownload), datasetName), output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>Prints the summaries of the models <paramref name="options"/> train (the dataset's classes for conditional ones); validates the options first.</summary>
    private static async Task<int> PrintSummaryAsync(GanTrainerOptions options, string? datasetName, TextWriter output)
    {
        var classes = datasetName is null ? 10 : GanMnist.Data.MnistFamily.Get(datasetName).ClassCount;
        var (generator, discriminator) = new GanTrainer(options).Summarize(classes);
        await output.WriteLineAsync(generator.ToString());
        await output.WriteLineAsync();
        await output.WriteLineAsync(discriminator.ToString());
        return 0;
    }

    /// <summary>Lightning's precision names (<c>32-true</c>, <c>32</c>, <c>bf16-mixed</c>) or the option's own (<c>Float32</c>, <c>BFloat16Mixed</c>).</summary>
    internal static Precision ParsePrecision(string name) => name.Trim().ToLowerInvariant() switch
    {
        "32-true" or "32" or "float32" => Precision.Float32,
        "bf16-mixed" or "bfloat16mixed" => Precision.BFloat16Mixed,
        _ => throw new UsageException($"--precision: '{name}' is not a precision; it is 32-true or bf16-mixed."),
    };

    /// <summary>The dataset a run folder's newest checkpoint (or a checkpoint file) was trained on, so that <c>--resume</c> goes on with it.</summary>
    private static string? TrainedOn(string resume)
    {
        var file = File.Exists(resume) ? resume : Directory.Exists(resume) ? new Checkpoints.RunFolder(resume).FindCheckpoints().FirstOrDefault() : null;
        try
        {
            return file is null ? null : Checkpoints.GeneratorFile.ReadDataset(file)?.Name;
        }
        catch (InvalidDataException)
        {
            return null; // the trainer names a damaged checkpoint itself
        }
    }

    /// <summary>
    /// Binds Name=Value pairs onto the options as configuration would: Name is an option's key (<c>Model:LatentSize</c> or
    /// <c>Model.LatentSize</c>) or its name alone (<c>LatentSize</c>); unknown names and unconvertible values are usage errors.
    /// </summary>
    internal static void ApplySettings(GanTrainerOptions options, IReadOnlyList<string> settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--set takes Name=Value, got '{setting}'.");
            }

            var name = setting[..equals].Trim();
            if (string.Equals(name, nameof(GanTrainerOptions.Preset), StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--set: the preset is chosen with --preset (it sets the other options; --set then overrides them), not with --set {setting}.");
            }

            var key = GanTrainerOptions.KeyOf(name)
                ?? throw new UsageException($"--set: GanTrainerOptions has no option '{name}'; options are {string.Join(", ", GanTrainerOptions.Keys.Where(k => k != nameof(GanTrainerOptions.Preset)))}.");
            values[key] = setting[(equals + 1)..];
        }

        try
        {
            new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--set: {e.Message}");
        }
    }

    private static async Task<int> RunAsync(GanTrainerOptions options, MnistDatasetOptions data, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        using var logging = CliApp.Logging(interactive ? LogLevel.Warning : LogLevel.Information);
        var logger = logging.CreateLogger("ganmnist");
        var trainer = new GanTrainer(options, logger); // validates: every invalid option at once (exit code 2)
        using var train = await MnistDataset.LoadAsync(MnistSplit.Train, data, logger: logger, cancellationToken: cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Training {options.Preset} ({options.Model.Architecture}, {options.Objective.Loss}) for {options.Epochs} epochs on {train.Count} {train.Info.DisplayName} images; run folder {Path.GetFullPath(options.Output.OutputDirectory)}"));
        TrainingResult result;
        try
        {
            result = interactive
                ? await TrainWithProgressBarAsync(trainer, train, options, cancellationToken)
                : await trainer.TrainAsync(train, cancellationToken: cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var folder = new Checkpoints.RunFolder(options.Output.OutputDirectory);
            throw new StoppedException(options.Output.CheckpointOnCancel
                ? $"Stopped on request after writing a checkpoint in {folder.CheckpointsFolder}; continue with: {RootCommand.ExecutableName} train --preset {options.Preset.ToString().ToLowerInvariant()} --resume {folder.Path} --epochs {options.Epochs}"
                : "Stopped on request (no checkpoint: CheckpointOnCancel is off).");
        }

        using (result)
        {
            await output.WriteLineAsync($"Done (seed {result.Seed}). Report: {result.Folder.ReportFile}");
            if (result.History.Epochs.LastOrDefault(e => e.Evaluation is not null)?.Evaluation is { } evaluation)
            {
                await output.WriteLineAsync($"Evaluation: {evaluation}");
            }
        }

        return CliApp.Success;
    }

    private static Task<TrainingResult> TrainWithProgressBarAsync(GanTrainer trainer, MnistDataset train, GanTrainerOptions options, CancellationToken cancellationToken) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                var progress = new InlineProgress<TrainingProgress>(p =>
                {
                    task.MaxValue = (double)p.Epochs * p.StepsPerEpoch;
                    task.Value = p.GlobalStep;
                    var fid = p.Evaluation is { } e ? string.Create(CultureInfo.InvariantCulture, $" FID {e.FrechetDistance:F1}") : string.Empty;
                    var health = p.HealthWarnings.Count > 0 ? $" [red]{string.Join(", ", p.HealthWarnings.Select(w => w.Issue))}[/]" : string.Empty;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"epoch {p.Epoch}/{p.Epochs} {p.ImagesPerSecond:F0} img/s D {p.DiscriminatorLoss:F3} G {p.GeneratorLoss:F3}{fid}{health} ETA {p.Remaining:hh\\:mm\\:ss}");
                });
                var result = await trainer.TrainAsync(train, progress, cancellationToken);
                task.Value = task.MaxValue;
                return result;
            });

    /// <summary>Reports on the training thread (Spectre's tasks are thread-safe).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
