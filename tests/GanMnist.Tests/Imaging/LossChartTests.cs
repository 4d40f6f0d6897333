using System.Text.RegularExpressions;
using GanMnist.Imaging;

namespace GanMnist.Tests.Imaging;

public sealed class LossChartTests
{
    [Theory]
    [InlineData(0, 0.87, 0, 1.0, 0.25)]     // 0.87 / 4 = 0.2175 -> 0.25
    [InlineData(0, 1514, 0, 2000, 500)]     // 378.5 -> 500
    [InlineData(1, 45, 0, 60, 20)]          // 11 -> 20
    [InlineData(-0.3, 2.2, -1, 3, 1)]       // 0.625 -> 1; the bounds are multiples of the step
    [InlineData(3, 3, 3, 4, 0.25)]          // an empty range widens to one unit
    public void NiceTicks_RoundsTheStepToOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen(double low, double high, double niceLow, double niceHigh, double step)
    {
        var ticks = LossChart.NiceTicks(low, high);

        ticks.Low.Should().BeApproximately(niceLow, 1e-12);
        ticks.High.Should().BeApproximately(niceHigh, 1e-12);
        ticks.Step.Should().BeApproximately(step, 1e-12);
    }

    [Fact]
    public void Svg_LabelsTheAxesWithRoundValues()
    {
        var svg = LossChart.Svg("FID", [1, 15, 30, 45], [("FID", [620.7, 459.0, 427.3, 400.1])]);

        Regex.Matches(svg, "text-anchor=\"end\">([^<]+)</text>").Select(m => m.Groups[1].Value).Should().Equal("0", "200", "400", "600", "800");
        Regex.Matches(svg, "text-anchor=\"middle\">([^<]+)</text>").Select(m => m.Groups[1].Value).Should().Contain(["20", "40"]);
    }
}
