using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GanMnist.Data;
using GanMnist.Training;
using GanMnist.Runtime;

namespace GanMnist.Tests.Data;

/// <summary>The MNIST family by name: real Fashion-MNIST (Debian's package), and small files written here in each dataset's layout.</summary>
public sealed class MnistFamilyTests
{
    [Fact]
    public async Task FashionMnist_FromDebiansPackage_HasSixThousandImagesPerClassAndTheFullPixelRange()
    {
        _ = TestData.FashionMnistDirectory; // without Debian's package: one line naming it
        using var cache = new TempFolder();
        using var train = await MnistDataset.LoadAsync(MnistFamily.FashionMnist, MnistSplit.Train, new MnistDatasetOptions { CacheDirectory = cache.Path });

        train.ImagesPath.Should().StartWith(TestData.FashionMnistDirectory);
        train.Info.Should().BeSameAs(MnistFamily.FashionMnist);
        train.ClassCounts.Should().Equal(Enumerable.Repeat(6000L, 10));
        train.ClassNames.Should().Equal("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        train.Images.shape.Should().Equal(60_000, 1, 28, 28);
        train.Images.amin().ToSingle().Should().Be(-1);
        train.Images.amax().ToSingle().Should().Be(1);
        train.Labels.narrow(0, 0, 5).ToArray<long>().Should().Equal(9, 0, 0, 3, 0); // the published first labels: ankle boot, T-shirt, T-shirt, dress, T-shirt

        using var test = await MnistDataset.LoadAsync(MnistFamily.FashionMnist, MnistSplit.Test, new MnistDatasetOptions { CacheDirectory = cache.Path });
        test.ClassCounts.Should().Equal(Enumerable.Repeat(1000L, 10));
    }

    [Fact]
    public void FashionMnistFiles_LoadedAsMnist_AreRefusedNamingBothDatasets()
    {
        var images = Path.Combine(TestData.FashionMnistDirectory, "t10k-images-idx3-ubyte.gz");
        var labels = Path.Combine(TestData.FashionMnistDirectory, "t10k-labels-idx1-ubyte.gz");

        var act = () => MnistDataset.FromFiles(images, labels, new MnistDatasetOptions { Dataset = "mnist" });

        act.Should().Throw<InvalidDataException>().WithMessage($"'{images}' holds Fashion-MNIST's test images, not MNIST's images");
    }

    [Fact]
    public async Task DotNamedMnistFolder_AsArchiveToolsUnpackIt_Loads()
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(TestData.MnistDirectory, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder.Path, "t10k-images.idx3-ubyte.gz"));
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "t10k-labels.idx1-ubyte"),
            await Gunzip(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz")));

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = folder.Path, Limit = 50 });
        using var reference = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 50 });

        data.ImagesPath.Should().Be(Path.Combine(folder.Path, "t10k-images.idx3-ubyte.gz"));
        data.LabelsPath.Should().Be(Path.Combine(folder.Path, "t10k-labels.idx1-ubyte"));
        data.Images.Equals(reference.Images).Should().BeTrue();
        data.Labels.Equals(reference.Labels).Should().BeTrue();
    }

    [Fact]
    public async Task TorchvisionLayout_RootWithFashionMNISTRaw_Loads()
    {
        using var root = new TempFolder();
        var raw = Directory.CreateDirectory(Path.Combine(root.Path, "FashionMNIST", "raw")).FullName;
        foreach (var name in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
        {
            File.Copy(Path.Combine(TestData.FashionMnistDirectory, name), Path.Combine(raw, name));
        }

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Dataset = "FashionMNIST", Directory = root.Path });

        data.ImagesPath.Should().Be(Path.Combine(raw, "t10k-images-idx3-ubyte.gz"));
        data.Count.Should().Be(10_000);
    }

    [Fact]
    public async Task KerasMnistNpz_LoadsTheSameImagesAndLabelsAsTheIdxFiles()
    {
        using var reference = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 30 });
        var testPixels = (await Gunzip(Path.Combine(TestData.MnistDirectory, "t10k-images-idx3-ubyte.gz")))[16..(16 + (30 * 784))];
        var testLabels = (await Gunzip(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz")))[8..38];
        using var folder = new TempFolder();
        WriteNpz(Path.Combine(folder.Path, "mnist.npz"), compressed: true,
            ("x_train", Npy("|u1", [2, 28, 28], new byte[2 * 784])), ("y_train", Npy("|u1", [2], [1, 2])),
            ("x_test", Npy("|u1", [30, 28, 28], testPixels)), ("y_test", Npy("|u1", [30], testLabels)));

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = folder.Path });

        data.ImagesPath.Should().Be(Path.Combine(folder.Path, "mnist.npz"));
        data.Count.Should().Be(30);
        data.Images.Equals(reference.Images).Should().BeTrue();
        data.Labels.Equals(reference.Labels).Should().BeTrue();
    }

    [Fact]
    public void KerasNpz_WithAMissingOrMisshapenArray_NamesTheFileAndTheArray()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "mnist.npz");
        WriteNpz(path, compressed: false, ("x_train", Npy("|u1", [2, 14, 56], new byte[2 * 784])), ("y_train", Npy("|u1", [2], [1, 2])));

        FluentActions.Invoking(() => MnistDataset.FromFiles(path, path, split: MnistSplit.Test))
            .Should().Throw<InvalidDataException>().WithMessage($"Dataset file '{path}' has no array 'x_test' (it holds 'x_train', 'y_train').");
        FluentActions.Invoking(() => MnistDataset.FromFiles(path, path, split: MnistSplit.Train))
            .Should().Throw<InvalidDataException>().WithMessage($"Dataset file '{path}' array 'x_train' is Byte [2, 14, 56], expected uint8 [N, 28, 28].");
    }

    [Fact]
    public void EmnistLetters_TransposedStorageAndLabelsOneToTwentySix_ComeOutUprightAsClassesZeroToTwentyFive()
    {
        using var folder = new TempFolder();
        var glyph = LetterL(); // upright: a vertical bar in column 5 and a foot along row 22
        var files = WriteEmnist(folder, "letters", "train", [glyph, glyph, glyph], [1, 12, 26]);

        using var data = MnistDataset.FromFiles(files.Images, files.Labels, new MnistDatasetOptions { Dataset = "emnist-letters" });

        data.Info.Should().BeSameAs(MnistFamily.Emnist(EmnistSplit.Letters));
        data.ClassCount.Should().Be(26);
        data.Labels.ToArray<long>().Should().Equal(0, 11, 25);
        data.ClassNames[11].Should().Be("l");
        var image = data.Images[0, 0];
        for (var row = 0; row < 28; row++)
        {
            for (var column = 0; column < 28; column++)
            {
                image[row, column].ToSingle().Should().Be(glyph[row, column] == 255 ? 1f : -1f, $"pixel ({row}, {column}) of the upright glyph");
            }
        }
    }

    [Fact]
    public async Task EmnistLetters_InTheirFolderByName_LoadThroughLoadAsync()
    {
        using var root = new TempFolder();
        var folder = new TempFolder();
        var files = WriteEmnist(folder, "letters", "test", [LetterL(), LetterL()], [3, 4]);
        var named = Directory.CreateDirectory(Path.Combine(root.Path, "emnist-letters")).FullName;
        File.Move(files.Images, Path.Combine(named, Path.GetFileName(files.Images)));
        File.Move(files.Labels, Path.Combine(named, Path.GetFileName(files.Labels)));
        folder.Dispose();

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Dataset = "emnist-letters", Directory = root.Path });

        data.Labels.ToArray<long>().Should().Equal(2, 3);
        data.ImagesPath.Should().StartWith(named);
    }

    [Fact]
    public async Task EmnistArchive_FoundInTheDirectory_HasOnlyTheAskedSplitExtractedBesideIt()
    {
        using var folder = new TempFolder();
        using var cache = new TempFolder();
        var staging = new TempFolder();
        var digits = WriteEmnist(staging, "digits", "test", [LetterL(), LetterL()], [7, 9]);
        var letters = WriteEmnist(staging, "letters", "test", [LetterL()], [5]);
        using (var zip = ZipFile.Open(Path.Combine(folder.Path, "gzip.zip"), ZipArchiveMode.Create))
        {
            foreach (var file in new[] { digits.Images, digits.Labels, letters.Images, letters.Labels })
            {
                zip.CreateEntryFromFile(file, "gzip/" + Path.GetFileName(file));
            }
        }

        staging.Dispose();

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Dataset = "emnist-digits", Directory = folder.Path, CacheDirectory = cache.Path });

        data.Labels.ToArray<long>().Should().Equal(7, 9);
        Directory.GetFiles(folder.Path).Select(Path.GetFileName).Should().Equal(["gzip.zip"], "nothing else lands beside the archive");
        Directory.GetFiles(Path.Combine(folder.Path, "emnist-digits")).Select(Path.GetFileName).Should().BeEquivalentTo(
            ["emnist-digits-test-images-idx3-ubyte.gz", "emnist-digits-test-labels-idx1-ubyte.gz"], "only the split asked for, in its own folder");
    }

    [Fact]
    public void LabelOutsideTheDatasetsClasses_IsNamedWithFileIndexAndRange()
    {
        using var folder = new TempFolder();
        var files = WriteEmnist(folder, "letters", "train", [LetterL(), LetterL(), LetterL(), LetterL()], [1, 2, 26, 27]);

        var act = () => MnistDataset.FromFiles(files.Images, files.Labels, new MnistDatasetOptions { Dataset = "emnist-letters" });

        act.Should().Throw<InvalidDataException>()
            .WithMessage($"Dataset file '{files.Labels}' label 27 at index 3 is outside 1..26, the dataset's 26 classes.");
    }

    [Fact]
    public void QmnistExtendedLabels_TakeTheClassFromTheFirstOfEightColumns()
    {
        using var folder = new TempFolder();
        var images = folder.Write("qmnist-test-images-idx3-ubyte", TestData.Images(3));
        var labels = folder.Write("qmnist-test-labels-idx2-int", QmnistLabels([[7, 4, 1001, 3, 7, 99, 0, 0], [2, 4, 1002, 8, 2, 100, 0, 0], [9, 1, 5, 0, 9, 101, 0, 0]]));

        using var data = MnistDataset.FromFiles(images, labels, new MnistDatasetOptions { Dataset = "qmnist" });

        data.Labels.ToArray<long>().Should().Equal(7, 2, 9);
    }

    [Fact]
    public void QmnistLabels_WithAnotherColumnCount_AreRefusedNamingTheFile()
    {
        using var folder = new TempFolder();
        var images = folder.Write("qmnist-test-images-idx3-ubyte", TestData.Images(1));
        var bytes = QmnistLabels([[7, 4, 1001, 3, 7, 99, 0, 0]]);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 6);
        var labels = folder.Write("qmnist-test-labels-idx2-int", bytes);

        var act = () => MnistDataset.FromFiles(images, labels, new MnistDatasetOptions { Dataset = "qmnist" });

        act.Should().Throw<InvalidDataException>().WithMessage($"Dataset file '{labels}' has 6 columns of label information, expected 8 (QMNIST's extended labels).");
    }

    [Fact]
    public void UnknownDatasetName_SuggestsTheClosestAndListsAll()
    {
        var act = () => MnistDataset.FromFiles("a", "b", new MnistDatasetOptions { Dataset = "fashion_mnst" });

        act.Should().Throw<ArgumentException>().WithMessage(
            "Invalid MnistDatasetOptions: Dataset: Unknown dataset 'fashion_mnst'. Did you mean 'fashion-mnist'? Datasets are mnist, fashion-mnist, kmnist, " +
            "emnist-balanced, emnist-byclass, emnist-bymerge, emnist-digits, emnist-letters, emnist-mnist, qmnist.*");
    }

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("Fashion_MNIST")]
    [InlineData("FashionMNIST")]
    public void Get_AcceptsTheUsualSpellings(string name) => MnistFamily.Get(name).Should().BeSameAs(MnistFamily.FashionMnist);

    [Fact]
    public void Family_HasTorchvisionsClassesPerDataset()
    {
        MnistFamily.All.Select(d => (d.Name, d.ClassCount)).Should().Equal(
            ("mnist", 10), ("fashion-mnist", 10), ("kmnist", 10), ("emnist-balanced", 47), ("emnist-byclass", 62), ("emnist-bymerge", 47),
            ("emnist-digits", 10), ("emnist-letters", 26), ("emnist-mnist", 10), ("qmnist", 10));
        MnistFamily.Emnist(EmnistSplit.Balanced).ClassNames.Skip(36).Should().Equal("a", "b", "d", "e", "f", "g", "h", "n", "q", "r", "t");
        MnistFamily.Emnist(EmnistSplit.ByClass).ClassIndex("a").Should().Be(36);
        MnistFamily.Emnist(EmnistSplit.ByClass).ClassIndex("A").Should().Be(10);
        MnistFamily.FashionMnist.ClassIndex("ankle boot").Should().Be(9);
        MnistFamily.FashionMnist.ClassIndex("3").Should().Be(3);
        MnistFamily.FashionMnist.ClassIndex("Sock").Should().Be(-1);
    }

    [Fact]
    public void Downloads_IntoAGivenFolder_PutOtherDatasetsInTheirOwnSubfolder()
    {
        var options = new MnistDatasetOptions { Directory = "/data" };

        DatasetFiles.DownloadDirectory(MnistFamily.Mnist, options).Should().Be("/data", "MNIST's files stay where they always went");
        DatasetFiles.DownloadDirectory(MnistFamily.Kmnist, options).Should().Be("/data/kmnist", "KMNIST's files have MNIST's names");
        DatasetFiles.DownloadDirectory(MnistFamily.FashionMnist, new MnistDatasetOptions { CacheDirectory = "/cache" }).Should().Be("/cache/fashion-mnist");
    }

    [Fact]
    public async Task ResumingACheckpointOnAnotherDataset_IsRefusedNamingBoth()
    {
        using var run = new TempFolder();
        using var mnist = await MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Directory = TestData.MnistDirectory, Limit = 128 });
        using var fashion = await MnistDataset.LoadAsync(MnistFamily.FashionMnist, MnistSplit.Test, new MnistDatasetOptions { Limit = 128 });
        GanTrainer Trainer(string? resume) => GanTrainer.Create(b => b.UseMlp().Epochs(2).BatchSize(64).Seed(1).OnDevice("cpu")
            .OutputTo(run.Path).Configure(o => (o.Output.ResumeFrom, o.Threads, o.Output.SampleEveryEpochs, o.Output.CheckpointEveryEpochs) = (resume, 1, 0, 1)));
        using (await Trainer(null).TrainAsync(mnist))
        {
        }

        var act = () => Trainer(run.Path).TrainAsync(fashion);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("'*step_*.safetensors' was trained on mnist, not fashion-mnist: resume it on the same dataset (CLI: --dataset mnist).");
    }

    internal static byte[,] LetterL()
    {
        var glyph = new byte[28, 28];
        for (var row = 4; row <= 22; row++)
        {
            glyph[row, 5] = 255;
        }

        for (var column = 5; column <= 16; column++)
        {
            glyph[22, column] = 255;
        }

        return glyph;
    }

    /// <summary>EMNIST's layout: gzip IDX files named emnist-SPLIT-PART-*, each image stored transposed (column by column).</summary>
    internal static (string Images, string Labels) WriteEmnist(TempFolder folder, string split, string part, byte[][,] glyphs, byte[] labels)
    {
        var images = TestData.Images(glyphs.Length);
        for (var i = 0; i < glyphs.Length; i++)
        {
            for (var row = 0; row < 28; row++)
            {
                for (var column = 0; column < 28; column++)
                {
                    images[16 + (i * 784) + (column * 28) + row] = glyphs[i][row, column];
                }
            }
        }

        return (folder.Write($"emnist-{split}-{part}-images-idx3-ubyte.gz", TestData.Gzip(images)),
            folder.Write($"emnist-{split}-{part}-labels-idx1-ubyte.gz", TestData.Gzip(TestData.Labels(labels))));
    }

    private static byte[] QmnistLabels(int[][] rows)
    {
        var bytes = new byte[12 + (rows.Length * 32)];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x0C02);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), rows.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 8);
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < 8; c++)
            {
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12 + (r * 32) + (c * 4)), rows[r][c]);
            }
        }

        return bytes;
    }

    /// <summary>A NumPy .npy file, format 1.0, written from the format's specification (NEP 1): magic, version, header length, header dict, data.</summary>
    internal static byte[] Npy(string descr, int[] shape, byte[] data)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        var padded = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)(padded.Length & 0xFF), (byte)(padded.Length >> 8)]);
        bytes.AddRange(Encoding.ASCII.GetBytes(padded));
        bytes.AddRange(data);
        return [.. bytes];
    }

    internal static void WriteNpz(string path, bool compressed, params (string Name, byte[] Npy)[] arrays)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, npy) in arrays)
        {
            using var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Fastest : CompressionLevel.NoCompression).Open();
            entry.Write(npy);
        }
    }

    private static async Task<byte[]> Gunzip(string path)
    {
        await using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        await gzip.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

/// <summary>What a user reads when nothing fits: every place looked at and the near-misses found.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class MnistFamilyLocationTests
{
    [Fact]
    public async Task NearMissFolder_MessageNamesEachNearMissAndWhatIsWrong()
    {
        using var folder = new TempFolder();
        using var cache = new TempFolder();
        folder.Write("train-images-idx3-ubyte.zip", [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(folder.Path, "train-labels-idx1-ubyte"));
        folder.Write("Train-Images-Idx3-Ubyte.gz", [1]);
        folder.Write("mnist.pkl.gz", [1]);
        var saved = Environment.GetEnvironmentVariable("GANMNIST_DATA");
        Environment.SetEnvironmentVariable("GANMNIST_DATA", null);
        try
        {
            var act = () => MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = folder.Path, CacheDirectory = cache.Path });

            var message = (await act.Should().ThrowAsync<FileNotFoundException>()).Which.Message;
            message.Should().Contain("Near misses found:");
            message.Should().Contain($"'{Path.Combine(folder.Path, "train-images-idx3-ubyte.zip")}' looks like a .zip archive of the file: extract it");
            message.Should().Contain($"'{Path.Combine(folder.Path, "train-labels-idx1-ubyte")}' is a folder, not a file");
            message.Should().Contain($"'{Path.Combine(folder.Path, "Train-Images-Idx3-Ubyte.gz")}' has a name close to but not one GanMnist accepts");
            message.Should().Contain($"'{Path.Combine(folder.Path, "mnist.pkl.gz")}' is a Python pickle");
            message.Should().Contain("the GANMNIST_DATA environment variable: not set");
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANMNIST_DATA", saved);
        }
    }

    [Fact]
    public async Task MnistFilesInGanmnistData_AskedForKmnist_AreSkippedAndNamedInTheMessage()
    {
        using var cache = new TempFolder();
        var saved = Environment.GetEnvironmentVariable("GANMNIST_DATA");
        Environment.SetEnvironmentVariable("GANMNIST_DATA", TestData.MnistDirectory);
        try
        {
            var act = () => MnistDataset.LoadAsync(MnistSplit.Test, new MnistDatasetOptions { Dataset = "kmnist", CacheDirectory = cache.Path });

            var message = (await act.Should().ThrowAsync<FileNotFoundException>()).Which.Message;
            message.Should().StartWith("The KMNIST test files (t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz];");
            message.Should().Contain("holds MNIST's test images, not KMNIST's test images");
            message.Should().Contain("http://codh.rois.ac.jp/kmnist/dataset/kmnist/");
        }
        finally
        {
            Environment.SetEnvironmentVariable("GANMNIST_DATA", saved);
        }
    }
}
