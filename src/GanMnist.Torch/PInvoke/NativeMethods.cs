using System.Runtime.InteropServices;

namespace GanMnist.Torch.PInvoke;

/// <summary>
/// Declarations of the shim's C ABI (native/include/gmt.h). Functions returning a handle return
/// <see cref="IntPtr.Zero"/> on failure and functions returning <c>int</c> return -1; either way
/// <see cref="NativeErrors"/> turns the per-thread native message into a <see cref="TorchException"/>.
/// </summary>
internal static partial class NativeMethods
{
    internal const string LibraryName = "GanMnistTorchNative";

    static NativeMethods() => NativeLibraryResolver.Register(typeof(NativeMethods).Assembly);

    // errors and runtime
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_last_error();
    [LibraryImport(LibraryName)] internal static partial void gmt_clear_error();
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_version();
    [LibraryImport(LibraryName)] internal static partial int gmt_cuda_runtime_version();
    [LibraryImport(LibraryName)] internal static partial int gmt_cuda_device_count();
    [LibraryImport(LibraryName)] internal static partial int gmt_cuda_synchronize(int deviceIndex);
    [LibraryImport(LibraryName)] internal static partial int gmt_get_num_threads();
    [LibraryImport(LibraryName)] internal static partial int gmt_set_num_threads(int n);
    [LibraryImport(LibraryName)] internal static partial int gmt_manual_seed(ulong seed);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_blas_core_name();
    [LibraryImport(LibraryName)] internal static partial int gmt_malloc_trim();
    [LibraryImport(LibraryName)] internal static partial int gmt_cpu_allocator_stats(out long live, out long cached);
    [LibraryImport(LibraryName)] internal static partial long gmt_cpu_allocator_empty_cache();
    [LibraryImport(LibraryName)] internal static partial int gmt_fast_path_get(int path, out int enabled);
    [LibraryImport(LibraryName)] internal static partial int gmt_fast_path_set(int path, int enabled);
    [LibraryImport(LibraryName)] internal static partial long gmt_fast_path_uses(int path);

