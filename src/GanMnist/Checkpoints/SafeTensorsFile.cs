using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Checkpoints;

/// <summary>Tensors and string metadata read from a safetensors file. Dispose frees the tensors.</summary>
public sealed class SafeTensorsContent : IDisposable
{
    internal SafeTensorsContent(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        (Tensors, Metadata) = (tensors, metadata);

    /// <summary>The tensors by name, in the order of their data.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The metadata value of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The key is missing.</exception>
    public string Require(string key, string source) =>
        Metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"'{source}' has no '{key}' in its __metadata__.");

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors.Values)
        {
            t.Dispose();
        }
    }
}

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// mapping each tensor name to dtype, shape and data_offsets (plus an optional <c>__metadata__</c> map of
/// strings), then the raw little-endian row-major bytes. No code runs on load. Reading validates the file
/// completely before returning anything; writing is atomic.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>The largest header accepted (as the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (from any device) and <paramref name="metadata"/> to
    /// <paramref name="path"/>: into a temporary file in the same folder, flushed to disk, then renamed over
    /// the final name, so the previous file stays intact if the process dies mid-write.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or reserved, or a dtype has no safetensors name.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, tensors, metadata, beforeRename: null);

    internal static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, Action? beforeRename)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        // Sizes come from shapes and dtypes; each tensor's bytes are copied to the file one tensor at a time, so a
        // checkpoint never sits in managed memory whole (tens of megabytes of large-object garbage per write).
        var entries = new List<(string Name, string DType, long[] Shape, long Length, Tensor Tensor)>();
        foreach (var (name, t) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException($"Tensor name '{name}' is empty, reserved or repeated.", nameof(tensors));
            }

            var dtype = DTypes.FirstOrDefault(d => d.Value == t.dtype).Key
                ?? throw new ArgumentException($"Tensor '{name}' has dtype {t.dtype}, which safetensors cannot store.", nameof(tensors));
            entries.Add((name, dtype, t.shape, t.numel() * ElementSize(t.dtype), t));
        }

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, dtype, shape, bytes, _) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var d in shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                file.Write(length);
                header.Position = 0;
                header.CopyTo(file);
                foreach (var entry in entries)
                {
                    using var scope = NewDisposeScope();
                    file.Write(entry.Tensor.detach().cpu().contiguous().bytes);
                }

                file.Flush(flushToDisk: true);
            }

            beforeRename?.Invoke();
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IO.AtomicFile.Failed(path, e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads and validates a safetensors file; the tensors are created on <paramref name="device"/> (CPU by default).</summary>
    /// <exception cref="InvalidDataException">The file breaks the format; the message names the file and the field or tensor.</exception>
    public static SafeTensorsContent Read(string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllBytes(path), path, device ?? CPU);
    }

    private static SafeTensorsContent Parse(byte[] file, string source, Device device)
    {
        if (file.Length < 8)
        {
            throw Invalid(source, $"is truncated: {file.Length} bytes, shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid(source, $"declares a header of {headerLength} bytes, over the cap of {MaxHeaderBytes}");
        }

        if (8 + (long)headerLength > file.Length)
        {
            throw Invalid(source, $"declares a header of {headerLength} bytes, which runs past the end of the file ({file.Length} bytes)");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file, 8, (int)headerLength);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(source, "has a header that is not valid UTF-8");
        }

        if (!text.StartsWith('{'))
        {
            throw Invalid(source, "has a header that is not a JSON object (it must start with '{')");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"has a header that is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var dataStart = 8 + (long)headerLength;
            var dataLength = file.Length - dataStart;
            var (metadata, entries) = ParseHeader(document.RootElement, source);
            CheckOffsets(entries, dataLength, source);
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var e in entries.OrderBy(e => e.Begin))
                {
                    tensors[e.Name] = TensorExtensions.FromBytes(file.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin)), e.Shape, e.DType, device).DetachFromDisposeScope();
                }
            }
            catch
            {
                foreach (var t in tensors.Values)
                {
                    t.Dispose();
                }

                throw;
            }

            return new SafeTensorsContent(tensors, metadata);
        }
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1, // Int8, Byte, Bool
    };

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    private static (Dictionary<string, string> Metadata, List<Entry> Entries) ParseHeader(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, "has a header that is not a JSON object");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw Invalid(source, $"names '{property.Name}' twice in its header");
            }

            if (property.Name == MetadataKey)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid(source, "has a __metadata__ that is not an object");
                }

                foreach (var item in property.Value.EnumerateObject())
                {
                    if (item.Value.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(source, $"has a __metadata__ value for '{item.Name}' that is not a string");
                    }

                    if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                    {
                        throw Invalid(source, $"names '{item.Name}' twice in its __metadata__");
                    }
                }

                continue;
            }

            entries.Add(ParseEntry(property, source));
        }

        return (metadata, entries);
    }

    private static Entry ParseEntry(JsonProperty property, string source)
    {
        var name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"describes tensor '{name}' with something that is not an object");
        }

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Invalid(source, $"gives tensor '{name}' no dtype");
        }

        var dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
        {
            throw Invalid(source, $"gives tensor '{name}' the unknown dtype '{dtypeName}' (known: {string.Join(", ", DTypes.Keys)})");
        }

        var shape = Integers(value, "shape", name, source, count: null);
        var offsets = Integers(value, "data_offsets", name, source, count: 2);
        if (offsets[1] < offsets[0])
        {
            throw Invalid(source, $"gives tensor '{name}' data_offsets [{offsets[0]}, {offsets[1]}] that end before they begin");
        }

        var elements = shape.Aggregate(1L, (a, b) => checked(a * b));
        var expected = elements * ElementSize(dtype);
        if (offsets[1] - offsets[0] != expected)
        {
            throw Invalid(source, $"gives tensor '{name}' {offsets[1] - offsets[0]} bytes, but a [{string.Join(", ", shape)}] {dtypeName} tensor has {expected}");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement value, string field, string name, string source, int? count)
    {
        if (!value.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array
            || (count is { } n && array.GetArrayLength() != n))
        {
            throw Invalid(source, $"gives tensor '{name}' no valid {field} (an array of {(count is { } c ? $"{c} " : string.Empty)}non-negative integers)");
        }

        var result = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
            {
                throw Invalid(source, $"gives tensor '{name}' a {field} entry that is not a non-negative integer ({item.GetRawText()})");
            }

            result[i++] = v;
        }

        return result;
    }

    /// <summary>Sorted by begin, the tensors must tile the data section exactly: no gap, no overlap, no trailing bytes.</summary>
    private static void CheckOffsets(List<Entry> entries, long dataLength, string source)
    {
        long position = 0;
        string? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != position)
            {
                throw Invalid(source, e.Begin > position
                    ? $"leaves a gap: tensor '{e.Name}' starts at byte {e.Begin} but {(previous is null ? "the data starts" : $"tensor '{previous}' ends")} at {position}"
                    : $"has overlapping tensors: '{e.Name}' starts at byte {e.Begin}, inside '{previous}' (which ends at {position})");
            }

            position = e.End;
            previous = e.Name;
        }

        if (position > dataLength)
        {
            throw Invalid(source, $"is truncated: tensor '{previous}' ends at byte {position} of the data, which has only {dataLength}");
        }

        if (position < dataLength)
        {
            throw Invalid(source, $"has {dataLength - position} trailing bytes after the last tensor");
        }
    }

    private static InvalidDataException Invalid(string source, string problem) => new($"Safetensors file '{source}' {problem}.");
}
