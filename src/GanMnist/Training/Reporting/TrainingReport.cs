using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Evaluation;
using GanMnist.Imaging;
using GanMnist.IO;
using GanMnist.Training;

namespace GanMnist.Training.Reporting;

/// <summary>
/// The HTML report of a run: one self-contained <c>report.html</c> in the run folder (inline CSS, inline SVG
/// charts, PNG grids as data URIs; nothing fetched from the network) that leads with the result (the final grid,
/// the headline metrics beside real data's, epochs, wall time, throughput and any alarm), then the loss and metric
/// charts, the class histogram, the progression of sample grids, the timings, and the settings last (collapsed).
/// Built from the run folder's files alone (<c>options.json</c>, <c>history.json</c>, <c>samples/</c>,
/// <c>evaluation-real.json</c>), so it can be rebuilt at any time; the trainer rewrites it at each epoch's end.
/// </summary>
public static class TrainingReport
{
    internal const int MaxProgressionGrids = 30;

    /// <summary>Builds <c>report.html</c> in a run folder from its files (atomically) and returns its path.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file of the run is malformed; the message names it.</exception>
    public static string Write(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        return Write(new RunFolder(runDirectory));
    }

    internal static string Write(RunFolder folder)
    {
        AtomicFile.WriteAllText(folder.ReportFile, BuildHtml(folder.Path));
        return folder.ReportFile;
    }

    /// <summary>The report's HTML for a run folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file of the run is malformed; the message names it.</exception>
    public static string Build(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        return BuildHtml(runDirectory).ToString();
    }

    /// <summary>The report as chunks (the trainer streams them to the file every epoch; one string would be large-object garbage).</summary>
    private static StringBuilder BuildHtml(string runDirectory)
    {
        if (!Directory.Exists(runDirectory))
        {
            throw new DirectoryNotFoundException($"The run folder '{runDirectory}' does not exist.");
        }

        var folder = new RunFolder(runDirectory);
        var options = ReadJson(folder.OptionsFile, GanTrainerOptionKeys.Deserialize); // grouped, or flat as written before the options were grouped
        var history = ReadJson<List<EpochSummary>>(folder.HistoryJsonFile) ?? [];
        var real = ReadJson<EvaluationResult>(folder.RealEvaluationFile);
        var samples = folder.FindSampleFiles();
        var run = ReadJson<RunInfo>(folder.RunFile);
        var name = Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>GanMnist run: ")
            .Append(Encode(name)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}h1{font-size:1.5em;margin-bottom:.2em}")
            .Append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}")
            .Append("th{background:#f3f3f3}td.k{text-align:left}.grids{display:flex;flex-wrap:wrap;gap:12px}")
            .Append("figure{margin:0;text-align:center}img{image-rendering:pixelated}.alarm{color:#b00}")
            .Append(".result{display:flex;gap:2em;align-items:flex-start;flex-wrap:wrap}.headline td,.headline th{font-size:1.05em}")
            .Append("p.alarm{border:1px solid #b00;background:#fff3f3;padding:.5em .8em;color:#900}.sub{color:#555;margin-top:0}")
            .Append("details summary{cursor:pointer;font-size:1.3em;font-weight:bold;margin:1em 0 .5em}")
            .Append("</style></head><body>\n");
        html.Append("<h1>GanMnist run: ").Append(Encode(name)).Append("</h1>\n<p class=\"sub\">")
            .Append(Encode(Subtitle(options, run, history))).Append("</p>\n");
        AppendResult(html, folder, options, history, real, samples);
        AppendLosses(html, history, options);
        AppendMetrics(html, history, real);
        AppendProgression(html, samples);
        AppendTimings(html, history);
        AppendSettings(html, options, folder);
        html.Append("<p class=\"sub\">Run folder <code>").Append(Encode(Path.GetFullPath(runDirectory))).Append("</code>; report written ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(".</p>\n");
        html.Append("</body></html>\n");
        return html;
    }

