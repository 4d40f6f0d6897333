using GanMnist.Data;
using GanMnist.Runtime;

namespace GanMnist.Tests.Data;

public sealed class IdxReaderTests
{
    private static readonly byte[] TenLabels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    public static TheoryData<bool> Compression => new() { false, true };

    private static (string images, string labels) Write(TempFolder folder, byte[] images, byte[] labels, bool gzip) =>
        gzip
            ? (folder.Write("i.gz", TestData.Gzip(images)), folder.Write("l.gz", TestData.Gzip(labels)))
            : (folder.Write("i", images), folder.Write("l", labels));

    private static Action Loading(string images, string labels) => () => MnistDataset.FromFiles(images, labels).Dispose();

    [Theory]
    [MemberData(nameof(Compression))]
    public void FromFiles_ValidSmallFiles_LoadsNormalisedImagesAndLabels(bool gzip)
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10), TestData.Labels(TenLabels), gzip);

        using var data = MnistDataset.FromFiles(images, labels);

        data.Count.Should().Be(10);
        data.Images.shape.Should().Equal(10, 1, 28, 28);
        data.Labels.ToArray<long>().Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // Pixel i holds (i·7) mod 256; normalised as (x / 255 - 0.5) / 0.5 in float32.
        var first = data.Images.ToArray<float>().Take(40).ToArray();
        first.Should().Equal(Enumerable.Range(0, 40).Select(i => (((byte)(i * 7) / 255f) - 0.5f) / 0.5f));
    }

    [Theory]
    [MemberData(nameof(Compression))]
    public void ImagesFile_WrongMagic_NamesFileAndBothNumbers(bool gzip)
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10, magic: 0x12345678), TestData.Labels(TenLabels), gzip);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' is not an IDX file of unsigned bytes: magic number 0x12345678, expected 0x00000803 (2051, images).");
    }

    [Fact]
    public void LabelsFileGivenAsImages_ReportsDimensionCount()
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Labels(TenLabels), TestData.Labels(TenLabels), gzip: false);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' has 1 dimensions (magic number 2049), expected 3 for images (magic number 2051).");
    }

    [Fact]
    public void ImagesOfWrongSize_ReportsFoundAndExpectedSize()
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10, 32, 32), TestData.Labels(TenLabels), gzip: true);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' holds 32x32 images, expected 28x28.");
    }

    [Theory]
    [MemberData(nameof(Compression))]
    public void TruncatedPixels_ReportsPromisedAndFoundBytes(bool gzip)
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10, pixelBytes: 7000), TestData.Labels(TenLabels), gzip);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' is truncated: the header promises 10 images of 28x28 bytes (7840 bytes) but*7000 bytes follow.");
    }

    [Theory]
    [MemberData(nameof(Compression))]
    public void TrailingBytes_AreReported(bool gzip)
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10, pixelBytes: 7850), TestData.Labels(TenLabels), gzip);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' has * after the 10 images of 28x28 bytes (7840 bytes) its header promises.");
    }

    [Fact]
    public void LabelOutOfRange_ReportsValueAndIndex()
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10), TestData.Labels([0, 1, 2, 3, 12, 5, 6, 7, 8, 9]), gzip: true);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{labels}' label 12 at index 4 is outside 0..9, the dataset's 10 classes.");
    }

    [Fact]
    public void CountsDiffer_NamesBothFilesAndCounts()
    {
        using var folder = new TempFolder();
        var (images, labels) = Write(folder, TestData.Images(10), TestData.Labels([0, 1, 2, 3, 4, 5, 6, 7, 8]), gzip: false);

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"MNIST files do not match: '{images}' holds 10 images but '{labels}' holds 9 labels.");
    }

    [Fact]
    public void HeaderTooShort_IsReported()
    {
        using var folder = new TempFolder();
        var images = folder.Write("i", [0, 0, 8, 3, 0]);
        var labels = folder.Write("l", TestData.Labels(TenLabels));

        Loading(images, labels).Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{images}' is too short for an IDX header: 5 bytes, expected 16.");
    }

    [Fact]
    public void CorruptGzipStream_IsReportedAsSuch()
    {
        using var folder = new TempFolder();
        var gz = TestData.Gzip(TestData.Images(10));
        for (var i = 20; i < gz.Length - 10; i += 3)
        {
            gz[i] ^= 0x5A;
        }

        var images = folder.Write("i.gz", gz);
        var labels = folder.Write("l", TestData.Labels(TenLabels));

        Loading(images, labels).Should().Throw<InvalidDataException>().WithMessage($"Dataset file '{images}' *");
    }

    [Fact]
    public void TruncatedGzipFile_IsReportedAsTruncatedOrInvalid()
    {
        using var folder = new TempFolder();
        var gz = TestData.Gzip(TestData.Images(50));
        var images = folder.Write("i.gz", gz[..(gz.Length / 2)]);
        var labels = folder.Write("l", TestData.Labels([.. TenLabels, .. TenLabels, .. TenLabels, .. TenLabels, .. TenLabels]));

        var message = Loading(images, labels).Should().Throw<InvalidDataException>().Which.Message;
        message.Should().StartWith($"Dataset file '{images}' ");
        message.Should().Match(m => m.Contains("is truncated") || m.Contains("is not a valid gzip stream"));
    }
}
