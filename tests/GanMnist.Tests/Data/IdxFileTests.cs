using GanMnist.Data;
using GanMnist.Runtime;

namespace GanMnist.Tests.Data;

public sealed class IdxFileTests
{
    [Fact]
    public void WriteImagesAndLabels_ThenMnistDatasetReadsThemBack_ByteExact()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        // Every byte value once (plus padding): x = (b / 255 - 0.5) / 0.5 must come back as b.
        var bytes = Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 256)).ToArray();
        var images = IdxFile.Normalise(tensor(bytes, [2, 1, 28, 28]), CPU);
        var imagesPath = Path.Combine(folder.Path, "images-idx3-ubyte");
        var labelsPath = Path.Combine(folder.Path, "labels-idx1-ubyte");

        IdxFile.WriteImages(imagesPath, images);
        IdxFile.WriteLabels(labelsPath, tensor(new long[] { 3, 9 }));

        File.ReadAllBytes(imagesPath)[16..].Should().Equal(bytes);
        using var dataset = MnistDataset.FromFiles(imagesPath, labelsPath);
        dataset.Images.ToArray<float>().Should().Equal(images.ToArray<float>());
        dataset.Labels.ToArray<long>().Should().Equal(3, 9);
        IdxFile.ReadImages(imagesPath).ToArray<float>().Should().Equal(images.ToArray<float>());
    }

    [Fact]
    public void WriteImages_MapsTheRangeAsTheSampleGridsAndClampsOutliers()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var values = new float[784];
        (values[0], values[1], values[2], values[3]) = (-1, 1, 0, 3); // 0, 255, round(127.5) = 128, clamped 255
        var path = Path.Combine(folder.Path, "x-idx3-ubyte");

        IdxFile.WriteImages(path, tensor(values).reshape(1, 1, 28, 28));

        File.ReadAllBytes(path)[16..20].Should().Equal(0, 255, 128, 255);
    }

    [Fact]
    public void Write_BadInput_NamesTheProblemAndWritesNothing()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        var path = Path.Combine(folder.Path, "out-idx3-ubyte");
        var nan = zeros([2, 1, 28, 28]);
        nan.view(-1).narrow(0, 800, 1).fill_(double.NaN);

        FluentActions.Invoking(() => IdxFile.WriteImages(path, zeros([2, 28, 28]))).Should().Throw<ArgumentException>().WithMessage("*(N, 1, 28, 28)*[2, 28, 28]*");
        FluentActions.Invoking(() => IdxFile.WriteImages(path, nan)).Should().Throw<ArgumentException>().WithMessage("*non-finite*NaN*image 1*");
        FluentActions.Invoking(() => IdxFile.WriteLabels(path, tensor(new long[] { 1, 10 }))).Should().Throw<ArgumentException>().WithMessage("*Label 10 at index 1*0..9*");
        File.Exists(path).Should().BeFalse();
        Directory.GetFiles(folder.Path).Should().BeEmpty("no temporary file is left behind either");
    }
}
