using System.Globalization;
using System.Text;

namespace GanMnist.Imaging;

/// <summary>Draws loss curves as a self-contained SVG line chart.</summary>
internal static class LossChart
{
    private const int Width = 720, Height = 360, Left = 60, Right = 20, Top = 30, Bottom = 45;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    /// <summary>An SVG chart of one or more named series over the same x values (e.g. epochs).</summary>
    /// <exception cref="ArgumentException">No series, or a series whose length differs from the x values.</exception>
    public static string Svg(string title, IReadOnlyList<double> x, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, string xLabel = "epoch")
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0 || series.Any(s => s.Values.Count != x.Count))
        {
            throw new ArgumentException("Each series needs one value per x value.", nameof(series));
        }

        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var (yMin, yMax, yStep) = NiceTicks(Math.Min(0, finite.Min()), finite.Max());
        var (xMin, xMax) = (x.Count > 0 ? x.Min() : 0, x.Count > 0 ? x.Max() : 1);
        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }

        var xStep = NiceTicks(xMin, xMax).Step;

        double Px(double v) => Left + ((v - xMin) / (xMax - xMin) * (Width - Left - Right));
        double Py(double v) => Height - Bottom - ((v - yMin) / (yMax - yMin) * (Height - Top - Bottom));
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        foreach (var v in Ticks(yMin, yMax, yStep))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Py(v))}\" y2=\"{F(Py(v))}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Py(v) + 4)}\" text-anchor=\"end\">{Label(v, yStep)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        foreach (var v in Ticks(Math.Ceiling(xMin / xStep) * xStep, xMax, xStep))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(v))}\" x2=\"{F(Px(v))}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom + 4}\" stroke=\"black\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(v))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Label(v, xStep)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Width + Left) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var points = string.Join(' ', Enumerable.Range(0, x.Count).Where(i => double.IsFinite(series[s].Values[i]))
                .Select(i => $"{F(Px(x[i]))},{F(Py(series[s].Values[i]))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - 150}\" y=\"{Top + 14 + (s * 16)}\" fill=\"{colour}\">{Escape(series[s].Name)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>
    /// An axis range widened to round ticks: a step of 1, 2, 2.5 or 5 times a power of ten giving about
    /// <paramref name="targetTicks"/> ticks, and bounds that are multiples of it (Heckbert, "Nice numbers for graph
    /// labels", Graphics Gems, 1990).
    /// </summary>
    internal static (double Low, double High, double Step) NiceTicks(double low, double high, int targetTicks = 5)
    {
        if (!(high > low))
        {
            high = low + 1;
        }

        var raw = (high - low) / Math.Max(targetTicks - 1, 1);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * (1 - 1e-9));
        return (Math.Floor((low / step) + 1e-9) * step, Math.Ceiling((high / step) - 1e-9) * step, step);
    }

    private static IEnumerable<double> Ticks(double low, double high, double step)
    {
        for (var i = 0; low + (i * step) <= high + (step * 1e-9); i++)
        {
            yield return Math.Round(low + (i * step), 10);
        }
    }

    /// <summary>A tick label with as many decimals as the step needs (0.25 → 2, 0.5 → 1, 500 → 0).</summary>
    private static string Label(double value, double step)
    {
        var decimals = 0;
        while (decimals < 6 && Math.Abs((step * Math.Pow(10, decimals)) - Math.Round(step * Math.Pow(10, decimals))) > 1e-9)
        {
            decimals++;
        }

        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? string.Empty;
}
