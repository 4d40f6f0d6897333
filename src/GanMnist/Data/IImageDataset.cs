using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>
/// A set of images (and optionally class labels) held once in native memory, which the trainer
/// consumes through a <see cref="DataLoader"/>. <see cref="MnistDataset"/> and
/// <see cref="InMemoryImageDataset"/> implement it; so can a user's own data.
/// </summary>
public interface IImageDataset
{
    /// <summary>The number of images.</summary>
    long Count { get; }

    /// <summary>The shape of one image: (channels, height, width).</summary>
    IReadOnlyList<long> ImageShape { get; }

    /// <summary>The number of classes of <see cref="Labels"/>; 0 when the images are unlabelled.</summary>
    int ClassCount { get; }

    /// <summary>All images, (N, C, H, W) float32 in [-1, 1]; owned by the dataset (do not dispose).</summary>
    Tensor Images { get; }

    /// <summary>All labels, (N) int64 in [0, <see cref="ClassCount"/>), or null; owned by the dataset.</summary>
    Tensor? Labels { get; }
}