    /// <summary>Dataset, architecture, loss, seed and device in one line.</summary>
    private static string Subtitle(GanTrainerOptions? options, RunInfo? run, List<EpochSummary> history)
    {
        var parts = new List<string>();
        if (run?.Dataset is { } dataset)
        {
            parts.Add(dataset);
        }

        if (options is not null)
        {
            parts.Add($"{options.Preset} preset");
            parts.Add(options.Model.Architecture.ToString());
            parts.Add(options.Objective.Loss + (options.Objective.LabelSmoothing is { } smoothing ? string.Create(CultureInfo.InvariantCulture, $" (label smoothing {smoothing})") : string.Empty));
            parts.Add($"batch {options.Optimization.BatchSize.ToString(CultureInfo.InvariantCulture)}");
        }

        if (run is not null)
        {
            parts.Add($"seed {run.Seed.ToString(CultureInfo.InvariantCulture)}");
            parts.Add(run.Device);
        }

        parts.Add($"{history.Count.ToString(CultureInfo.InvariantCulture)}{(options is null ? "" : "/" + options.Epochs.ToString(CultureInfo.InvariantCulture))} epochs");
        return string.Join(" · ", parts);
    }

    /// <summary>The first section: the final grid beside the headline numbers (and real data's), the run's size and speed, and any alarm.</summary>
    private static void AppendResult(StringBuilder html, RunFolder folder, GanTrainerOptions? options, List<EpochSummary> history, EvaluationResult? real,
        IReadOnlyList<(int Epoch, string Path)> samples)
    {
        html.Append("<section id=\"result\">\n<h2>Result</h2>\n<div class=\"result\">\n");
        if (samples.Count > 0)
        {
            var (lastEpoch, lastPath) = samples[^1];
            var large = folder.LargeSampleFile(lastEpoch); // the enlarged grid where the run wrote one (runs before it had only the raw one)
            html.Append("<figure id=\"final\"><img alt=\"final samples, epoch ").Append(lastEpoch.ToString(CultureInfo.InvariantCulture))
                .Append("\" width=\"336\" src=\"").Append(DataUri(File.Exists(large) ? large : lastPath)).Append("\"><figcaption>samples at epoch ")
                .Append(lastEpoch.ToString(CultureInfo.InvariantCulture)).Append(" (fixed noise)</figcaption></figure>\n");
        }
        else
        {
            html.Append("<p id=\"final\">No sample grid yet.</p>\n");
        }

        static string F(double? v, string format) => v is { } d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
        var evaluated = history.LastOrDefault(e => e.Evaluation is not null);
        var last = evaluated?.Evaluation;
        html.Append("<table class=\"headline\">\n");
        if (last is not null)
        {
            html.Append("<tr><th></th><th>epoch ").Append(evaluated!.Epoch.ToString(CultureInfo.InvariantCulture)).Append("</th><th>real test images</th></tr>\n");
            void Row(string label, string ours, string theirs) =>
                html.Append("<tr><td class=\"k\">").Append(label).Append("</td><td>").Append(ours).Append("</td><td>").Append(theirs).Append("</td></tr>\n");
            Row("FID (lower is better)", F(last.FrechetDistance, "F2"), F(real?.FrechetDistance, "F2"));
            Row("MNIST score", F(last.MnistScore, "F2"), F(real?.MnistScore, "F2"));
            Row("classes covered", $"{last.ClassesCovered}/{last.ClassCounts.Count}", real is null ? "-" : $"{real.ClassesCovered}/{real.ClassCounts.Count}");
            Row("precision", F(last.Precision, "F3"), F(real?.Precision, "F3"));
            Row("recall", F(last.Recall, "F3"), F(real?.Recall, "F3"));
        }
        else if (history.Count > 0)
        {
            var e = history[^1];
            html.Append("<tr><th></th><th>epoch ").Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append("</th></tr>\n")
                .Append("<tr><td class=\"k\">D loss / G loss</td><td>").Append(F(e.DiscriminatorLoss, "F3")).Append(" / ").Append(F(e.GeneratorLoss, "F3")).Append("</td></tr>\n")
                .Append("<tr><td class=\"k\">D(x) / D(G(z))</td><td>").Append(F(e.RealScore, "F3")).Append(" / ").Append(F(e.FakeScore, "F3")).Append("</td></tr>\n")
                .Append("<tr><td class=\"k\">metrics</td><td>not evaluated (EvaluateEveryEpochs)</td></tr>\n");
        }

        var training = history.Sum(e => e.Seconds);
        var evaluation = history.Sum(e => e.Evaluation?.Duration.TotalSeconds ?? 0);
        html.Append("<tr><td class=\"k\">epochs</td><td colspan=\"2\">").Append(history.Count.ToString(CultureInfo.InvariantCulture))
            .Append(options is null ? "" : " of " + options.Epochs.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n")
            .Append("<tr><td class=\"k\">wall time</td><td colspan=\"2\">").Append(Duration(training + evaluation))
            .Append(evaluation > 0 ? $" ({Duration(evaluation)} of it evaluating)" : string.Empty).Append("</td></tr>\n")
            .Append("<tr><td class=\"k\">throughput</td><td colspan=\"2\">")
            .Append(history.Count == 0 ? "-" : history.Average(e => e.ImagesPerSecond).ToString("F0", CultureInfo.InvariantCulture) + " images/s").Append("</td></tr>\n");
        html.Append("</table>\n</div>\n");
        if (last is { ModeCollapse: true })
        {
            html.Append("<p class=\"alarm\" id=\"alarm\">Mode-collapse alarm at epoch ").Append(evaluated!.Epoch.ToString(CultureInfo.InvariantCulture))
                .Append(": ").Append(Encode(last.ModeCollapseReason ?? string.Empty)).Append(".</p>\n");
        }

        foreach (var warning in history.SelectMany(e => e.HealthWarnings ?? []))
        {
            html.Append("<p class=\"alarm health\">Health warning at epoch ").Append(warning.Epoch.ToString(CultureInfo.InvariantCulture))
                .Append(": ").Append(Encode(warning.Message)).Append("</p>\n");
        }

        if (history.Any(e => !double.IsFinite(e.DiscriminatorLoss) || !double.IsFinite(e.GeneratorLoss)))
        {
            html.Append("<p class=\"alarm\">A loss was not finite in epoch ")
                .Append(history.First(e => !double.IsFinite(e.DiscriminatorLoss) || !double.IsFinite(e.GeneratorLoss)).Epoch.ToString(CultureInfo.InvariantCulture)).Append(".</p>\n");
        }

        html.Append("</section>\n");
    }

    private static string Duration(double seconds)
    {
        if (seconds < 90)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s");
        }

        var whole = (long)Math.Round(seconds); // round once, then split: never "2 min 60 s"
        return string.Create(CultureInfo.InvariantCulture, $"{whole / 60} min {whole % 60} s");
    }

