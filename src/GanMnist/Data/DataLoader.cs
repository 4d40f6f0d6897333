using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Data;

/// <summary>One batch: images (B, C, H, W) and, when asked for, labels (B). The batch owns its tensors.</summary>
public sealed class ImageBatch : IDisposable
{
    internal ImageBatch(int index, Tensor images, Tensor? labels) => (Index, Images, Labels) = (index, images, labels);

    /// <summary>The batch's position in its epoch, from 0.</summary>
    public int Index { get; }

    /// <summary>The images, on the loader's device.</summary>
    public Tensor Images { get; }

    /// <summary>The labels, or null when the loader was not asked for them (or the dataset has none).</summary>
    public Tensor? Labels { get; }

    /// <summary>The number of images.</summary>
    public long Size => Images.size(0);

    /// <summary>Frees the batch's tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// Cuts a dataset into batches, epoch by epoch. With shuffling, the order of an epoch depends only on
/// (seed, epoch): the same seed repeats it, another epoch changes it, and a resumed run can skip to any
/// batch. A batch is an index_select of the dataset's tensors (no per-image copies in managed memory).
/// </summary>
public sealed class DataLoader
{
    private readonly IImageDataset _dataset;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The images (and labels).</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="shuffle">Whether each epoch visits the images in a seeded random order.</param>
    /// <param name="seed">The shuffling seed.</param>
    /// <param name="dropLast">Whether to skip a last, smaller batch.</param>
    /// <param name="device">Where batches are delivered; the dataset's device when null.</param>
    /// <param name="withLabels">Whether batches carry labels (for conditional models).</param>
    /// <exception cref="ArgumentException">A value is out of range, or labels are asked of an unlabelled dataset.</exception>
    public DataLoader(IImageDataset dataset, int batchSize, bool shuffle = true, ulong seed = 0, bool dropLast = false,
        Device? device = null, bool withLabels = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (withLabels && dataset.Labels is null)
        {
            throw new ArgumentException("Labels were asked for, but the dataset has none.", nameof(withLabels));
        }

        if (dropLast && dataset.Count < batchSize)
        {
            throw new ArgumentException($"With dropLast, a dataset of {dataset.Count} images gives no batch of {batchSize}.", nameof(batchSize));
        }

        (_dataset, BatchSize, Shuffle, Seed, DropLast, Device, WithLabels) = (dataset, batchSize, shuffle, seed, dropLast, device, withLabels);
    }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>The shuffling seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Where batches are delivered (null: the dataset's device).</summary>
    public Device? Device { get; }

    /// <summary>Whether batches carry labels.</summary>
    public bool WithLabels { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (int)(DropLast ? _dataset.Count / BatchSize : (_dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, from batch <paramref name="startBatch"/> (to resume).
    /// Each batch belongs to the caller: dispose it after the step.
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int startBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        return Enumerate(epoch, startBatch);
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the images (int64 indices).</summary>
    public Tensor Order(int epoch)
    {
        var count = _dataset.Count;
        if (!Shuffle)
        {
            var identity = new long[count];
            for (var i = 0; i < identity.Length; i++)
            {
                identity[i] = i;
            }

            using var ordered = tensor(identity);
            return ordered.to(_dataset.Images.device);
        }

        // One generator per (seed, epoch): the epochs' orders are independent and reproducible.
        using var generator = new Generator(unchecked(Seed ^ ((ulong)epoch * 0x9E3779B97F4A7C15UL)));
        using var order = randperm(count, generator: generator);
        return order.to(_dataset.Images.device);
    }

    private IEnumerable<ImageBatch> Enumerate(int epoch, int startBatch)
    {
        using var order = Order(epoch).DetachFromDisposeScope();
        var count = _dataset.Count;
        for (var b = startBatch; b < BatchesPerEpoch; b++)
        {
            var start = (long)b * BatchSize;
            var size = Math.Min(BatchSize, count - start);
            ImageBatch batch;
            using (NewDisposeScope())
            {
                var indices = order.narrow(0, start, size);
                var images = Deliver(_dataset.Images.index_select(0, indices));
                var labels = WithLabels ? Deliver(_dataset.Labels!.index_select(0, indices)) : null;
                batch = new ImageBatch(b, images.DetachFromDisposeScope(), labels?.DetachFromDisposeScope());
            }

            yield return batch;
        }
    }

    private Tensor Deliver(Tensor t) => Device is null || Device == t.device ? t : t.to(Device);
}
