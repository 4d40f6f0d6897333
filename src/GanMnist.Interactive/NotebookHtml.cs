using System.Globalization;
using System.Net;
using System.Text;
using GanMnist.Evaluation;
using GanMnist.Imaging;
using GanMnist.Models;
using GanMnist.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Interactive;

/// <summary>
/// The HTML a notebook shows for GanMnist's values (the package's <c>extension.dib</c> registers each as the value's
/// <c>text/html</c> formatter). Every method returns a self-contained fragment: pictures are inline PNG data URIs, charts
/// inline SVG, so a notebook saved with its outputs shows them anywhere.
/// </summary>
public static class NotebookHtml
{
    /// <summary>The most images a tensor may hold to be drawn as a grid; larger batches show as text.</summary>
    public const int MaxGridImages = 1024;

    /// <summary>
    /// A batch of single-channel images (N, 1, H, W) in [-1, 1] with N ≤ <see cref="MaxGridImages"/> as a grid picture
    /// (√N columns, each digit enlarged <see cref="ImageGrid.LargeScale"/> times); any other tensor as its text.
    /// </summary>
    public static string Tensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.shape;
        if (shape.Length == 4 && shape[1] == 1 && shape[0] is > 0 and <= MaxGridImages && is_floating_point(tensor))
        {
            return ImageGridPicture.FromImages(tensor).ToHtml();
        }

        return "<pre>" + WebUtility.HtmlEncode(tensor.ToString(TorchSharp.TensorStringStyle.Julia)) + "</pre>";
    }

    /// <summary>The run's curves: losses and D(x)/D(G(z)) by epoch, and FID by epoch when it was evaluated (inline SVG).</summary>
    public static string History(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = history.Epochs;
        if (epochs.Count == 0)
        {
            return "<p>No epoch trained yet.</p>";
        }

        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        var html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:12px\">");
        html.Append(LossChart.Svg("Losses", x, [("discriminator", epochs.Select(e => e.DiscriminatorLoss).ToArray()), ("generator", epochs.Select(e => e.GeneratorLoss).ToArray())]));
        html.Append(LossChart.Svg("Discriminator outputs", x, [("D(x)", epochs.Select(e => e.RealScore).ToArray()), ("D(G(z))", epochs.Select(e => e.FakeScore).ToArray())]));
        var evaluated = epochs.Where(e => e.Evaluation is not null).ToList();
        if (evaluated.Count > 0)
        {
            html.Append(LossChart.Svg("FID (lower is better)", evaluated.Select(e => (double)e.Epoch).ToArray(),
                [("FID", evaluated.Select(e => e.Evaluation!.FrechetDistance).ToArray())]));
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>An evaluation as a two-column table: FID, MNIST score, classes, class shares, precision, recall, conditional accuracy, collapse.</summary>
    public static string Evaluation(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<(string, string)>
        {
            ("FID", F(result.FrechetDistance, "F2")),
            ("MNIST score", F(result.MnistScore, "F2")),
            ("classes", $"{result.ClassesCovered}/{result.ClassCounts.Count}"),
            ("smallest / largest class", $"{F(result.SmallestClassShare * 100, "F1")}% / {F(result.LargestClassShare * 100, "F1")}%"),
            ("precision", result.Precision is { } p ? F(p, "F3") : "-"),
            ("recall", result.Recall is { } r ? F(r, "F3") : "-"),
        };
        if (result.ConditionalAccuracy is { } accuracy)
        {
            rows.Add(("conditional accuracy", F(accuracy * 100, "F1") + "%"));
        }

        rows.Add(("mode collapse", result.ModeCollapseReason ?? "no"));
        rows.Add(("images", result.SampleCount.ToString("N0", CultureInfo.InvariantCulture)));
        var html = new StringBuilder("<table>");
        foreach (var (name, value) in rows)
        {
            html.Append("<tr><th style=\"text-align:left\">").Append(WebUtility.HtmlEncode(name)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    /// <summary>A progress bar over the whole run with the epoch, step, losses, speed and time left (a display updated with each report redraws it in place).</summary>
    public static string Progress(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.GlobalStep == 0)
        {
            return "<div><progress style=\"width:320px\"></progress> starting (no step trained yet)</div>";
        }

        var total = (long)progress.Epochs * progress.StepsPerEpoch;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {progress.Epoch}/{progress.Epochs}, step {progress.Step}/{progress.StepsPerEpoch}: D loss {progress.DiscriminatorLoss:F4}, G loss {progress.GeneratorLoss:F4}, {progress.ImagesPerSecond:F0} images/s, {progress.Remaining:hh\\:mm\\:ss} left");
        var html = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<div><progress value=\"{progress.GlobalStep}\" max=\"{Math.Max(total, 1)}\" style=\"width:320px\"></progress> "));
        html.Append(WebUtility.HtmlEncode(line));
        if (progress.Evaluation is { } evaluation)
        {
            html.Append("<br>last evaluation: FID ").Append(F(evaluation.FrechetDistance, "F1")).Append(", ").Append(evaluation.ClassesCovered.ToString(CultureInfo.InvariantCulture)).Append(" classes");
        }

        foreach (var warning in progress.HealthWarnings)
        {
            html.Append("<br><span style=\"color:#b00\">").Append(WebUtility.HtmlEncode(warning.Message)).Append("</span>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>A model summary as its Keras-style table, in a preformatted block.</summary>
    public static string Summary(ModelSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return "<pre>" + WebUtility.HtmlEncode(summary.ToString()) + "</pre>";
    }

    private static string F(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";
}
