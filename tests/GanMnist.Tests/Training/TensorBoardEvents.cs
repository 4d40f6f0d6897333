using Google.Protobuf;

namespace GanMnist.Tests.Training;

/// <summary>One summary value read back from an event file: its step, tag, and a scalar, image or text payload.</summary>
internal sealed record TensorBoardValue(long Step, string Tag, float? Scalar, byte[]? Image, int ImageWidth, int ImageHeight, byte[] Raw);

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing (length, masked CRC-32C of the length,
/// data, masked CRC-32C of the data; every CRC checked), then Event/Summary protos by field number from TensorBoard's
/// event.proto and summary.proto, with protobuf's generic wire reader.
/// </summary>
internal static class TensorBoardEvents
{
    public static List<TensorBoardValue> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new List<TensorBoardValue>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var length = BitConverter.ToUInt64(bytes, offset);
            Check(bytes.AsSpan(offset, 8), BitConverter.ToUInt32(bytes, offset + 8), path, offset, "length");
            var data = bytes.AsSpan(offset + 12, (int)length);
            Check(data, BitConverter.ToUInt32(bytes, offset + 12 + (int)length), path, offset, "data");
            values.AddRange(ParseEvent(data.ToArray()));
            offset += 12 + (int)length + 4;
        }

        return values;
    }

    /// <summary>Every record's Event header fields: wall time (field 1, double), step (2) and file version (3), in file order.</summary>
    public static List<(double WallTime, long Step, string? FileVersion)> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<(double, long, string?)>();
        for (var offset = 0; offset < bytes.Length;)
        {
            var length = (int)BitConverter.ToUInt64(bytes, offset);
            var input = new CodedInputStream(bytes.AsSpan(offset + 12, length).ToArray());
            var (wallTime, step, version) = (double.NaN, 0L, (string?)null);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: wallTime = input.ReadDouble(); break;
                    case 2: step = input.ReadInt64(); break;
                    case 3: version = input.ReadString(); break;
                    default: input.SkipLastField(); break;
                }
            }

            records.Add((wallTime, step, version));
            offset += 12 + length + 4;
        }

        return records;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static void Check(ReadOnlySpan<byte> data, uint stored, string path, int offset, string what)
    {
        var crc = Crc32C(data);
        var masked = unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
        if (masked != stored)
        {
            throw new InvalidDataException($"'{path}': record at byte {offset} has a {what} CRC of 0x{stored:X8}, computed 0x{masked:X8}.");
        }
    }

    // Event: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary (Summary).
    private static IEnumerable<TensorBoardValue> ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        long step = 0;
        var summaries = new List<byte[]>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 2: step = input.ReadInt64(); break;
                case 5: summaries.Add(input.ReadBytes().ToByteArray()); break;
                default: input.SkipLastField(); break;
            }
        }

        return summaries.SelectMany(s => ParseSummary(s, step)).ToList();
    }

    // Summary: 1 value (repeated Value). Value: 1 tag, 2 simple_value (float), 4 image (Image), 8 tensor, 9 metadata.
    private static IEnumerable<TensorBoardValue> ParseSummary(byte[] data, long step)
    {
        var input = new CodedInputStream(data);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                input.SkipLastField();
                continue;
            }

            var raw = input.ReadBytes().ToByteArray();
            var value = new CodedInputStream(raw);
            string name = string.Empty;
            float? scalar = null;
            byte[]? image = null;
            var (width, height) = (0, 0);
            uint field;
            while ((field = value.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(field))
                {
                    case 1: name = value.ReadString(); break;
                    case 2: scalar = value.ReadFloat(); break;
                    case 4: (image, width, height) = ParseImage(value.ReadBytes().ToByteArray()); break;
                    default: value.SkipLastField(); break;
                }
            }

            yield return new TensorBoardValue(step, name, scalar, image, width, height, raw);
        }
    }

    // Image: 1 height, 2 width, 3 colorspace, 4 encoded_image_string.
    private static (byte[] Png, int Width, int Height) ParseImage(byte[] data)
    {
        var input = new CodedInputStream(data);
        var (width, height) = (0, 0);
        var png = Array.Empty<byte>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: height = input.ReadInt32(); break;
                case 2: width = input.ReadInt32(); break;
                case 4: png = input.ReadBytes().ToByteArray(); break;
                default: input.SkipLastField(); break;
            }
        }

        return (png, width, height);
    }
}