    private static void AppendSettings(StringBuilder html, GanTrainerOptions? options, RunFolder folder)
    {
        if (options is null)
        {
            html.Append("<h2 id=\"settings\">Settings</h2>\n<p>No <code>").Append(RunFolder.OptionsFileName).Append("</code> in the run folder.</p>\n");
            return;
        }

        html.Append("<details id=\"settings\"><summary>Settings</summary>\n<p>Every option of the run (also in <code>")
            .Append(Encode(folder.OptionsFile)).Append("</code>).</p>\n<table>\n");
        foreach (var option in GanTrainerOptionKeys.All)
        {
            var value = option.GetValue(options);
            var text = value switch
            {
                null => "(none)",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            };
            html.Append("<tr><td class=\"k\">").Append(option.Key).Append("</td><td class=\"k\">").Append(Encode(text)).Append("</td></tr>\n");
        }

        html.Append("</table>\n</details>\n");
    }

    private static void AppendLosses(StringBuilder html, List<EpochSummary> history, GanTrainerOptions? options)
    {
        html.Append("<h2 id=\"losses\">Losses</h2>\n");
        if (history.Count == 0)
        {
            html.Append("<p>No epoch has finished yet.</p>\n");
            return;
        }

        var x = history.Select(e => (double)e.Epoch).ToArray();
        html.Append(LossChart.Svg($"Losses ({options?.Objective.Loss.ToString() ?? "?"})", x,
        [
            ("discriminator", history.Select(e => e.DiscriminatorLoss).ToArray()),
            ("generator", history.Select(e => e.GeneratorLoss).ToArray()),
        ])).Append('\n');
        html.Append(LossChart.Svg("Discriminator outputs", x,
        [
            ("D(x)", history.Select(e => e.RealScore).ToArray()),
            ("D(G(z))", history.Select(e => e.FakeScore).ToArray()),
        ])).Append('\n');
    }

