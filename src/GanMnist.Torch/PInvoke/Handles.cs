using System.Runtime.InteropServices;

namespace GanMnist.Torch.PInvoke;

/// <summary>
/// Owns one native <c>at::Tensor</c> handle. Released exactly once (by Dispose or, as a last resort,
/// the finalizer), and counted so tests can prove that nothing leaks.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long _live;

    /// <summary>The handle passed for an absent optional tensor (NULL on the native side).</summary>
    internal static readonly TensorHandle Null = new();

    private TensorHandle() : base(IntPtr.Zero, ownsHandle: false) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        Interlocked.Increment(ref _live);
    }

    /// <summary>Native tensors currently owned by managed code.</summary>
    internal static long Live => Interlocked.Read(ref _live);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        NativeMethods.gmt_tensor_dispose(handle);
        Interlocked.Decrement(ref _live);
        return true;
    }
}

/// <summary>Owns one native <c>at::Generator</c> handle.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    /// <summary>The handle passed to use libtorch's default generator (NULL on the native side).</summary>
    internal static readonly GeneratorHandle Null = new();

    private GeneratorHandle() : base(IntPtr.Zero, ownsHandle: false) { }

    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        NativeMethods.gmt_generator_dispose(handle);
        return true;
    }
}
