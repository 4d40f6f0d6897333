using System.Buffers.Binary;
using System.IO.Compression;
using GanMnist.Imaging;

namespace GanMnist.Tests.Imaging;

/// <summary>An independent PNG reader for the tests: checks every CRC and undoes all five filter types.</summary>
internal static class PngDecoder
{
    public static (int Width, int Height, byte[] Pixels) DecodeGray(byte[] png)
    {
        png.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            crc.Should().Be(ReferenceCrc(png.AsSpan(at + 4, length + 4)), $"the CRC of {type}");
            if (type == "IHDR")
            {
                (width, height) = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[4..]));
                data[8].Should().Be(8);
                data[9].Should().Be(0);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (width + 1)];
            for (var x = 0; x < width; x++)
            {
                int a = x > 0 ? pixels[(y * width) + x - 1] : 0, b = y > 0 ? pixels[((y - 1) * width) + x] : 0, c = x > 0 && y > 0 ? pixels[((y - 1) * width) + x - 1] : 0;
                var p = a + b - c;
                var paeth = Math.Abs(p - a) <= Math.Abs(p - b) && Math.Abs(p - a) <= Math.Abs(p - c) ? a : Math.Abs(p - b) <= Math.Abs(p - c) ? b : c;
                var predictor = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, 4 => paeth, _ => throw new InvalidDataException("filter") };
                pixels[(y * width) + x] = (byte)(raw[(y * (width + 1)) + 1 + x] + predictor);
            }
        }

        return (width, height, pixels);
    }

    // Bitwise CRC-32, written independently of the encoder's table.
    private static uint ReferenceCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var d in data)
        {
            crc ^= d;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}

public sealed class PngTests
{
    [Fact]
    public void EncodeGray_DecodesBackToTheSamePixels()
    {
        var pixels = Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 37)).ToArray();

        var (width, height, decoded) = PngDecoder.DecodeGray(PngEncoder.EncodeGray(pixels, 7, 5));

        (width, height).Should().Be((7, 5));
        decoded.Should().Equal(pixels);
    }

    [Fact]
    public void Crc32_MatchesThePublishedCheckValue()
    {
        PngEncoder.Crc32("123456789"u8).Should().Be(0xCBF43926);
    }

    [Fact]
    public void ImageGrid_MapsMinusOneToBlackAndOneToWhite_WithGrayBorders()
    {
        using var images = tensor(new float[] { -1, 1, 0, 1 }, 1, 1, 2, 2);

        var (pixels, width, height) = ImageGrid.Compose(images, 1);

        (width, height).Should().Be((6, 6));
        pixels[(2 * 6) + 2].Should().Be(0);
        pixels[(2 * 6) + 3].Should().Be(255);
        pixels[(3 * 6) + 2].Should().Be(128);
        pixels[0].Should().Be(96);
    }

    [Fact]
    public void ImageGrid_Scaled_RepeatsEachPixelInABlock_KeepingTheTwoPixelBorder()
    {
        using var images = tensor(new float[] { -1, 1, 0, 1, 1, -1, -1, -1 }, 2, 1, 2, 2);

        var (pixels, width, height) = ImageGrid.Compose(images, 2, scale: 3);

        (width, height).Should().Be((2 * (6 + 2) + 2, 6 + 4));
        byte At(int x, int y) => pixels[(y * width) + x];
        // First image: black block at x, y in 2..4, white at 5..7; second image starts at x = 10.
        new[] { At(2, 2), At(4, 4), At(5, 2), At(7, 4), At(2, 5), At(7, 7) }.Should().Equal(0, 0, 255, 255, 128, 255);
        new[] { At(10, 2), At(13, 2), At(10, 5) }.Should().Equal(255, 0, 0);
        new[] { At(0, 0), At(8, 3), At(9, 3), At(3, 8) }.Should().AllBeEquivalentTo((byte)96);
        var act = () => ImageGrid.Compose(images, 2, scale: 0);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("scale");
    }

    [Fact]
    public void EncodeGray_WrongPixelCount_Throws()
    {
        var act = () => PngEncoder.EncodeGray(new byte[5], 2, 2);

        act.Should().Throw<ArgumentException>().WithMessage("5 pixels do not make a 2x2 image.*");
    }
}
