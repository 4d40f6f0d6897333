using System.Text.RegularExpressions;
using System.Xml.Linq;
using GanMnist.Training.Reporting;
using GanMnist.Tests.Imaging;
using GanMnist.Tests.Training;
using GanMnist.Training;

namespace GanMnist.Tests.Reporting;

public sealed class TrainingReportTests(MnistSubsetFixture mnist) : IClassFixture<MnistSubsetFixture>
{
    [Fact]
    public async Task Training_WritesASelfContainedReportWithEverySectionAndValidSvgAndPng()
    {
        using var output = new TempFolder();
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(3).Seed(8).OutputTo(output.Path)
            .Configure(o => (o.Device, o.Output.CheckpointEveryEpochs) = ("cpu", 0)));

        using var result = await trainer.TrainAsync(mnist.Data);

        var html = File.ReadAllText(new GanMnist.Checkpoints.RunFolder(output.Path).ReportFile);
        var order = new[] { "result", "final", "losses", "progression", "timings", "settings" }.Select(id => html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal)).ToList();
        order.Should().NotContain(-1).And.BeInAscendingOrder("the result first, the settings last");
        html.Should().Contain("<details id=\"settings\"><summary>Settings</summary>", "the settings are collapsed");
        html.Should().Contain("<td class=\"k\">metrics</td><td>not evaluated (EvaluateEveryEpochs)</td>");

        html.Should().NotContain("id=\"metrics\"", "no evaluation ran");
        html.Should().Contain("<td class=\"k\">Epochs</td><td class=\"k\">3</td>").And.Contain("LabelSmoothing").And.Contain("0.9");
        var svgs = Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline);
        svgs.Should().HaveCount(2, "the loss chart and the D(x)/D(G(z)) chart");
        foreach (Match svg in svgs)
        {
            XDocument.Parse(svg.Value).Root!.Name.LocalName.Should().Be("svg");
        }

        var pngs = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"");
        pngs.Should().HaveCount(4, "the final grid, then epochs 1, 2 and 3 in the progression");
        var finalGrid = PngDecoder.DecodeGray(Convert.FromBase64String(pngs[0].Groups[1].Value));
        (finalGrid.Width, finalGrid.Height).Should().Be((458, 458), "the final grid is the large one: 4x4 digits of 112 pixels with 2-pixel borders");
        foreach (Match png in pngs.Skip(1))
        {
            var (width, height, _) = PngDecoder.DecodeGray(Convert.FromBase64String(png.Groups[1].Value));
            (width, height).Should().Be((122, 122), "a 4x4 grid of 28-pixel images with 2-pixel borders");
        }

        Regex.IsMatch(html, "(src|href)=\"(https?:)?//").Should().BeFalse("the report fetches nothing");
        Regex.Matches(html, "<tr><td>\\d+</td><td>[0-9.]+</td>").Should().HaveCount(3, "one timing row per epoch");
    }

    [Fact]
    public void Build_OfALongRun_ShowsThirtyEvenlySpacedGridsOfItsProgression()
    {
        using var run = new TempFolder();
        var samples = Directory.CreateDirectory(Path.Combine(run.Path, "samples")).FullName;
        var png = GanMnist.Imaging.PngEncoder.EncodeGray(new byte[4 * 4], 4, 4);
        for (var epoch = 1; epoch <= 1000; epoch++)
        {
            File.WriteAllBytes(Path.Combine(samples, $"epoch_{epoch:D4}.png"), png);
        }

        var html = TrainingReport.Build(run.Path);

        var progression = html[html.IndexOf("id=\"progression\"", StringComparison.Ordinal)..];
        Regex.Matches(progression, "<figcaption>epoch (\\d+)</figcaption>").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Should().HaveCount(30).And.StartWith(1).And.EndWith(1000).And.BeInAscendingOrder();
        progression.Should().Contain("30 of the 1000 grids in <code>samples/</code>, evenly spaced.");
    }

    [Fact]
    public async Task Write_RebuildsTheReportFromTheRunFolderAlone_AndNamesAMalformedFile()
    {
        using var output = new TempFolder();
        using (var result = await GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(1).Seed(2).OutputTo(output.Path)
                   .Configure(o => (o.Device, o.Output.CheckpointEveryEpochs) = ("cpu", 0))).TrainAsync(mnist.Data))
        {
            var history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(output.Path, "history.json")));
            history.Epochs.Should().BeEquivalentTo(result.History.Epochs);
        }

        var report = new GanMnist.Checkpoints.RunFolder(output.Path).ReportFile;
        File.Delete(report);

        TrainingReport.Write(output.Path).Should().Be(report);
        File.ReadAllText(report).Should().Contain("id=\"final\"").And.Contain("1/1 epochs");

        var historyFile = Path.Combine(output.Path, "history.json");
        File.WriteAllText(historyFile, "[{\"Epoch\": \"one\"");
        FluentActions.Invoking(() => TrainingReport.Write(output.Path)).Should().Throw<InvalidDataException>().WithMessage($"*{historyFile}*");
        FluentActions.Invoking(() => TrainingReport.Write(Path.Combine(output.Path, "missing"))).Should().Throw<DirectoryNotFoundException>().WithMessage("*missing*");
    }
}
