using System.Security.Cryptography;

namespace GanMnist.Data;

/// <summary>
/// A member of the MNIST family: 28x28 grayscale images with class labels, distributed as IDX files. Says
/// what the classes are, how the files are named, stored and verified, and where they are published.
/// The instances live in <see cref="MnistFamily"/>; they are immutable and compared by reference.
/// </summary>
/// <remarks>
/// Class indices are 0-based everywhere in GanMnist (tensors, conditional models, <c>--class</c>): for
/// EMNIST Letters the files' labels 1..26 become classes 0..25 ('a'..'z'), where torchvision keeps 1..26
/// with an unused class 0 ("N/A").
/// </remarks>
public sealed class DatasetInfo
{
    internal DatasetInfo(string name, string displayName, IReadOnlyList<string> classNames, long trainCount, long testCount, Uri homepage,
        string torchvisionFolder, DatasetSource source)
    {
        (Name, DisplayName, ClassNames, TrainCount, TestCount, Homepage, TorchvisionFolder, Source) =
            (name, displayName, classNames, trainCount, testCount, homepage, torchvisionFolder, source);
    }

    /// <summary>The name used in options, on the command line and in cache folders, e.g. <c>fashion-mnist</c> or <c>emnist-letters</c>.</summary>
    public string Name { get; }

    /// <summary>The dataset's published name, e.g. <c>Fashion-MNIST</c> or <c>EMNIST Letters</c>.</summary>
    public string DisplayName { get; }

    /// <summary>The classes' names, indexed by class (0-based), e.g. <c>T-shirt/top</c> .. <c>Ankle boot</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The label the files store for class 0: 0, except 1 for EMNIST Letters (labels 1..26).</summary>
    public int FirstLabel => Source.FirstLabel;

    /// <summary>Whether the files store each image transposed (EMNIST); GanMnist returns images upright either way.</summary>
    public bool Transposed => Source.Transposed;

    /// <summary>Images in the published training split.</summary>
    public long TrainCount { get; }

    /// <summary>Images in the published test split.</summary>
    public long TestCount { get; }

    /// <summary>Where the dataset is described.</summary>
    public Uri Homepage { get; }

    /// <summary>The folder torchvision keeps the files in under its root (<c>&lt;root&gt;/&lt;folder&gt;/raw</c>), e.g. <c>FashionMNIST</c>.</summary>
    internal string TorchvisionFolder { get; }

    internal DatasetSource Source { get; }

    /// <summary>The image and label files of a split.</summary>
    internal SplitFiles Files(MnistSplit split) => split == MnistSplit.Train ? Source.Train : Source.Test;

    /// <summary>The published size of a split.</summary>
    public long Count(MnistSplit split) => split == MnistSplit.Train ? TrainCount : TestCount;

    /// <summary>The class index of a name (case-insensitive), or of a number given as text; -1 when neither.</summary>
    public int ClassIndex(string nameOrIndex)
    {
        ArgumentNullException.ThrowIfNull(nameOrIndex);
        for (var i = 0; i < ClassNames.Count; i++)
        {
            if (string.Equals(ClassNames[i], nameOrIndex.Trim(), StringComparison.Ordinal))
            {
                return i; // EMNIST byclass has both 'a' and 'A': an exact match decides first
            }
        }

        var folded = Enumerable.Range(0, ClassNames.Count).Where(i => string.Equals(ClassNames[i], nameOrIndex.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (folded.Count == 1)
        {
            return folded[0];
        }

        return int.TryParse(nameOrIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            && index < ClassCount ? index : -1;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Which split of EMNIST (Cohen et al. 2017, "EMNIST: an extension of MNIST to handwritten letters").</summary>
public enum EmnistSplit
{
    /// <summary>47 balanced classes: digits, upper-case letters, and the lower-case letters not merged with their upper case.</summary>
    Balanced,

    /// <summary>62 unbalanced classes: digits, upper-case and lower-case letters.</summary>
    ByClass,

    /// <summary>47 unbalanced classes: as <see cref="ByClass"/> with 15 lower-case letters merged into their upper case.</summary>
    ByMerge,

    /// <summary>10 balanced classes: digits (240,000 training images).</summary>
    Digits,

    /// <summary>26 balanced classes: letters, upper and lower case merged (files label them 1..26).</summary>
    Letters,

    /// <summary>10 classes: digits, in MNIST's proportions.</summary>
    Mnist,
}

/// <summary>How a labels file stores its labels.</summary>
internal enum LabelFormat
{
    /// <summary>IDX unsigned bytes, one dimension (magic 0x00000801).</summary>
    Idx1Ubyte,

    /// <summary>IDX 32-bit signed integers, two dimensions (N, 8), the class in column 0 (QMNIST's extended labels, magic 0x00000C02).</summary>
    Idx2Int,
}

/// <summary>A file's published digest.</summary>
internal sealed record FileDigest(HashAlgorithmName Algorithm, string Hex)
{
    public static FileDigest Sha256(string hex) => new(HashAlgorithmName.SHA256, hex);

    public static FileDigest Md5(string hex) => new(HashAlgorithmName.MD5, hex);

    public override string ToString() => $"{Algorithm.Name} {Hex}";
}

/// <summary>A split's two files: names without the <c>.gz</c> the published copies carry, and their digests.</summary>
internal sealed record SplitFiles(string Images, string Labels, LabelFormat LabelFormat, FileDigest? ImagesDigest, FileDigest? LabelsDigest);

/// <summary>An archive the split files are published in (EMNIST's one zip), with its digest and where the files sit inside.</summary>
internal sealed record DatasetArchive(string FileName, FileDigest Digest, string MemberFolder);

/// <summary>How and where a dataset's files are published.</summary>
internal sealed record DatasetSource(SplitFiles Train, SplitFiles Test, IReadOnlyList<Uri> Mirrors, DatasetArchive? Archive = null,
    int FirstLabel = 0, bool Transposed = false);
