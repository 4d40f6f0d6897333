using System.Globalization;
using System.Text;

namespace GanMnist.Imaging;

/// <summary>Draws loss curves as a self-contained SVG line chart.</summary>
public static class LossChart
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
        var (yMin, yMax) = (Math.Min(0, finite.Min()), finite.Max());
        if (yMax <= yMin)
        {
            yMax = yMin + 1;
        }

        var (xMin, xMax) = (x.Count > 0 ? x.Min() : 0, x.Count > 0 ? x.Max() : 1);
        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }

        double Px(double v) => Left + ((v - xMin) / (xMax - xMin) * (Width - Left - Right));
        double Py(double v) => Height - Bottom - ((v - yMin) / (yMax - yMin) * (Height - Top - Bottom));
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        for (var i = 0; i <= 4; i++)
        {
            var v = yMin + ((yMax - yMin) * i / 4);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Py(v))}\" y2=\"{F(Py(v))}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Py(v) + 4)}\" text-anchor=\"end\">{v.ToString("0.###", CultureInfo.InvariantCulture)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - Bottom + 16}\">{F(xMin)}</text><text x=\"{Width - Right}\" y=\"{Height - Bottom + 16}\" text-anchor=\"end\">{F(xMax)}</text>\n");
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

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? string.Empty;
}
