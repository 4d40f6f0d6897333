namespace GanMnist.Torch;

/// <summary>An error reported by libtorch; the message is libtorch's own. The process keeps running.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TorchException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The native shim or the libtorch it needs could not be loaded. The message lists every location
/// tried, why each failed, and what to install.
/// </summary>
public sealed class TorchNativeLibraryException : DllNotFoundException
{
    /// <summary>Creates the exception with the list of locations tried.</summary>
    public TorchNativeLibraryException(string message) : base(message) { }
}
