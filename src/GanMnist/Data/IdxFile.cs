using System.Buffers.Binary;
using GanMnist.Imaging;
using GanMnist.IO;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Data;

/// <summary>
/// Images in MNIST's own file format (IDX, <c>idx3-ubyte</c>, optionally gzip-compressed): read as float32
/// (N, 1, 28, 28) in [-1, 1] with the seeds' arithmetic, written from such tensors as round((x + 1) / 2 · 255).
/// </summary>
public static class IdxFile
{
    /// <summary>Reads an IDX images file (gzip or raw), validated completely, as float32 (N, 1, 28, 28) in [-1, 1]; the caller owns the tensor.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names it and what is wrong.</exception>
    public static Tensor ReadImages(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var images = IdxReader.ReadImages(path);
        using var scope = NewDisposeScope();
        var raw = TensorExtensions.FromBytes(images.Pixels, [images.Count, 1, images.Rows, images.Columns], ScalarType.Byte);
        return Normalise(raw, device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>Writes images (N, 1, 28, 28) in [-1, 1] as a raw IDX images file, atomically (values outside are clamped).</summary>
    /// <exception cref="ArgumentException">The images are not (N, 1, 28, 28) or hold a non-finite value.</exception>
    public static void WriteImages(string path, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.size(1) != 1 || images.size(2) != IdxReader.ImageSize || images.size(3) != IdxReader.ImageSize)
        {
            throw new ArgumentException($"An IDX images file holds (N, 1, 28, 28) images; got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        float[] values;
        using (var cpu = images.detach().to(ScalarType.Float32, CPU))
        {
            values = cpu.ToArray<float>();
        }

        var content = new byte[16 + values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException($"The images hold a non-finite value ({values[i]}) in image {i / (28 * 28)}; nothing was written.", nameof(images));
            }

            content[16 + i] = ToByte(values[i]);
        }

        BinaryPrimitives.WriteInt32BigEndian(content, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4), (int)images.size(0));
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(8), IdxReader.ImageSize);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(12), IdxReader.ImageSize);
        AtomicFile.WriteAllBytes(path, content);
    }

    /// <summary>Writes labels 0..9 (int64, N) as a raw IDX labels file, atomically.</summary>
    /// <exception cref="ArgumentException">The labels are not one-dimensional or lie outside 0..9.</exception>
    public static void WriteLabels(string path, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1)
        {
            throw new ArgumentException($"IDX labels are one-dimensional; got [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        long[] values;
        using (var cpu = labels.to(ScalarType.Int64, CPU))
        {
            values = cpu.ToArray<long>();
        }

        var content = new byte[8 + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(content, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4), values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is < 0 or >= IdxReader.ClassCount)
            {
                throw new ArgumentException($"Label {values[i]} at index {i} is outside 0..{IdxReader.ClassCount - 1}; nothing was written.", nameof(labels));
            }

            content[8 + i] = (byte)values[i];
        }

        AtomicFile.WriteAllBytes(path, content);
    }

    /// <summary>Bytes 0..255 to float32 in [-1, 1], exactly the seeds' (x / 255 - 0.5) / 0.5, in place after one conversion.</summary>
    internal static Tensor Normalise(Tensor raw, Device device) => raw.to(float32, device).div_(255).sub_(0.5).div_(0.5);

    /// <summary>[-1, 1] to a byte: round((x + 1) / 2 · 255), clamped (as the sample grids).</summary>
    internal static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round((value + 1) / 2 * 255), 0, 255);
}
