using System.Runtime.InteropServices;

namespace GanMnist.Torch.PInvoke;

/// <summary>Turns the shim's failure results into <see cref="TorchException"/>s carrying libtorch's message.</summary>
internal static class NativeErrors
{
    /// <summary>Returns <paramref name="handle"/>, or throws the pending native error when it is null.</summary>
    internal static IntPtr Check(IntPtr handle) => handle != IntPtr.Zero ? handle : throw Take();

    /// <summary>Throws the pending native error when <paramref name="status"/> is not 0.</summary>
    internal static void Check(int status)
    {
        if (status != 0)
        {
            throw Take();
        }
    }

    /// <summary>Reads and clears this thread's native error message.</summary>
    internal static TorchException Take()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.gmt_last_error()) ?? "libtorch reported a failure without a message";
        NativeMethods.gmt_clear_error();
        return new TorchException(message);
    }
}
