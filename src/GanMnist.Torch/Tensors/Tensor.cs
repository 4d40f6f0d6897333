using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>
    /// A libtorch tensor. Each instance owns one native handle, freed by <see cref="Dispose"/>, by the
    /// innermost <see cref="DisposeScope"/> open when it was created, or (last resort) by the finalizer.
    /// Every operation returns a new tensor owned by the caller.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        internal Tensor(IntPtr handle)
        {
            Handle = new TensorHandle(handle);
            DisposeScope.Current?.Add(this);
        }

        /// <summary>Native tensors currently owned by managed code, across all threads (for leak checks).</summary>
        public static long LiveCount => TensorHandle.Live;

        internal TensorHandle Handle { get; private set; }

        internal DisposeScope? Scope { get; set; }

        /// <summary>True once the native tensor has been freed.</summary>
        public bool IsDisposed => Handle.IsClosed;

        /// <summary>The element type.</summary>
        public ScalarType dtype => (ScalarType)Info().dtype;

        /// <summary>The device holding the data.</summary>
        public Device device
        {
            get
            {
                var info = Info();
                return new Device((DeviceType)info.deviceType, info.deviceIndex);
            }
        }

        /// <summary>Whether autograd records operations on this tensor. Setting it on a non-leaf throws.</summary>
        public bool requires_grad
        {
            get => Info().requiresGrad != 0;
            set => requires_grad_(value);
        }

        /// <summary>The size of each dimension.</summary>
        public unsafe long[] shape
        {
            get
            {
                var result = new long[dim()];
                fixed (long* p = result)
                {
                    NativeErrors.Check(NativeMethods.gmt_tensor_shape(Handle, p));
                }

                return result;
            }
        }

        /// <summary>The number of dimensions.</summary>
        public int dim() => Info().ndim;

        /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
        public long size(int dim)
        {
            var s = shape;
            return s[dim < 0 ? s.Length + dim : dim];
        }

        /// <summary>The number of elements.</summary>
        public long numel()
        {
            long n = 1;
            foreach (var d in shape)
            {
                n *= d;
            }

            return n;
        }

        /// <summary>The value of a one-element tensor (copied to the host).</summary>
        public T item<T>() where T : unmanaged
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_item(Handle, out var value));
            return (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Copies the elements, row-major, into <paramref name="destination"/> (from any device).</summary>
        /// <exception cref="ArgumentException"><typeparamref name="T"/> is not the tensor's element type, or the length differs.</exception>
        public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
        {
            var type = ScalarTypeOf<T>();
            if (type != dtype)
            {
                throw new ArgumentException($"The tensor holds {dtype} elements, not {type} ({typeof(T).Name}).", nameof(destination));
            }

            var n = numel();
            if (destination.Length != n)
            {
                throw new ArgumentException($"The destination holds {destination.Length} elements but the tensor has {n}.", nameof(destination));
            }

            fixed (T* p = destination)
            {
                NativeErrors.Check(NativeMethods.gmt_tensor_copy_to(Handle, p, n * sizeof(T)));
            }
        }

        /// <summary>The raw elements, row-major, in the machine's (little-endian) byte order, as TorchSharp's <c>bytes</c>.</summary>
        public unsafe byte[] bytes
        {
            get
            {
                var result = new byte[numel() * ElementSize(dtype)];
                fixed (byte* p = result)
                {
                    NativeErrors.Check(NativeMethods.gmt_tensor_copy_to(Handle, p, result.Length));
                }

                return result;
            }
        }

        /// <summary>The elements, row-major, in a new array.</summary>
        public T[] ToArray<T>() where T : unmanaged
        {
            var result = new T[numel()];
            CopyTo<T>(result);
            return result;
        }

        /// <summary>Frees the native tensor now. Safe to call more than once.</summary>
        public void Dispose()
        {
            Scope?.Remove(this);
            Handle.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Hands this tensor to the enclosing dispose scope, so it outlives the current one.</summary>
        public Tensor MoveToOuterDisposeScope() => Scope?.MoveToOuter(this) ?? this;

        /// <summary>Removes this tensor from its dispose scope: the caller now disposes it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            Scope?.Remove(this);
            return this;
        }

        /// <summary>Gives this object a new native tensor (used to move parameters between devices).</summary>
        internal void ReplaceHandle(IntPtr handle)
        {
            var old = Handle;
            Handle = new TensorHandle(handle);
            old.Dispose();
        }

        /// <summary>Shape, element type and device, e.g. <c>[2x3], type = Float32, device = cpu</c>.</summary>
        public override string ToString() =>
            IsDisposed ? "[disposed tensor]" : $"[{string.Join('x', shape)}], type = {dtype}, device = {device}";

        private (int dtype, int deviceType, int deviceIndex, int ndim, int requiresGrad) Info()
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_info(Handle, out var t, out var dt, out var di, out var nd, out var rg));
            return (t, dt, di, nd, rg);
        }

        internal static Tensor Wrap(IntPtr handle) => new(NativeErrors.Check(handle));

        internal static TensorHandle HandleOf(Tensor? tensor) => tensor?.Handle ?? TensorHandle.Null;

        /// <summary>Calls <paramref name="action"/> with the raw handles of <paramref name="tensors"/>, keeping them alive.</summary>
        internal static unsafe TResult WithHandles<TResult>(IReadOnlyList<Tensor> tensors, Func<IntPtr, int, TResult> action)
        {
            var refs = new bool[tensors.Count];
            var raw = new IntPtr[tensors.Count];
            try
            {
                for (var i = 0; i < raw.Length; i++)
                {
                    tensors[i].Handle.DangerousAddRef(ref refs[i]);
                    raw[i] = tensors[i].Handle.DangerousGetHandle();
                }

                fixed (IntPtr* p = raw)
                {
                    return action((IntPtr)p, raw.Length);
                }
            }
            finally
            {
                for (var i = 0; i < raw.Length; i++)
                {
                    if (refs[i])
                    {
                        tensors[i].Handle.DangerousRelease();
                    }
                }
            }
        }
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (1-D when none is given).</summary>
    /// <exception cref="ArgumentException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged =>
        tensor(new ReadOnlySpan<T>(data), shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A tensor holding a copy of <paramref name="data"/>, on <paramref name="device"/> (CPU by default).</summary>
    /// <exception cref="ArgumentException">The shape does not hold exactly <c>data.Length</c> elements.</exception>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.", nameof(shape));
            }

            n *= d;
        }

        if (n != data.Length)
        {
            throw new ArgumentException($"The data has {data.Length} elements but shape [{string.Join(", ", shape.ToArray())}] holds {n}.", nameof(shape));
        }

        device ??= CPU;
        device.EnsureAvailable();
        Tensor result;
        fixed (T* p = data)
        fixed (long* s = shape)
        {
            result = Tensor.Wrap(NativeMethods.gmt_tensor_from_data(p, s, shape.Length, (int)ScalarTypeOf<T>(), (int)device.type, device.index));
        }

        return requires_grad ? result.requires_grad_() : result;
    }

    /// <summary>A tensor of <paramref name="dtype"/> and <paramref name="shape"/> copied from raw little-endian bytes.</summary>
    /// <exception cref="ArgumentException">The byte count is not the element size times the element count.</exception>
    public static unsafe Tensor frombuffer(ReadOnlySpan<byte> buffer, long[] shape, ScalarType dtype, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Any(d => d < 0) || count * ElementSize(dtype) != buffer.Length)
        {
            throw new ArgumentException($"{buffer.Length} bytes do not hold a [{string.Join(", ", shape)}] {dtype} tensor ({count} x {ElementSize(dtype)} bytes).", nameof(buffer));
        }

        device ??= CPU;
        device.EnsureAvailable();
        fixed (byte* p = buffer)
        fixed (long* s = shape)
        {
            return Tensor.Wrap(NativeMethods.gmt_tensor_from_data(p, s, shape.Length, (int)dtype, (int)device.type, device.index));
        }
    }

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor tensor(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        full([], value, dtype, device);

    /// <summary>Whether two tensors have the same shape and elements.</summary>
    public static bool equal(Tensor a, Tensor b)
    {
        NativeErrors.Check(NativeMethods.gmt_tensor_equal(a.Handle, b.Handle, out var result));
        return result != 0;
    }
}
