using System.Runtime.InteropServices;
using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

/// <summary>
/// The entry point of the binding, named and shaped like TorchSharp's <c>torch</c> class
/// (<c>using static GanMnist.Torch.torch;</c> then <c>randn(...)</c>, <c>nn.Linear(...)</c>).
/// </summary>
public static partial class torch
{
    /// <summary>The version of the libtorch the native shim was compiled against, e.g. <c>1.13.0</c>.</summary>
    public static string __version__ { get; } = Marshal.PtrToStringUTF8(NativeMethods.gmt_version()) ?? "unknown";

    /// <summary>The number of threads libtorch uses for intra-op parallelism.</summary>
    public static int get_num_threads() => NativeMethods.gmt_get_num_threads();

    /// <summary>Sets the number of threads libtorch uses for intra-op parallelism (process-wide).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static void set_num_threads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        NativeErrors.Check(NativeMethods.gmt_set_num_threads(threads));
    }

    private static unsafe Tensor Factory(FactoryKind kind, long[] size, ScalarType? dtype, Device? device, double a = 0, double b = 0,
        Generator? generator = null, bool requires_grad = false)
    {
        device ??= CPU;
        device.EnsureAvailable();
        Tensor result;
        fixed (long* s = size)
        {
            result = Tensor.Wrap(NativeMethods.gmt_tensor_factory((int)kind, s, size.Length, (int)(dtype ?? ScalarType.Float32),
                (int)device.type, device.index, a, b, Generator.HandleOf(generator)));
        }

        return requires_grad ? result.requires_grad_() : result;
    }

    /// <summary>Zeros of the given shape (float32 on the CPU unless told otherwise).</summary>
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Factory(FactoryKind.Zeros, size, dtype, device, requires_grad: requires_grad);

    /// <summary>Ones of the given shape.</summary>
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Factory(FactoryKind.Ones, size, dtype, device, requires_grad: requires_grad);

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor full(long[] size, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Factory(FactoryKind.Full, size, dtype, device, value, requires_grad: requires_grad);

    /// <summary>An uninitialised tensor of the given shape.</summary>
    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Factory(FactoryKind.Empty, size, dtype, device, requires_grad: requires_grad);

    /// <summary>Uniform samples in [0, 1), from <paramref name="generator"/> or the default generator.</summary>
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        Factory(FactoryKind.Rand, size, dtype, device, generator: generator);

    /// <summary>Standard normal samples, from <paramref name="generator"/> or the default generator.</summary>
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        Factory(FactoryKind.Randn, size, dtype, device, generator: generator);

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor normal(double mean, double std, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        Factory(FactoryKind.Normal, size, dtype, device, mean, std, generator);

    /// <summary>Integers uniform in [<paramref name="low"/>, <paramref name="high"/>) (int64 unless told otherwise).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        Factory(FactoryKind.Randint, size, dtype ?? ScalarType.Int64, device, low, high, generator);

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    public static Tensor randperm(long n, Device? device = null, Generator? generator = null)
    {
        device ??= CPU;
        device.EnsureAvailable();
        return Tensor.Wrap(NativeMethods.gmt_tensor_randperm(n, (int)ScalarType.Int64, (int)device.type, device.index, Generator.HandleOf(generator)));
    }

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Stacks tensors of equal shape along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack) =>
        Tensor.Wrap(Tensor.WithHandles(tensors, (p, n) => NativeMethods.gmt_tensor_cat((IntPtr*)p, n, dim, stack ? 1 : 0)));

    /// <summary>Matrix product with broadcasting.</summary>
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
}
