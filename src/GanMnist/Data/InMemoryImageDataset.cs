using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>A user's own images, from a tensor or a float array, checked once on construction.</summary>
public sealed class InMemoryImageDataset : IImageDataset, IDisposable
{
    /// <summary>
    /// Wraps (N, C, H, W) float32 images in [-1, 1] and optional (N) int64 labels. The dataset shares
    /// their storage (it keeps its own handles; the caller may dispose the tensors it passed).
    /// </summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">Class labels in [0, <paramref name="classCount"/>), or null.</param>
    /// <param name="classCount">The number of classes; 0 to infer it as the largest label + 1.</param>
    /// <exception cref="ArgumentException">A shape, type or value range is wrong; the message says which and what was found.</exception>
    public InMemoryImageDataset(Tensor images, Tensor? labels = null, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.shape;
        if (shape.Length != 4 || images.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"Images must be a (N, C, H, W) float32 tensor; got {images}.", nameof(images));
        }

        using (NewDisposeScope())
        {
            var (low, high) = (images.amin().ToDouble(), images.amax().ToDouble());
            if (low < -1 || high > 1)
            {
                throw new ArgumentException($"Images must lie in [-1, 1] (the generator's tanh range); they span [{low}, {high}].", nameof(images));
            }

            if (labels is not null)
            {
                if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.size(0) != shape[0])
                {
                    throw new ArgumentException($"Labels must be a ({shape[0]}) int64 tensor; got {labels}.", nameof(labels));
                }

                var (min, max) = (labels.amin().item<long>(), labels.amax().item<long>());
                classCount = classCount > 0 ? classCount : (int)max + 1;
                if (min < 0 || max >= classCount)
                {
                    throw new ArgumentException($"Labels must lie in [0, {classCount}); they span [{min}, {max}].", nameof(labels));
                }
            }
        }

        Images = images.detach().DetachFromDisposeScope();
        Labels = labels?.detach().DetachFromDisposeScope();
        ClassCount = labels is null ? 0 : classCount;
        Count = shape[0];
        ImageShape = shape[1..];
    }

    /// <summary>Builds the dataset from row-major pixels in [-1, 1] (one image after another) and optional labels.</summary>
    /// <param name="pixels">N·C·H·W values.</param>
    /// <param name="imageShape">The shape of one image, (C, H, W).</param>
    /// <param name="labels">N labels, or null.</param>
    /// <param name="classCount">The number of classes; 0 to infer it.</param>
    /// <exception cref="ArgumentException">The sizes do not agree or a value is out of range.</exception>
    public static InMemoryImageDataset FromArray(float[] pixels, long[] imageShape, long[]? labels = null, int classCount = 0)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(imageShape);
        if (imageShape.Length != 3 || imageShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"The image shape must be (C, H, W) with positive sizes; got [{string.Join(", ", imageShape)}].", nameof(imageShape));
        }

        var perImage = imageShape.Aggregate(1L, (a, b) => a * b);
        if (pixels.Length == 0 || pixels.Length % perImage != 0)
        {
            throw new ArgumentException($"{pixels.Length} pixels do not make whole images of [{string.Join(", ", imageShape)}] ({perImage} values each).", nameof(pixels));
        }

        var count = pixels.Length / perImage;
        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} labels were given for {count} images.", nameof(labels));
        }

        using var images = tensor(pixels, [count, .. imageShape]);
        using var labelTensor = labels is null ? null : tensor(labels);
        return new InMemoryImageDataset(images, labelTensor, classCount);
    }

    /// <inheritdoc />
    public long Count { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> ImageShape { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public Tensor Images { get; }

    /// <inheritdoc />
    public Tensor? Labels { get; }

    /// <summary>Frees this dataset's handles (storage shared with other tensors lives on).</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
