using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GanMnist.Evaluation;
using Microsoft.Extensions.Logging;

namespace GanMnist.Cli;

/// <summary><c>ganmnist evaluate</c>: the metrics of a generator or an IDX file, beside those of the dataset's real test images.</summary>
internal static class EvaluateCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = GenerateCommand.CheckpointOption(required: false);
        var architecture = GenerateCommand.ArchitectureOption();
        var padding = GenerateCommand.PaddingOption();
        var slope = GenerateCommand.SlopeOption();
        var idx = new Option<string?>("--idx") { Description = "An idx3-ubyte images file (gzip or raw), e.g. from 'generate --idx'." };
        var samples = new Option<int>("--samples") { Description = "Images to generate from the checkpoint.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<ulong?>("--seed") { Description = "The noise seed (default: the evaluator's fixed seed)." };
        var data = new Option<string?>("--data") { Description = "The folder with the dataset's files (for the classifier and the reference)." };
        var dataset = CliApp.DatasetOption("default: the one the generator was trained on, else mnist");
        var json = new Option<string?>("--json") { Description = "Also write the metrics as JSON to this file." };
        var command = new Command("evaluate", "Measure generated images: FID, MNIST score, classes, mode collapse, precision and recall.")
        {
            checkpoint, architecture, padding, slope, idx, samples, seed, data, dataset, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (checkpointPath, idxPath) = (parse.GetValue(checkpoint), parse.GetValue(idx));
            if ((checkpointPath is null) == (idxPath is null))
            {
                throw new UsageException("Give either --checkpoint or --idx.");
            }

            using var logging = CliApp.Logging(LogLevel.Information);
            var (generator, trainedOn) = checkpointPath is null ? (null, null) : GenerateCommand.Load(checkpointPath, parse.GetValue(architecture), parse.GetValue(padding), parse.GetValue(slope), output);
            var name = parse.GetValue(dataset) ?? trainedOn?.Name;
            var options = new GanEvaluatorOptions
            {
                SampleCount = parse.GetValue(samples),
                Classifier = { Data = CliApp.Data(parse.GetValue(data), allowDownload: true, name) },
            };
            EvaluationResult result;
            EvaluationResult? real;
            try
            {
                using var evaluator = await GanEvaluator.CreateAsync(options, logging.CreateLogger("ganmnist"), cancellationToken);
                result = generator is not null ? evaluator.Evaluate(generator, seed: parse.GetValue(seed)) : evaluator.EvaluateFile(idxPath!);
                real = evaluator.Real;
            }
            finally
            {
                generator?.Module.Dispose();
            }

            await output.WriteLineAsync($"{"",-22}{"samples",12}{"real test images",18}");
            Row(output, "FID", result.FrechetDistance, real?.FrechetDistance, "F3");
            Row(output, "MNIST score", result.MnistScore, real?.MnistScore, "F3");
            Row(output, "classes covered", result.ClassesCovered, real?.ClassesCovered, "F0");
            Row(output, "smallest class share", result.SmallestClassShare, real?.SmallestClassShare, "P1");
            Row(output, "largest class share", result.LargestClassShare, real?.LargestClassShare, "P1");
            Row(output, "precision", result.Precision, real?.Precision, "F3");
            Row(output, "recall", result.Recall, real?.Recall, "F3");
            if (result.ConditionalAccuracy is { } accuracy)
            {
                Row(output, "conditional accuracy", accuracy, null, "P1");
            }

            await output.WriteLineAsync($"class histogram: {string.Join(" ", result.ClassCounts.Select((c, d) => $"{(d < result.ClassNames.Count ? result.ClassNames[d] : d)}:{c}"))}");
            await output.WriteLineAsync(result.ModeCollapse ? $"MODE COLLAPSE: {result.ModeCollapseReason}" : "mode collapse: no");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{result.SampleCount} images measured in {result.Duration.TotalSeconds:F1} s"));
            if (parse.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { samples = result.ToMetrics(), real = real?.ToMetrics() },
                    new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
            }

            return CliApp.Success;
        });
        return command;
    }

    private static void Row(TextWriter output, string name, double? value, double? real, string format) =>
        output.WriteLine($"{name,-22}{Format(value, format),12}{Format(real, format),18}");

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
