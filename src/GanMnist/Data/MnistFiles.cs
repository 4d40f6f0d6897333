namespace GanMnist.Data;

/// <summary>The four original MNIST files: names, SHA-256 of the gzip files, and where to look for them.</summary>
internal static class MnistFiles
{
    internal static readonly Uri[] DefaultMirrors =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("http://yann.lecun.com/exdb/mnist/"),
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
    ];

    /// <summary>SHA-256 of the original gzip files (as in shared/mnist/SHA256SUMS).</summary>
    internal static readonly IReadOnlyDictionary<string, string> Sha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    };

    internal static (string Images, string Labels) Names(MnistSplit split) => split == MnistSplit.Train
        ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>The places to look, in order, each with a description for messages (null path: not set).</summary>
    internal static IEnumerable<(string? Path, string Description)> Places(MnistDatasetOptions options)
    {
        yield return (options.Directory, $"{nameof(MnistDatasetOptions)}.{nameof(MnistDatasetOptions.Directory)}");
        yield return (Environment.GetEnvironmentVariable(MnistDatasetOptions.DataEnvironmentVariable), $"the {MnistDatasetOptions.DataEnvironmentVariable} environment variable");
        yield return (options.ResolvedCacheDirectory, "the per-user cache");
    }

    /// <summary>The file <paramref name="name"/> in <paramref name="directory"/>, compressed or raw, or null.</summary>
    internal static string? Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
