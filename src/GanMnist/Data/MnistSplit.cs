namespace GanMnist.Data;

/// <summary>Which MNIST split to load.</summary>
public enum MnistSplit
{
    /// <summary>The 60,000 training images (<c>train-*-idx*-ubyte</c>).</summary>
    Train,

    /// <summary>The 10,000 test images (<c>t10k-*-idx*-ubyte</c>).</summary>
    Test,
}
