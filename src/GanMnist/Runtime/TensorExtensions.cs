using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Runtime;

/// <summary>Copies between tensors and managed arrays.</summary>
internal static class TensorExtensions
{
    /// <summary>The elements of <paramref name="tensor"/> in row-major order, copied to a new array (from any device).</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not the tensor's element type.</exception>
    public static T[] ToArray<T>(this Tensor tensor)
        where T : unmanaged
    {
        using var scope = NewDisposeScope();
        return tensor.cpu().contiguous().data<T>().ToArray();
    }

    /// <summary>A new tensor of <paramref name="shape"/> and <paramref name="dtype"/> holding a copy of <paramref name="bytes"/> (row-major), on <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="ArgumentException">The byte count is not the shape's element count times the dtype's size.</exception>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var t = empty(shape, dtype);
        var target = t.bytes;
        if (target.Length != bytes.Length)
        {
            throw new ArgumentException($"{bytes.Length} bytes do not fill a [{string.Join(", ", shape)}] {dtype} tensor ({target.Length} bytes).", nameof(bytes));
        }

        bytes.CopyTo(target);
        return (device is null || device.type == DeviceType.CPU ? t : t.to(device)).MoveToOuterDisposeScope();
    }
}
