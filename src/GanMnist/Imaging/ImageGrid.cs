using GanMnist.IO;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Imaging;

/// <summary>Lays out single-channel images in [-1, 1] as a grid and writes it as a PNG.</summary>
public static class ImageGrid
{
    private const int Padding = 2;
    private const byte Border = 96;

    /// <summary>How much a run's large sample grids (<c>samples/epoch_NNNN@4x.png</c>) enlarge each digit: a 28-pixel digit becomes 112 pixels.</summary>
    public const int LargeScale = 4;

    /// <summary>
    /// The grid's pixels: images (N, 1, H, W) in [-1, 1], <paramref name="columns"/> per row, each enlarged
    /// <paramref name="scale"/> times by nearest neighbour (every pixel a scale × scale block), separated by a 2-pixel gray
    /// border; values are mapped to 0..255 as round((x + 1) / 2 · 255).
    /// </summary>
    /// <param name="images">The images, (N, 1, H, W), any float dtype and device.</param>
    /// <param name="columns">Images per row, 1 or more.</param>
    /// <param name="scale">The enlargement, 1 (raw size) to 32.</param>
    /// <returns>The pixels, row-major, and the grid's width and height: columns · (W · scale + 2) + 2 by rows · (H · scale + 2) + 2.</returns>
    /// <exception cref="ArgumentException">The images are not (N, 1, H, W).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is below 1, or <paramref name="scale"/> outside 1..32.</exception>
    public static (byte[] Pixels, int Width, int Height) Compose(Tensor images, int columns, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.shape;
        if (shape.Length != 4 || shape[1] != 1)
        {
            throw new ArgumentException($"A grid takes (N, 1, H, W) images; got {images}.", nameof(images));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 32);
        var (count, sourceHeight, sourceWidth) = ((int)shape[0], (int)shape[2], (int)shape[3]);
        var (height, width) = (sourceHeight * scale, sourceWidth * scale);
        var rows = (count + columns - 1) / columns;
        var gridWidth = (columns * (width + Padding)) + Padding;
        var gridHeight = (rows * (height + Padding)) + Padding;
        float[] values;
        using (var detached = images.detach())
        using (var cpu = detached.to(ScalarType.Float32, CPU))
        {
            values = cpu.ToArray<float>();
        }

        var pixels = new byte[gridWidth * gridHeight];
        Array.Fill(pixels, Border);
        for (var i = 0; i < count; i++)
        {
            var (top, left) = ((i / columns * (height + Padding)) + Padding, (i % columns * (width + Padding)) + Padding);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var v = values[(i * sourceHeight * sourceWidth) + (y / scale * sourceWidth) + (x / scale)];
                    pixels[((top + y) * gridWidth) + left + x] = Data.IdxFile.ToByte(v);
                }
            }
        }

        return (pixels, gridWidth, gridHeight);
    }

    /// <summary>Writes the images as a PNG grid (atomically: a temporary file renamed into place), laid out as <see cref="Compose"/> does.</summary>
    public static void Save(Tensor images, int columns, string path, int scale = 1)
    {
        var (pixels, width, height) = Compose(images, columns, scale);
        AtomicFile.WriteAllBytes(path, PngEncoder.EncodeGray(pixels, width, height));
    }
}
