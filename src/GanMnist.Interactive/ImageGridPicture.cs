using GanMnist.Imaging;
using static TorchSharp.torch;

namespace GanMnist.Interactive;

/// <summary>A grid of images as a PNG, shown inline by a notebook (<c>display(ImageGridPicture.FromFile(path))</c>).</summary>
public sealed class ImageGridPicture
{
    private ImageGridPicture(byte[] png, int width, int height) => (Png, Width, Height) = (png, width, height);

    /// <summary>The PNG file's bytes.</summary>
    public byte[] Png { get; }

    /// <summary>Its width in pixels.</summary>
    public int Width { get; }

    /// <summary>Its height in pixels.</summary>
    public int Height { get; }

    /// <summary>Lays out images (N, 1, H, W) in [-1, 1] as <see cref="ImageGrid.Compose"/> does.</summary>
    /// <param name="images">The images.</param>
    /// <param name="columns">Images per row; by default ⌈√N⌉.</param>
    /// <param name="scale">The enlargement of each image, 1 to 32; <see cref="ImageGrid.LargeScale"/> by default.</param>
    /// <exception cref="ArgumentException">The images are not (N, 1, H, W).</exception>
    public static ImageGridPicture FromImages(Tensor images, int? columns = null, int scale = ImageGrid.LargeScale)
    {
        ArgumentNullException.ThrowIfNull(images);
        var count = images.dim() > 0 ? images.shape[0] : 0;
        var (pixels, width, height) = ImageGrid.Compose(images, columns ?? Math.Max(1, (int)Math.Ceiling(Math.Sqrt(count))), scale);
        return new ImageGridPicture(PngEncoder.EncodeGray(pixels, width, height), width, height);
    }

    /// <summary>A PNG file as it is (a run's <c>samples/epoch_NNNN@4x.png</c>, say).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a PNG (the message names it).</exception>
    public static ImageGridPicture FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new InvalidDataException($"'{path}' is not a PNG file (it does not start with the PNG signature).");
        }

        // IHDR is the first chunk: width and height, big-endian, at bytes 16 and 20.
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        return new ImageGridPicture(bytes, width, height);
    }

    /// <summary>An <c>img</c> element with the PNG inline (a data URI), drawn with sharp pixels.</summary>
    public string ToHtml() =>
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" width=\"{Width}\" height=\"{Height}\" style=\"image-rendering:pixelated\" alt=\"image grid\">";
}
