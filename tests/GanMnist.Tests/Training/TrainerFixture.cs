using GanMnist.Data;

namespace GanMnist.Tests.Training;

/// <summary>2,000 MNIST training images, loaded once for the training tests.</summary>
public sealed class MnistSubsetFixture : IDisposable
{
    public MnistSubsetFixture() =>
        Data = MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 2000 }).GetAwaiter().GetResult();

    public MnistDataset Data { get; }

    public void Dispose() => Data.Dispose();
}
