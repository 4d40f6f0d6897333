using GanMnist.Data;
using GanMnist.Runtime;

namespace GanMnist.Tests.Data;

public sealed class DataLoaderTests
{
    // 10 images whose labels are their own indices, so a batch's labels reveal the order.
    private static InMemoryImageDataset Indexed(int n = 10) =>
        InMemoryImageDataset.FromArray(new float[n * 4], [1, 2, 2], Enumerable.Range(0, n).Select(i => (long)i).ToArray(), classCount: n);

    private static long[][] Orders(DataLoader loader, int epoch, int start = 0) =>
        loader.Epoch(epoch, start).Select(b => { using (b) { return b.Labels!.ToArray<long>(); } }).ToArray();

    [Fact]
    public void Epoch_SameSeed_SameOrder_OtherEpochOrSeed_OtherOrder()
    {
        using var data = Indexed(50);
        var loader = new DataLoader(data, 8, seed: 42, withLabels: true);

        var first = Orders(loader, 0).SelectMany(x => x).ToArray();
        Orders(new DataLoader(data, 8, seed: 42, withLabels: true), 0).SelectMany(x => x).Should().Equal(first);
        Orders(loader, 1).SelectMany(x => x).Should().NotEqual(first);
        Orders(new DataLoader(data, 8, seed: 43, withLabels: true), 0).SelectMany(x => x).Should().NotEqual(first);
        first.Order().Should().Equal(Enumerable.Range(0, 50).Select(i => (long)i), "an epoch visits every image once");
    }

    [Fact]
    public void Epoch_BatchSizesAndDropLast_CountAsExpected()
    {
        using var data = Indexed(10);

        new DataLoader(data, 4, withLabels: true).BatchesPerEpoch.Should().Be(3);
        Orders(new DataLoader(data, 4, withLabels: true), 0).Select(b => b.Length).Should().Equal(4, 4, 2);
        Orders(new DataLoader(data, 4, dropLast: true, withLabels: true), 0).Select(b => b.Length).Should().Equal(4, 4);
        Orders(new DataLoader(data, 4, shuffle: false, withLabels: true), 0)[2].Should().Equal(8, 9);
    }

    [Fact]
    public void Epoch_StartBatch_ResumesWithTheSameRemainingBatches()
    {
        using var data = Indexed(30);
        var loader = new DataLoader(data, 4, seed: 7, withLabels: true);

        Orders(loader, 3, start: 2).Should().BeEquivalentTo(Orders(loader, 3).Skip(2), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Batch_ImagesAreGatheredRowsOfTheDataset()
    {
        var pixels = Enumerable.Range(0, 6 * 4).Select(i => i / 24f).ToArray();
        using var data = InMemoryImageDataset.FromArray(pixels, [1, 2, 2], [0, 1, 2, 3, 4, 5], 6);
        var loader = new DataLoader(data, 3, seed: 1, withLabels: true);

        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                batch.Images.shape.Should().Equal(3, 1, 2, 2);
                var labels = batch.Labels!.ToArray<long>();
                batch.Images.ToArray<float>().Should().Equal(labels.SelectMany(l => pixels.Skip((int)l * 4).Take(4)));
            }
        }
    }

    [Fact]
    public void Constructor_LabelsOfUnlabelledDataset_Throws()
    {
        using var data = InMemoryImageDataset.FromArray(new float[8], [1, 2, 2]);

        var act = () => new DataLoader(data, 2, withLabels: true);

        act.Should().Throw<ArgumentException>().WithMessage("Labels were asked for, but the dataset has none.*");
    }
}

public sealed class InMemoryImageDatasetTests
{
    [Fact]
    public void FromArray_ValuesOutsideTanhRange_ThrowWithTheRangeFound()
    {
        var act = () => InMemoryImageDataset.FromArray([0, 0.5f, 2, -3], [1, 2, 2]);

        act.Should().Throw<ArgumentException>().WithMessage("Images must lie in [-1, 1] (the generator's tanh range); they span [-3, 2].*");
    }

    [Fact]
    public void FromArray_PartialImage_Throws()
    {
        var act = () => InMemoryImageDataset.FromArray(new float[10], [1, 2, 2]);

        act.Should().Throw<ArgumentException>().WithMessage("10 pixels do not make whole images of [1, 2, 2] (4 values each).*");
    }

    [Fact]
    public void Constructor_WrongLabelCountOrRange_Throws()
    {
        using var images = zeros([3, 1, 2, 2]);
        using var fewLabels = tensor(new long[] { 0, 1 });
        using var badLabels = tensor(new long[] { 0, 1, 5 });

        var count = () => new InMemoryImageDataset(images, fewLabels);
        var range = () => new InMemoryImageDataset(images, badLabels, classCount: 3);

        count.Should().Throw<ArgumentException>().WithMessage("Labels must be a (3) int64 tensor; got [2], type = Int64, device = cpu.*");
        range.Should().Throw<ArgumentException>().WithMessage("Labels must lie in [0, 3); they span [0, 5].*");
    }

    [Fact]
    public void Constructor_SharesStorageAndInfersClassCount()
    {
        using var images = zeros([3, 1, 2, 2]);
        using var labels = tensor(new long[] { 0, 4, 2 });

        using var data = new InMemoryImageDataset(images, labels);

        data.ClassCount.Should().Be(5);
        data.Count.Should().Be(3);
        data.ImageShape.Should().Equal(1, 2, 2);
    }
}
