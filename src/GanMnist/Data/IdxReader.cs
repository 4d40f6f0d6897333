using System.Buffers.Binary;
using System.IO.Compression;

namespace GanMnist.Data;

/// <summary>
/// Pixels of an IDX image file: <c>Count</c> images of <c>Rows</c> x <c>Columns</c> unsigned bytes, row-major,
/// in unmanaged memory that <see cref="Dispose"/> returns to the system at once (a 47 MB managed array would
/// stay resident until the garbage collector decommits it).
/// </summary>
internal sealed unsafe class IdxImages(int count, int rows, int columns, long length) : IDisposable
{
    private byte* _pixels = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)Math.Max(length, 1));

    public int Count { get; } = count;

    public int Rows { get; } = rows;

    public int Columns { get; } = columns;

    public Span<byte> Pixels => _pixels == null ? throw new ObjectDisposedException(nameof(IdxImages)) : new(_pixels, checked((int)length));

    public void Dispose()
    {
        System.Runtime.InteropServices.NativeMemory.Free(_pixels);
        _pixels = null;
    }
}

/// <summary>
/// Reads the IDX files MNIST is distributed in (gzip-compressed or raw, told apart by content), and
/// validates them completely before returning anything: every violation is an
/// <see cref="InvalidDataException"/> that names the file, what was expected and what was found.
/// </summary>
internal static class IdxReader
{
    internal const int ImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions (2051)
    internal const int LabelsMagic = 0x00000801; // unsigned bytes, 1 dimension (2049)
    internal const int ExtendedLabelsMagic = 0x00000C02; // int32, 2 dimensions (QMNIST)
    internal const int ImageSize = 28;
    internal const int ClassCount = 10;

