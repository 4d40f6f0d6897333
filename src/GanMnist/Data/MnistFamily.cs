using System.Globalization;

namespace GanMnist.Data;

/// <summary>
/// The MNIST family GanMnist reads by name, as torchvision's <c>datasets</c> module does: MNIST, Fashion-MNIST,
/// KMNIST, the six EMNIST splits and QMNIST. Names, class names, file names, mirrors and digests are
/// torchvision's (<c>torchvision/datasets/mnist.py</c>); MNIST's SHA-256 digests are those of the original files.
/// </summary>
public static class MnistFamily
{
    private static readonly string[] Digits = [.. Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture))];
    private static readonly string[] Upper = [.. Enumerable.Range('A', 26).Select(c => ((char)c).ToString())];
    private static readonly string[] Lower = [.. Enumerable.Range('a', 26).Select(c => ((char)c).ToString())];

    /// <summary>The 15 lower-case letters EMNIST ByMerge and Balanced merge into their upper case.</summary>
    private static readonly HashSet<string> Merged = ["c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"];

    private static readonly Uri[] EmnistMirrors =
    [
        new("https://biometrics.nist.gov/cs_links/EMNIST/"),
        new("https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/"),
    ];

    /// <summary>MNIST (LeCun et al. 1998): 70,000 handwritten digits.</summary>
    public static DatasetInfo Mnist { get; } = new("mnist", "MNIST", Digits, 60_000, 10_000, new("http://yann.lecun.com/exdb/mnist/"), "MNIST",
        new(Idx("train", FileDigest.Sha256("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                FileDigest.Sha256("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c")),
            Idx("t10k", FileDigest.Sha256("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                FileDigest.Sha256("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
            [
                new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                new("http://yann.lecun.com/exdb/mnist/"),
                new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
            ]));

    /// <summary>Fashion-MNIST (Xiao et al. 2017): 70,000 Zalando article images in 10 classes, a drop-in for MNIST.</summary>
    public static DatasetInfo FashionMnist { get; } = new("fashion-mnist", "Fashion-MNIST",
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], 60_000, 10_000,
        new("https://github.com/zalandoresearch/fashion-mnist"), "FashionMNIST",
        new(Idx("train", FileDigest.Md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d"), FileDigest.Md5("25c81989df183df01b3e8a0aad5dffbe")),
            Idx("t10k", FileDigest.Md5("bef4ecab320f06d8554ea6380940ec79"), FileDigest.Md5("bb300cfdad3c16e7a12a480ee83cd310")),
            [new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), new("https://storage.googleapis.com/tensorflow/tf-keras-datasets/")]));

    /// <summary>Kuzushiji-MNIST (Clanuwat et al. 2018): 70,000 cursive Japanese hiragana in 10 classes.</summary>
    public static DatasetInfo Kmnist { get; } = new("kmnist", "KMNIST", ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"], 60_000, 10_000,
        new("https://github.com/rois-codh/kmnist"), "KMNIST",
        new(Idx("train", FileDigest.Md5("bdb82020997e1d708af4cf47b453dcf7"), FileDigest.Md5("e144d726b3acfaa3e44228e80efcd344")),
            Idx("t10k", FileDigest.Md5("5c965bf0a639b31b8f53240b1b52f4d7"), FileDigest.Md5("7320c461ea6c1c855c0b718fb2a4b134")),
            [new("http://codh.rois.ac.jp/kmnist/dataset/kmnist/")]));

    /// <summary>QMNIST (Yadav and Bottou 2019): MNIST's training set reconstructed from NIST, and a 60,000-image test set.</summary>
    public static DatasetInfo Qmnist { get; } = new("qmnist", "QMNIST", Digits, 60_000, 60_000, new("https://github.com/facebookresearch/qmnist"), "QMNIST",
        new(new("qmnist-train-images-idx3-ubyte", "qmnist-train-labels-idx2-int", LabelFormat.Idx2Int,
                FileDigest.Md5("ed72d4157d28c017586c42bc6afe6370"), FileDigest.Md5("0058f8dd561b90ffdd0f734c6a30e5e4")),
            new("qmnist-test-images-idx3-ubyte", "qmnist-test-labels-idx2-int", LabelFormat.Idx2Int,
                FileDigest.Md5("1394631089c404de565df7b7aeaf9412"), FileDigest.Md5("5b5b05890a5e13444e108efe57b788aa")),
            [new("https://raw.githubusercontent.com/facebookresearch/qmnist/master/")]));

    private static readonly DatasetInfo[] EmnistSplits =
    [
        Emnist(EmnistSplit.Balanced, "Balanced", [.. Digits, .. Upper, .. Lower.Where(c => !Merged.Contains(c))], 112_800, 18_800),
        Emnist(EmnistSplit.ByClass, "ByClass", [.. Digits, .. Upper, .. Lower], 697_932, 116_323),
        Emnist(EmnistSplit.ByMerge, "ByMerge", [.. Digits, .. Upper, .. Lower.Where(c => !Merged.Contains(c))], 697_932, 116_323),
        Emnist(EmnistSplit.Digits, "Digits", Digits, 240_000, 40_000),
        Emnist(EmnistSplit.Letters, "Letters", Lower, 124_800, 20_800),
        Emnist(EmnistSplit.Mnist, "MNIST", Digits, 60_000, 10_000),
    ];

    /// <summary>Every dataset GanMnist knows, in the order of the documentation.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } = [Mnist, FashionMnist, Kmnist, .. EmnistSplits, Qmnist];

    /// <summary>
    /// SHA-256 of the pixel bytes (after the IDX header, decompressed) of image files whose identity is known, so that
    /// one member's files found under another's name (they share the names <c>train-images-idx3-ubyte</c> and so on)
    /// are refused rather than trained on. Measured on the original MNIST files and Debian's Fashion-MNIST package.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, (DatasetInfo Dataset, MnistSplit Split)> KnownImages =
        new Dictionary<string, (DatasetInfo, MnistSplit)>(StringComparer.Ordinal)
        {
            ["741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"] = (Mnist, MnistSplit.Train),
            ["6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"] = (Mnist, MnistSplit.Test),
            ["2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012"] = (FashionMnist, MnistSplit.Train),
            ["c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a"] = (FashionMnist, MnistSplit.Test),
        };

    /// <summary>An EMNIST split.</summary>
    public static DatasetInfo Emnist(EmnistSplit split) => EmnistSplits[(int)split];

    /// <summary>The dataset of a name (case-insensitive; <c>fashion_mnist</c>, <c>FashionMNIST</c> and <c>fashion-mnist</c> are one).</summary>
    /// <exception cref="ArgumentException">No dataset has that name; the message lists the names and the closest one.</exception>
    public static DatasetInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, out var dataset) ? dataset : throw new ArgumentException(UnknownMessage(name)); // the message names the argument's value
    }

    /// <summary>Why a name is not a dataset: the names there are, and the closest one when it is close.</summary>
    internal static string UnknownMessage(string? name)
    {
        var key = Canonical(name ?? string.Empty);
        int Distance(DatasetInfo d) // to the name, or to it without "mnist" ("fashon" is close to "fashion")
        {
            var full = Canonical(d.Name);
            var stem = full.Replace("mnist", string.Empty, StringComparison.Ordinal);
            return Math.Min(NameMatching.Distance(full, key), stem.Length > 0 ? NameMatching.Distance(stem, key) : int.MaxValue);
        }

        var closest = All.MinBy(Distance)!;
        var hint = Distance(closest) <= 3 ? $" Did you mean '{closest.Name}'?" : string.Empty;
        return $"Unknown dataset '{name}'.{hint} Datasets are {string.Join(", ", All.Select(d => d.Name))}.";
    }

    /// <summary>The dataset of a name, as <see cref="Get"/>, without throwing.</summary>
    public static bool TryGet(string? name, out DatasetInfo dataset)
    {
        var key = Canonical(name ?? string.Empty);
        dataset = All.FirstOrDefault(d => Canonical(d.Name) == key || Canonical(d.TorchvisionFolder) == key && d.TorchvisionFolder != "EMNIST")!;
        return dataset is not null;
    }

    private static string Canonical(string name) =>
        new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static SplitFiles Idx(string prefix, FileDigest images, FileDigest labels) =>
        new($"{prefix}-images-idx3-ubyte", $"{prefix}-labels-idx1-ubyte", LabelFormat.Idx1Ubyte, images, labels);

    private static DatasetInfo Emnist(EmnistSplit split, string display, string[] classes, long train, long test)
    {
        var name = display.ToLowerInvariant();
        SplitFiles Files(string part) => new($"emnist-{name}-{part}-images-idx3-ubyte", $"emnist-{name}-{part}-labels-idx1-ubyte", LabelFormat.Idx1Ubyte, null, null);
        return new($"emnist-{name}", $"EMNIST {display}", classes, train, test, new("https://www.nist.gov/itl/products-and-services/emnist-dataset"), "EMNIST",
            new(Files("train"), Files("test"), EmnistMirrors, new DatasetArchive("gzip.zip", FileDigest.Md5("58c8d27c78d21e728a6bc7b3cc06412e"), "gzip/"),
                FirstLabel: split == EmnistSplit.Letters ? 1 : 0, Transposed: true));
    }
}

/// <summary>Edit distance for "did you mean" messages.</summary>
internal static class NameMatching
{
    /// <summary>The Levenshtein distance (insertions, deletions, substitutions) between two short strings.</summary>
    public static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
