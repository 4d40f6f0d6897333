using NumSharp;
using NumSharp.IO;
using GanMnist.Runtime;

namespace GanMnist.Data;

/// <summary>
/// Reads Keras' <c>mnist.npz</c> (arrays <c>x_train</c> (60000, 28, 28) uint8, <c>y_train</c> (60000) uint8,
/// <c>x_test</c>, <c>y_test</c>) through NumSharp's reader of NumPy's format, validated as the IDX reader validates:
/// every problem is an <see cref="InvalidDataException"/> naming the file and the array.
/// </summary>
internal static class NpzReader
{
    /// <summary>The split's pixels (row-major, N x 28 x 28) and class indices.</summary>
    internal static (byte[] Pixels, int Count, byte[] Labels) Read(string path, MnistSplit split, int classCount)
    {
        var (x, y) = split == MnistSplit.Train ? ("x_train", "y_train") : ("x_test", "y_test");
        NpzFile archive;
        try
        {
            archive = np.load(path) as NpzFile ?? throw Invalid(path, "is a single NumPy array, not an .npz archive");
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or NotSupportedException or ArgumentException
            && e is not FileNotFoundException && !e.Message.StartsWith("Dataset file", StringComparison.Ordinal))
        {
            throw Invalid(path, $"cannot be read as a NumPy .npz archive ({e.Message})", e);
        }

        using (archive)
        {
            var images = Array(archive, path, x);
            var labels = Array(archive, path, y);
            if (images.typecode != NPTypeCode.Byte || images.ndim != 3 || images.shape[1] != IdxReader.ImageSize || images.shape[2] != IdxReader.ImageSize)
            {
                throw Invalid(path, $"array '{x}' is {images.dtype.Name} [{string.Join(", ", images.shape)}], expected uint8 [N, 28, 28]");
            }

            if (labels.ndim != 1 || labels.shape[0] != images.shape[0] || labels.typecode is not (NPTypeCode.Byte or NPTypeCode.Int32 or NPTypeCode.Int64))
            {
                throw Invalid(path, $"array '{y}' is {labels.dtype.Name} [{string.Join(", ", labels.shape)}], expected an integer array [{images.shape[0]}] (one label per image in '{x}')");
            }

            var values = labels.astype(NPTypeCode.Int64).ToArray<long>();
            var classes = new byte[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                classes[i] = values[i] >= 0 && values[i] < classCount
                    ? (byte)values[i]
                    : throw Invalid(path, $"array '{y}' has label {values[i]} at index {i}, outside 0..{classCount - 1}");
            }

            return (images.ToArray<byte>(), checked((int)images.shape[0]), classes);
        }
    }

    private static NDArray Array(NpzFile archive, string path, string name)
    {
        if (!archive.ContainsKey(name))
        {
            throw Invalid(path, $"has no array '{name}' (it holds {string.Join(", ", archive.Files.Select(f => $"'{f}'"))})");
        }

        try
        {
            return archive[name];
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw Invalid(path, $"array '{name}' cannot be read ({e.Message})", e);
        }
    }

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) => new($"Dataset file '{path}' {problem}.", inner);
}
