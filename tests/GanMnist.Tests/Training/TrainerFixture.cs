using GanMnist.Data;

namespace GanMnist.Tests.Training;

/// <summary>The first <c>limit</c> MNIST training images, loaded once per test class.</summary>
public abstract class MnistFixture(int limit) : IDisposable
{
    public MnistDataset Data { get; } =
        MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = limit }).GetAwaiter().GetResult();

    public void Dispose()
    {
        Data.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>2,000 images, for the training tests.</summary>
public sealed class MnistSubsetFixture() : MnistFixture(2000);

/// <summary>512 images, for the checkpoint tests (several short runs each).</summary>
public sealed class SmallMnistFixture() : MnistFixture(512);