    private static void AppendMetrics(StringBuilder html, List<EpochSummary> history, EvaluationResult? real)
    {
        var evaluated = history.Where(e => e.Evaluation is not null).ToList();
        if (evaluated.Count == 0)
        {
            return;
        }

        html.Append("<h2 id=\"metrics\">Metrics</h2>\n");
        var x = evaluated.Select(e => (double)e.Epoch).ToArray();
        html.Append(LossChart.Svg("Fréchet distance (classifier features; lower is better)", x,
            [("FID", evaluated.Select(e => e.Evaluation!.FrechetDistance).ToArray())])).Append('\n');
        var quality = new List<(string, IReadOnlyList<double>)> { ("MNIST score / classes", evaluated.Select(e => e.Evaluation!.MnistScore / Math.Max(e.Evaluation.ClassCounts.Count, 1)).ToArray()) };
        if (evaluated.All(e => e.Evaluation!.Precision is not null && e.Evaluation.Recall is not null))
        {
            quality.Add(("precision", evaluated.Select(e => e.Evaluation!.Precision!.Value).ToArray()));
            quality.Add(("recall", evaluated.Select(e => e.Evaluation!.Recall!.Value).ToArray()));
        }

        html.Append(LossChart.Svg("Quality and diversity", x, quality, xLabel: "epoch")).Append('\n');
        html.Append("<table>\n<tr><th>epoch</th><th>FID</th><th>MNIST score</th><th>classes</th><th>smallest / largest share</th><th>precision</th><th>recall</th><th>mode collapse</th></tr>\n");
        foreach (var e in evaluated)
        {
            AppendMetricRow(html, e.Epoch.ToString(CultureInfo.InvariantCulture), e.Evaluation!);
        }

        if (real is not null)
        {
            AppendMetricRow(html, "real test images", real);
        }

        html.Append("</table>\n");
        var last = evaluated[^1].Evaluation!;
        var total = Math.Max(last.ClassCounts.Sum(), 1);
        html.Append("<p>Classes of the last evaluation's images, as the classifier sees them:</p>\n<table class=\"histogram\">\n<tr><th>class</th><th>images</th><th>share</th></tr>\n");
        for (var c = 0; c < last.ClassCounts.Count; c++)
        {
            var name = c < last.ClassNames.Count ? last.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);
            html.Append("<tr><td>").Append(Encode(name)).Append("</td><td>").Append(last.ClassCounts[c].ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append((100.0 * last.ClassCounts[c] / total).ToString("F1", CultureInfo.InvariantCulture)).Append("%</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static void AppendMetricRow(StringBuilder html, string label, EvaluationResult r)
    {
        static string F(double? v, string format) => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
        html.Append("<tr><td>").Append(Encode(label)).Append("</td><td>").Append(F(r.FrechetDistance, "F2")).Append("</td><td>").Append(F(r.MnistScore, "F2"))
            .Append("</td><td>").Append(r.ClassesCovered.ToString(CultureInfo.InvariantCulture)).Append('/').Append(r.ClassCounts.Count.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
            .Append(F(r.SmallestClassShare * 100, "F1")).Append("% / ").Append(F(r.LargestClassShare * 100, "F1")).Append("%</td><td>")
            .Append(F(r.Precision, "F3")).Append("</td><td>").Append(F(r.Recall, "F3")).Append("</td><td")
            .Append(r.ModeCollapse ? " class=\"alarm\">" : ">").Append(Encode(r.ModeCollapseReason ?? "no")).Append("</td></tr>\n");
    }

    private static void AppendProgression(StringBuilder html, IReadOnlyList<(int Epoch, string Path)> samples)
    {
        html.Append("<h2 id=\"progression\">Progression</h2>\n");
        if (samples.Count == 0)
        {
            html.Append("<p>No sample grid yet.</p>\n");
            return;
        }

        // At most MaxProgressionGrids, evenly spaced with the first and the last: a 1,000-epoch run would otherwise rebuild a
        // report of every grid (megabytes of base64) at every epoch, its size and time growing with the run.
        IReadOnlyList<(int Epoch, string Path)> shown = samples.Count <= MaxProgressionGrids ? samples
            : Enumerable.Range(0, MaxProgressionGrids).Select(i => samples[(int)Math.Round(i * (samples.Count - 1) / (double)(MaxProgressionGrids - 1))]).Distinct().ToList();
        if (shown.Count < samples.Count)
        {
            html.Append("<p>").Append(shown.Count.ToString(CultureInfo.InvariantCulture)).Append(" of the ").Append(samples.Count.ToString(CultureInfo.InvariantCulture))
                .Append(" grids in <code>samples/</code>, evenly spaced.</p>\n");
        }

        html.Append("<div class=\"grids\">\n");
        foreach (var (epoch, path) in shown)
        {
            html.Append("<figure><img alt=\"samples at epoch ").Append(epoch.ToString(CultureInfo.InvariantCulture)).Append("\" width=\"168\" src=\"")
                .Append(DataUri(path)).Append("\"><figcaption>epoch ").Append(epoch.ToString(CultureInfo.InvariantCulture)).Append("</figcaption></figure>\n");
        }

        html.Append("</div>\n");
    }

    private static void AppendTimings(StringBuilder html, List<EpochSummary> history)
    {
        html.Append("<h2 id=\"timings\">Timings</h2>\n");
        if (history.Count == 0)
        {
            html.Append("<p>No epoch has finished yet.</p>\n");
            return;
        }

        var total = history.Sum(e => e.Seconds);
        html.Append("<p>").Append(total.ToString("F1", CultureInfo.InvariantCulture)).Append(" s of training over ")
            .Append(history.Count.ToString(CultureInfo.InvariantCulture)).Append(" epoch(s), ")
            .Append(history.Average(e => e.ImagesPerSecond).ToString("F0", CultureInfo.InvariantCulture)).Append(" images/s on average")
            .Append(history.Any(e => e.Evaluation is not null)
                ? $"; evaluations took {history.Sum(e => e.Evaluation?.Duration.TotalSeconds ?? 0).ToString("F1", CultureInfo.InvariantCulture)} s more"
                : string.Empty)
            .Append(".</p>\n<table>\n<tr><th>epoch</th><th>seconds</th><th>images/s</th><th>D loss</th><th>G loss</th><th>D(x)</th><th>D(G(z))</th></tr>\n");
        foreach (var e in history)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{e.Epoch}</td><td>{e.Seconds:F1}</td><td>{e.ImagesPerSecond:F0}</td><td>{e.DiscriminatorLoss:F4}</td><td>{e.GeneratorLoss:F4}</td><td>{e.RealScore:F3}</td><td>{e.FakeScore:F3}</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static T? ReadJson<T>(string path)
        where T : class => ReadJson(path, text => JsonSerializer.Deserialize<T>(text, JsonSettings.Options));

    private static T? ReadJson<T>(string path, Func<string, T?> read)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return read(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid: {e.Message}", e);
        }
    }

    private static string DataUri(string pngPath) => "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(pngPath));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
