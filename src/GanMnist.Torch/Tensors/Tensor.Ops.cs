using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.gmt_tensor_unary(Handle, (int)op));

        private Tensor Binary(Tensor other, BinaryOp op)
        {
            ArgumentNullException.ThrowIfNull(other);
            return Wrap(NativeMethods.gmt_tensor_binary(Handle, other.Handle, (int)op));
        }

        private Tensor Binary(double scalar, BinaryOp op, bool scalarFirst = false) =>
            Wrap(NativeMethods.gmt_tensor_binary_scalar(Handle, scalar, (int)op, scalarFirst ? 1 : 0));

        private Tensor Inplace(InplaceScalarOp op, double value)
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_inplace_scalar(Handle, (int)op, value));
            return this;
        }

        private unsafe Tensor Reduce(ReduceOp op, long[]? dims, bool keepdim)
        {
            dims ??= [];
            fixed (long* d = dims)
            {
                return Wrap(NativeMethods.gmt_tensor_reduce(Handle, (int)op, d, dims.Length, keepdim ? 1 : 0));
            }
        }

        /// <summary>Elementwise sum.</summary>
        public Tensor add(Tensor other) => Binary(other, BinaryOp.Add);
        /// <summary>Adds a scalar.</summary>
        public Tensor add(double other) => Binary(other, BinaryOp.Add);
        /// <summary>Elementwise difference.</summary>
        public Tensor sub(Tensor other) => Binary(other, BinaryOp.Sub);
        /// <summary>Subtracts a scalar.</summary>
        public Tensor sub(double other) => Binary(other, BinaryOp.Sub);
        /// <summary>Elementwise product.</summary>
        public Tensor mul(Tensor other) => Binary(other, BinaryOp.Mul);
        /// <summary>Multiplies by a scalar.</summary>
        public Tensor mul(double other) => Binary(other, BinaryOp.Mul);
        /// <summary>Elementwise quotient.</summary>
        public Tensor div(Tensor other) => Binary(other, BinaryOp.Div);
        /// <summary>Divides by a scalar.</summary>
        public Tensor div(double other) => Binary(other, BinaryOp.Div);
        /// <summary>Elementwise power.</summary>
        public Tensor pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
        /// <summary>Raises every element to a scalar power.</summary>
        public Tensor pow(double exponent) => Binary(exponent, BinaryOp.Pow);
        /// <summary>Elementwise maximum.</summary>
        public Tensor maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
        /// <summary>Elementwise minimum.</summary>
        public Tensor minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
        /// <summary>Elementwise equality (bool tensor).</summary>
        public Tensor eq(Tensor other) => Binary(other, BinaryOp.Eq);
        /// <summary>Elementwise equality with a scalar (bool tensor).</summary>
        public Tensor eq(double other) => Binary(other, BinaryOp.Eq);
        /// <summary>Elementwise inequality (bool tensor).</summary>
        public Tensor ne(Tensor other) => Binary(other, BinaryOp.Ne);
        /// <summary>Elementwise inequality with a scalar (bool tensor).</summary>
        public Tensor ne(double other) => Binary(other, BinaryOp.Ne);
        /// <summary>Elementwise less-than (bool tensor).</summary>
        public Tensor lt(Tensor other) => Binary(other, BinaryOp.Lt);
        /// <summary>Elementwise less-than a scalar (bool tensor).</summary>
        public Tensor lt(double other) => Binary(other, BinaryOp.Lt);
        /// <summary>Elementwise less-or-equal (bool tensor).</summary>
        public Tensor le(Tensor other) => Binary(other, BinaryOp.Le);
        /// <summary>Element-wise ≤ a scalar (bool).</summary>
        public Tensor le(double other) => Binary(other, BinaryOp.Le);
        /// <summary>Elementwise greater-than (bool tensor).</summary>
        public Tensor gt(Tensor other) => Binary(other, BinaryOp.Gt);
        /// <summary>Elementwise greater-than a scalar (bool tensor).</summary>
        public Tensor gt(double other) => Binary(other, BinaryOp.Gt);
        /// <summary>Elementwise greater-or-equal (bool tensor).</summary>
        public Tensor ge(Tensor other) => Binary(other, BinaryOp.Ge);
        /// <summary>Element-wise ≥ a scalar (bool).</summary>
        public Tensor ge(double other) => Binary(other, BinaryOp.Ge);

        /// <summary>Negation.</summary>
        public Tensor neg() => Unary(UnaryOp.Neg);
        /// <summary>Absolute value.</summary>
        public Tensor abs() => Unary(UnaryOp.Abs);
        /// <summary>Square root.</summary>
        public Tensor sqrt() => Unary(UnaryOp.Sqrt);
        /// <summary>Exponential.</summary>
        public Tensor exp() => Unary(UnaryOp.Exp);
        /// <summary>Natural logarithm.</summary>
        public Tensor log() => Unary(UnaryOp.Log);
        /// <summary>Square.</summary>
        public Tensor square() => Unary(UnaryOp.Square);
        /// <summary>Sign (-1, 0 or 1).</summary>
        public Tensor sign() => Unary(UnaryOp.Sign);
        /// <summary>max(x, 0).</summary>
        public Tensor relu() => Unary(UnaryOp.Relu);
        /// <summary>Hyperbolic tangent.</summary>
        public Tensor tanh() => Unary(UnaryOp.Tanh);
        /// <summary>Logistic sigmoid.</summary>
        public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
        /// <summary>log(1 + exp(x)), computed stably.</summary>
        public Tensor softplus() => Unary(UnaryOp.Softplus);
        /// <summary>log(sigmoid(x)), computed stably.</summary>
        public Tensor log_sigmoid() => Unary(UnaryOp.LogSigmoid);

        /// <summary>Clamps every element into [min, max]; a null bound is not applied.</summary>
        public Tensor clamp(double? min = null, double? max = null) =>
            Wrap(NativeMethods.gmt_tensor_clamp(Handle, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0));

        /// <summary>Matrix product with broadcasting, as <c>torch.matmul</c>.</summary>
        public Tensor matmul(Tensor other) => Wrap(NativeMethods.gmt_tensor_matmul(Handle, other.Handle));

        /// <summary>Sum of all elements.</summary>
        public Tensor sum() => Reduce(ReduceOp.Sum, null, false);
        /// <summary>Sum over the given dimensions.</summary>
        public Tensor sum(long[] dim, bool keepdim = false) => Reduce(ReduceOp.Sum, dim, keepdim);
        /// <summary>Mean of all elements.</summary>
        public Tensor mean() => Reduce(ReduceOp.Mean, null, false);
        /// <summary>Mean over the given dimensions.</summary>
        public Tensor mean(long[] dim, bool keepdim = false) => Reduce(ReduceOp.Mean, dim, keepdim);
        /// <summary>Maximum over the given dimensions (all when none).</summary>
        public Tensor amax(long[]? dim = null, bool keepdim = false) => Reduce(ReduceOp.Amax, dim, keepdim);
        /// <summary>Minimum over the given dimensions (all when none).</summary>
        public Tensor amin(long[]? dim = null, bool keepdim = false) => Reduce(ReduceOp.Amin, dim, keepdim);

        /// <summary>Index of the largest element, over all elements or along <paramref name="dim"/>.</summary>
        public Tensor argmax(long? dim = null, bool keepdim = false) =>
            Wrap(NativeMethods.gmt_tensor_argmax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepdim ? 1 : 0));

        /// <summary>The <paramref name="k"/> largest (or smallest) entries along <paramref name="dim"/> and their int64 indices.</summary>
        public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var values, out var indices));
            return (new Tensor(values), new Tensor(indices));
        }

        /// <summary>Adds a scalar in place.</summary>
        public Tensor add_(double value) => Inplace(InplaceScalarOp.Add, value);
        /// <summary>Subtracts a scalar in place.</summary>
        public Tensor sub_(double value) => Inplace(InplaceScalarOp.Sub, value);
        /// <summary>Divides by a scalar in place.</summary>
        public Tensor div_(double value) => Inplace(InplaceScalarOp.Div, value);
        /// <summary>Multiplies by a scalar in place.</summary>
        public Tensor mul_(double value) => Inplace(InplaceScalarOp.Mul, value);
        /// <summary>Sets every element to <paramref name="value"/>.</summary>
        public Tensor fill_(double value) => Inplace(InplaceScalarOp.Fill, value);
        /// <summary>Sets every element to zero.</summary>
        public Tensor zero_() => Inplace(InplaceScalarOp.Fill, 0);

        /// <summary>Copies <paramref name="source"/> into this tensor (broadcasting, converting type and device).</summary>
        public Tensor copy_(Tensor source)
        {
            NativeErrors.Check(NativeMethods.gmt_tensor_copy_(Handle, source.Handle));
            return this;
        }

        /// <summary>A second handle to this very tensor (same storage, same autograd identity).</summary>
        internal Tensor Alias() => Wrap(NativeMethods.gmt_tensor_alias(Handle));

        /// <summary>A copy with its own storage.</summary>
        public Tensor clone() => Wrap(NativeMethods.gmt_tensor_clone(Handle));

        /// <summary>The same data laid out contiguously (the same storage when it already is).</summary>
        public Tensor contiguous() => Wrap(NativeMethods.gmt_tensor_contiguous(Handle));

        /// <summary>Converts the element type and moves to <paramref name="device"/>; <paramref name="copy"/> forces new storage.</summary>
        public Tensor to(ScalarType type, Device device, bool copy = false)
        {
            device.EnsureAvailable();
            return Wrap(NativeMethods.gmt_tensor_to(Handle, (int)type, (int)device.type, device.index, copy ? 1 : 0));
        }

        /// <summary>Moves to <paramref name="device"/>.</summary>
        public Tensor to(Device device) => to(dtype, device);
        /// <summary>Converts the element type.</summary>
        public Tensor to(ScalarType type) => to(type, device);
        /// <summary>A copy on the CPU (or this data, when already there).</summary>
        public Tensor cpu() => to(CPU);

        /// <summary>A view with a new shape (one dimension may be -1); throws when the layout does not allow a view.</summary>
        public unsafe Tensor view(params long[] shape)
        {
            fixed (long* s = shape)
            {
                return Wrap(NativeMethods.gmt_tensor_reshape(Handle, s, shape.Length, 1));
            }
        }

        /// <summary>The data with a new shape (a view when possible, else a copy).</summary>
        public unsafe Tensor reshape(params long[] shape)
        {
            fixed (long* s = shape)
            {
                return Wrap(NativeMethods.gmt_tensor_reshape(Handle, s, shape.Length, 0));
            }
        }

        /// <summary>Merges dimensions <paramref name="start_dim"/>..<paramref name="end_dim"/> into one.</summary>
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => Wrap(NativeMethods.gmt_tensor_flatten(Handle, start_dim, end_dim));

        /// <summary>Reorders the dimensions.</summary>
        public unsafe Tensor permute(params long[] dims)
        {
            fixed (long* d = dims)
            {
                return Wrap(NativeMethods.gmt_tensor_permute(Handle, d, dims.Length));
            }
        }

        /// <summary>Swaps two dimensions.</summary>
        public Tensor transpose(long dim0, long dim1) => Wrap(NativeMethods.gmt_tensor_transpose(Handle, dim0, dim1));
        /// <summary>Inserts a dimension of size one.</summary>
        public Tensor unsqueeze(long dim) => Wrap(NativeMethods.gmt_tensor_unsqueeze(Handle, dim));
        /// <summary>Removes dimension <paramref name="dim"/> when its size is one.</summary>
        public Tensor squeeze(long dim) => Wrap(NativeMethods.gmt_tensor_squeeze(Handle, dim));
        /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
        public Tensor narrow(long dim, long start, long length) => Wrap(NativeMethods.gmt_tensor_narrow(Handle, dim, start, length));
        /// <summary>The entries of <paramref name="dim"/> at the int64 <paramref name="index"/> (a gather, not a view).</summary>
        public Tensor index_select(long dim, Tensor index) => Wrap(NativeMethods.gmt_tensor_index_select(Handle, dim, index.Handle));

        /// <summary>Elementwise sum.</summary>
        public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
        /// <summary>Adds a scalar.</summary>
        public static Tensor operator +(Tensor left, double right) => left.add(right);
        /// <summary>Adds a scalar.</summary>
        public static Tensor operator +(double left, Tensor right) => right.add(left);
        /// <summary>Elementwise difference.</summary>
        public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
        /// <summary>Subtracts a scalar.</summary>
        public static Tensor operator -(Tensor left, double right) => left.sub(right);
        /// <summary>Subtracts from a scalar.</summary>
        public static Tensor operator -(double left, Tensor right) => right.Binary(left, BinaryOp.Sub, scalarFirst: true);
        /// <summary>Elementwise product.</summary>
        public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
        /// <summary>Multiplies by a scalar.</summary>
        public static Tensor operator *(Tensor left, double right) => left.mul(right);
        /// <summary>Multiplies by a scalar.</summary>
        public static Tensor operator *(double left, Tensor right) => right.mul(left);
        /// <summary>Elementwise quotient.</summary>
        public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
        /// <summary>Divides by a scalar.</summary>
        public static Tensor operator /(Tensor left, double right) => left.div(right);
        /// <summary>Divides a scalar elementwise.</summary>
        public static Tensor operator /(double left, Tensor right) => right.Binary(left, BinaryOp.Div, scalarFirst: true);
        /// <summary>Negation.</summary>
        public static Tensor operator -(Tensor tensor) => tensor.neg();
    }
}