    internal static IdxImages ReadImages(string path)
    {
        using var stream = Open(path, out var compressed);
        var header = ReadHeader(stream, path, 16, compressed);
        CheckMagic(header, path, ImagesMagic, "images", 3);
        var count = ReadCount(header, 4, path);
        var rows = ReadCount(header, 8, path);
        var columns = ReadCount(header, 12, path);
        if (rows != ImageSize || columns != ImageSize)
        {
            throw Invalid(path, $"holds {rows}x{columns} images, expected {ImageSize}x{ImageSize}");
        }

        var length = (long)count * rows * columns;
        var what = $"{count} images of {rows}x{columns} bytes";
        if (length > Array.MaxLength)
        {
            throw Invalid(path, $"declares {what}, too large to load");
        }

        if (!compressed)
        {
            CheckRawLength(stream, path, length, what); // before allocating for what the header claims
        }

        var images = new IdxImages(count, rows, columns, length);
        try
        {
            ReadPayload(stream, path, images.Pixels, what, compressed);
            return images;
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    /// <summary>Labels of a dataset with 10 classes stored as 0..9 (MNIST's own files).</summary>
    internal static byte[] ReadLabels(string path) => ReadLabels(path, LabelFormat.Idx1Ubyte, 0, ClassCount);

    /// <summary>
    /// The class indices (label - <paramref name="firstLabel"/>) of a labels file; every label must lie in
    /// [<paramref name="firstLabel"/>, <paramref name="firstLabel"/> + <paramref name="classCount"/>).
    /// </summary>
    internal static byte[] ReadLabels(string path, LabelFormat format, int firstLabel, int classCount)
    {
        using var stream = Open(path, out var compressed);
        if (format == LabelFormat.Idx2Int)
        {
            return ReadExtendedLabels(stream, path, compressed, firstLabel, classCount);
        }

        var header = ReadHeader(stream, path, 8, compressed);
        CheckMagic(header, path, LabelsMagic, "labels", 1);
        var count = ReadCount(header, 4, path);
        if (!compressed)
        {
            CheckRawLength(stream, path, count, $"{count} labels"); // before allocating for what the header claims
        }

        var labels = new byte[count];
        ReadPayload(stream, path, labels, $"{count} labels", compressed);
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = ToClass(labels[i], i, path, firstLabel, classCount);
        }

        return labels;
    }

    /// <summary>QMNIST's extended labels: int32 (N, 8), big-endian, the class in column 0.</summary>
    private static byte[] ReadExtendedLabels(Stream stream, string path, bool compressed, int firstLabel, int classCount)
    {
        var header = ReadHeader(stream, path, 12, compressed);
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ExtendedLabelsMagic)
        {
            throw Invalid(path, $"is not an IDX file of 32-bit integers in two dimensions: magic number 0x{magic:X8}, expected 0x{ExtendedLabelsMagic:X8} (QMNIST's extended labels)");
        }

        var count = ReadCount(header, 4, path);
        var columns = ReadCount(header, 8, path);
        if (columns != 8)
        {
            throw Invalid(path, $"has {columns} columns of label information, expected 8 (QMNIST's extended labels)");
        }

        var what = $"{count} rows of 8 int32 labels";
        var length = (long)count * columns * sizeof(int);
        if (length > Array.MaxLength)
        {
            throw Invalid(path, $"declares {what}, too large to load");
        }

        if (!compressed)
        {
            CheckRawLength(stream, path, length, what); // before allocating for what the header claims
        }

        var raw = new byte[length];
        ReadPayload(stream, path, raw, what, compressed);
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = ToClass(BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(i * columns * sizeof(int))), i, path, firstLabel, classCount);
        }

        return labels;
    }

    private static byte ToClass(int label, int index, string path, int firstLabel, int classCount) =>
        label >= firstLabel && label < firstLabel + classCount
            ? (byte)(label - firstLabel)
            : throw Invalid(path, $"label {label} at index {index} is outside {firstLabel}..{firstLabel + classCount - 1}, the dataset's {classCount} classes");

    private static Stream Open(string path, out bool compressed)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        compressed = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return compressed ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
    }

    private static byte[] ReadHeader(Stream stream, string path, int length, bool compressed)
    {
        var header = new byte[length];
        var read = Fill(stream, header, path, compressed);
        if (read < length)
        {
            throw Invalid(path, $"is too short for an IDX header: {read} bytes, expected {length}");
        }

        return header;
    }

    private static void CheckMagic(byte[] header, string path, int expected, string what, int dimensions)
    {
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic == expected)
        {
            return;
        }

        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
        {
            throw Invalid(path, $"is not an IDX file of unsigned bytes: magic number 0x{magic:X8}, expected 0x{expected:X8} ({expected}, {what})");
        }

        throw Invalid(path, $"has {header[3]} dimensions (magic number {magic}), expected {dimensions} for {what} (magic number {expected})");
    }

    private static int ReadCount(byte[] header, int offset, string path)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset));
        return value <= int.MaxValue ? (int)value : throw Invalid(path, $"declares a dimension of {value}, larger than supported");
    }

    private static void ReadPayload(Stream stream, string path, Span<byte> data, string what, bool compressed)
    {
        long expected = data.Length;
        if (!compressed)
        {
            CheckRawLength(stream, path, expected, what);
        }

        var read = Fill(stream, data, path, compressed);
        if (read < expected)
        {
            throw Invalid(path, $"is truncated: the header promises {what} ({expected} bytes) but only {read} bytes follow");
        }

        Span<byte> probe = stackalloc byte[1];
        if (compressed && Fill(stream, probe, path, compressed) != 0)
        {
            throw Invalid(path, $"has data after the {what} ({expected} bytes) its header promises");
        }
    }

    private static void CheckRawLength(Stream stream, string path, long expected, string what)
    {
        var actual = stream.Length - stream.Position;
        if (actual != expected)
        {
            throw Invalid(path, actual < expected
                ? $"is truncated: the header promises {what} ({expected} bytes) but {actual} bytes follow"
                : $"has {actual - expected} bytes after the {what} ({expected} bytes) its header promises");
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; gzip damage becomes a named error.</summary>
    private static int Fill(Stream stream, Span<byte> buffer, string path, bool compressed)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e) when (compressed)
        {
            throw Invalid(path, $"is not a valid gzip stream ({e.Message})", e);
        }
    }

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"Dataset file '{path}' {problem}.", inner);
}
