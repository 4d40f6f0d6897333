using GanMnist.Interactive;
using GanMnist.Models;
using GanMnist.Training;

namespace GanMnist.Samples.Tests;

public sealed class NotebookHtmlTests
{
    [Fact]
    public void ABatchOfImages_IsAnInlinePngGrid_AndOtherTensorsAreText()
    {
        using var scope = NewDisposeScope();

        var grid = NotebookHtml.Tensor(zeros(9, 1, 28, 28));
        var text = NotebookHtml.Tensor(tensor(new float[] { 1.5f, 2.5f }));

        grid.Should().StartWith("<img src=\"data:image/png;base64,").And.Contain("width=\"344\"", "3 columns of 112-pixel digits with 2-pixel borders: 3 · (112 + 2) + 2");
        text.Should().StartWith("<pre>").And.Contain("1.5").And.NotContain("<img");
    }

    [Fact]
    public void ImageGridPicture_FromFile_ReadsThePngSize_AndRefusesOtherFilesNamingThem()
    {
        var folder = SampleSupport.TempFolder();
        try
        {
            using var scope = NewDisposeScope();
            var png = Path.Combine(folder, "grid.png");
            File.WriteAllBytes(png, ImageGridPicture.FromImages(zeros(4, 1, 28, 28), columns: 4, scale: 1).Png);
            var text = Path.Combine(folder, "notes.txt");
            File.WriteAllText(text, "not a picture");

            var picture = ImageGridPicture.FromFile(png);
            var act = () => ImageGridPicture.FromFile(text);

            (picture.Width, picture.Height).Should().Be((4 * 30 + 2, 32));
            act.Should().Throw<InvalidDataException>().WithMessage($"'{text}' is not a PNG file (it does not start with the PNG signature).");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ProgressAndSummary_AreEscapedHtml()
    {
        var progress = new TrainingProgress(2, 5, 10, 20, 30, 123, 1.25, 0.75, 0.6, 0.4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(65));
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.Mlp);
        using var module = g.Module;

        NotebookHtml.Progress(progress).Should().Contain("<progress value=\"30\" max=\"100\"").And.Contain("epoch 2/5, step 10/20: D loss 1.2500, G loss 0.7500, 123 images/s, 00:01:05 left");
        NotebookHtml.Summary(ModelSummary.Of(g)).Should().StartWith("<pre>Model: &quot;MlpGenerator&quot;").And.Contain("Total params:");
        NotebookHtml.Progress(progress with { GlobalStep = 0 }).Should().Contain("starting (no step trained yet)");
        NotebookHtml.History(new TrainingHistory()).Should().Be("<p>No epoch trained yet.</p>");
    }
}