    // random generators
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_generator_new_cpu(ulong seed);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_generator_default(int deviceType, int deviceIndex);
    [LibraryImport(LibraryName)] internal static partial void gmt_generator_dispose(IntPtr g);
    [LibraryImport(LibraryName)] internal static partial int gmt_generator_set_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(LibraryName)] internal static partial int gmt_generator_get_seed(GeneratorHandle g, out ulong seed);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_generator_get_state(GeneratorHandle g);
    [LibraryImport(LibraryName)] internal static partial int gmt_generator_set_state(GeneratorHandle g, TensorHandle state);

    // tensor lifetime, data and properties
    [LibraryImport(LibraryName)] internal static partial void gmt_tensor_dispose(IntPtr t);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_from_data(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(LibraryName)] internal static unsafe partial int gmt_tensor_copy_to(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_factory(int kind, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, double a, double b, GeneratorHandle g);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_randperm(long n, int dtype, int deviceType, int deviceIndex, GeneratorHandle g);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_info(TensorHandle t, out int dtype, out int deviceType, out int deviceIndex, out int ndim, out int requiresGrad);
    [LibraryImport(LibraryName)] internal static unsafe partial int gmt_tensor_shape(TensorHandle t, long* shape);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_item(TensorHandle t, out double value);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_equal(TensorHandle a, TensorHandle b, out int result);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, int copy);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_clone(TensorHandle t);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_contiguous(TensorHandle t);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_alias(TensorHandle t);

    // elementwise and reductions
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_unary(TensorHandle t, int op);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_binary(TensorHandle a, TensorHandle b, int op);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_binary_scalar(TensorHandle a, double s, int op, int scalarFirst);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_inplace_scalar(TensorHandle t, int op, double s);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_copy_(TensorHandle dst, TensorHandle src);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_reduce(TensorHandle t, int op, long* dims, int ndims, int keepdim);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_argmax(TensorHandle t, long dim, int hasDim, int keepdim);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_topk(TensorHandle t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_clamp(TensorHandle t, double min, int hasMin, double max, int hasMax);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_matmul(TensorHandle a, TensorHandle b);

    // shape and indexing
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_reshape(TensorHandle t, long* shape, int ndim, int viewOnly);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_flatten(TensorHandle t, long startDim, long endDim);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_permute(TensorHandle t, long* dims, int ndims);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_transpose(TensorHandle t, long dim0, long dim1);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_unsqueeze(TensorHandle t, long dim);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_squeeze(TensorHandle t, long dim);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_narrow(TensorHandle t, long dim, long start, long length);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_index_select(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_tensor_cat(IntPtr* ts, int n, long dim, int stack);

    // neural-network functions
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_linear(TensorHandle x, TensorHandle w, TensorHandle b);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_nn_conv2d(TensorHandle x, TensorHandle w, TensorHandle b, long* stride, long* padding, long* dilation, long groups);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_nn_conv_transpose2d(TensorHandle x, TensorHandle w, TensorHandle b, long* stride, long* padding, long* outputPadding, long groups, long* dilation);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_batch_norm(TensorHandle x, TensorHandle w, TensorHandle b, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_dropout(TensorHandle x, double p, int training);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_leaky_relu(TensorHandle x, double negativeSlope);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_softmax(TensorHandle x, long dim, int log);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_bce_with_logits(TensorHandle x, TensorHandle target, TensorHandle weight, TensorHandle posWeight, int reduction);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_mse_loss(TensorHandle x, TensorHandle target, int reduction);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_cross_entropy(TensorHandle x, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_nn_embedding(TensorHandle weight, TensorHandle indices);
    [LibraryImport(LibraryName)] internal static unsafe partial IntPtr gmt_nn_max_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [LibraryImport(LibraryName)] internal static partial int gmt_nn_init_(TensorHandle t, int kind, double a, double b, GeneratorHandle g);

    // autograd
    [LibraryImport(LibraryName)] internal static partial int gmt_grad_enabled();
    [LibraryImport(LibraryName)] internal static partial void gmt_set_grad_enabled(int enabled);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_set_requires_grad(TensorHandle t, int requiresGrad);
    [LibraryImport(LibraryName)] internal static partial IntPtr gmt_tensor_detach(TensorHandle t);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(LibraryName)] internal static partial int gmt_tensor_clear_grad(TensorHandle t);
    [LibraryImport(LibraryName)] internal static unsafe partial int gmt_autograd_grad(IntPtr* outputs, int nOutputs, IntPtr* inputs, int nInputs, IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    // optimizers
    [LibraryImport(LibraryName)] internal static unsafe partial int gmt_optim_adam_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, long* steps, int n, double lr, double beta1, double beta2, double eps, double weightDecay);
}

/// <summary>Op codes shared with native/src/internal.h: keep the values in step.</summary>
internal enum UnaryOp { Neg = 0, Abs = 1, Sqrt = 2, Exp = 3, Log = 4, Relu = 5, Tanh = 6, Sigmoid = 7, Softplus = 8, LogSigmoid = 9, Square = 10, Sign = 11 }

/// <summary>Binary op codes shared with native/src/internal.h.</summary>
internal enum BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6, Eq = 7, Ne = 8, Lt = 9, Le = 10, Gt = 11, Ge = 12 }

/// <summary>In-place scalar op codes shared with native/src/internal.h.</summary>
internal enum InplaceScalarOp { Add = 0, Mul = 1, Fill = 2, Sub = 3, Div = 4 }

/// <summary>Reduction op codes shared with native/src/internal.h.</summary>
internal enum ReduceOp { Sum = 0, Mean = 1, Amax = 2, Amin = 3 }

/// <summary>Factory kinds shared with native/src/internal.h.</summary>
internal enum FactoryKind { Zeros = 0, Ones = 1, Full = 2, Empty = 3, Rand = 4, Randn = 5, Normal = 6, Randint = 7 }

/// <summary>Initialisation kinds shared with native/src/internal.h.</summary>
internal enum InitKind { Uniform = 0, Normal = 1, Constant = 2 }
