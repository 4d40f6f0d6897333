using GanMnist.Data;
using GanMnist.Runtime;

namespace GanMnist.Tests.Data;

public sealed class MnistDatasetTests
{
    private static MnistDatasetOptions From(string directory) => new() { Directory = directory };

    [Fact]
    public async Task LoadAsync_TrainSplit_HasTheOriginalPerDigitCountsAndPixelRange()
    {
        using var data = await MnistDataset.LoadAsync(MnistSplit.Train, From(TestData.MnistDirectory));

        data.Count.Should().Be(60_000);
        data.ClassCounts.Should().Equal(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949);
        data.Images.shape.Should().Equal(60_000, 1, 28, 28);
        data.Images.dtype.Should().Be(ScalarType.Float32);
        data.Labels.dtype.Should().Be(ScalarType.Int64);
        data.Images.amin().ToSingle().Should().Be(-1);
        data.Images.amax().ToSingle().Should().Be(1);
        data.Labels.narrow(0, 0, 5).ToArray<long>().Should().Equal(5, 0, 4, 1, 9);
    }

    [Fact]
    public async Task LoadAsync_TestSplit_HasTheOriginalPerDigitCounts()
    {
        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, From(TestData.MnistDirectory));

        data.Count.Should().Be(10_000);
        data.ClassCounts.Should().Equal(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        data.ImagesPath.Should().EndWith("t10k-images-idx3-ubyte.gz");
    }

    [Fact]
    public async Task Limit_KeepsTheFirstNImages()
    {
        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 100 });

        data.Count.Should().Be(100);
        data.Images.shape.Should().Equal(100, 1, 28, 28);
        data.Labels.narrow(0, 0, 3).ToArray<long>().Should().Equal(7, 2, 1);
    }

    [Fact]
    public async Task PerClass_KeepsNOfEachDigit()
    {
        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, PerClass = 12 });

        data.ClassCounts.Should().OnlyContain(c => c == 12);
        data.Count.Should().Be(120);
        data.Labels.ToArray<long>().GroupBy(l => l).Should().OnlyContain(g => g.Count() == 12);
    }

    [Fact]
    public async Task Balanced_KeepsTheRarestDigitsCountOfEveryDigit()
    {
        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Balanced = true });

        data.ClassCounts.Should().OnlyContain(c => c == 892);
        data.Count.Should().Be(8920);
    }

    [Fact]
    public async Task PerClass_MoreThanAvailable_NamesTheDigitsThatLack()
    {
        var act = () => MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, PerClass = 1000 });

        (await act.Should().ThrowAsync<ArgumentException>())
            .WithMessage("PerClass = 1000, but '*t10k-labels-idx1-ubyte.gz' has fewer images of class(es) 0 '0' (980), 4 '4' (982), 5 '5' (892), 6 '6' (958), 8 '8' (974).*");
    }

    [Fact]
    public async Task InvalidOptions_AreAllReportedAtOnce()
    {
        var options = new MnistDatasetOptions { Limit = 0, PerClass = -1, Mirrors = [], AllowDownload = true, DownloadTimeout = TimeSpan.Zero };

        var act = () => MnistDataset.LoadAsync(MnistSplit.Train, options);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage(
            "Invalid MnistDatasetOptions: Limit must be positive (was 0); PerClass must be positive (was -1); " +
            "Limit cannot be combined with PerClass or Balanced; Mirrors is empty but AllowDownload is on; DownloadTimeout must be positive (was 00:00:00).*");
    }

    [Fact]
    public async Task RawFiles_LoadLikeCompressedOnes()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            await using var source = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(TestData.MnistDirectory, name + ".gz")), System.IO.Compression.CompressionMode.Decompress);
            await using var target = File.Create(Path.Combine(folder.Path, name));
            await source.CopyToAsync(target);
        }

        using var raw = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = folder.Path, Limit = 500 });
        using var gz = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 500 });

        raw.ImagesPath.Should().EndWith("t10k-images-idx3-ubyte");
        raw.Images.Equals(gz.Images).Should().BeTrue();
        raw.Labels.Equals(gz.Labels).Should().BeTrue();
    }
}

[Collection(EnvironmentCollection.Name)]
public sealed class MnistDatasetLocationTests
{
    [Fact]
    public async Task NoFilesAnywhere_DownloadOff_ListsEveryPlaceAndHowToSupplyTheFiles()
    {
        using var explicitDir = new TempFolder();
        using var envDir = new TempFolder();
        using var cache = new TempFolder();
        var saved = Environment.GetEnvironmentVariable("GANMNIST_DATA");
        Environment.SetEnvironmentVariable("GANMNIST_DATA", envDir.Path);
        try
        {
            var act = () => MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = explicitDir.Path, CacheDirectory = cache.Path });

            var message = (await act.Should().ThrowAsync<FileNotFoundException>()).Which.Message;
            message.Should().StartWith("The MNIST training files (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], or mnist.npz; a dot instead of the dash before 'idx' is accepted too) were not found. Looked at:");
            message.Should().Contain($"MnistDatasetOptions.Directory: '{explicitDir.Path}' lacks train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], or mnist.npz");
            message.Should().Contain($"the GANMNIST_DATA environment variable: '{envDir.Path}' lacks");
            message.Should().Contain($"the per-user cache: '{cache.Path}' lacks");
            message.Should().Contain("Downloading is off.").And.Contain("AllowDownload");
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANMNIST_DATA", saved);
        }
    }

    [Fact]
    public async Task EnvironmentVariable_IsUsedWhenNoDirectoryIsGiven()
    {
        using var cache = new TempFolder();
        var saved = Environment.GetEnvironmentVariable("GANMNIST_DATA");
        Environment.SetEnvironmentVariable("GANMNIST_DATA", TestData.MnistDirectory);
        try
        {
            using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { CacheDirectory = cache.Path, Limit = 10 });

            Path.GetDirectoryName(data.ImagesPath).Should().Be(TestData.MnistDirectory.TrimEnd('/'));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANMNIST_DATA", saved);
        }
    }
}
