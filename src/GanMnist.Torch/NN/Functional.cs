using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces over the batch (libtorch's <c>at::Reduction</c>).</summary>
        public enum Reduction
        {
            /// <summary>One loss per element.</summary>
            None = 0,
            /// <summary>The mean over all elements.</summary>
            Mean = 1,
            /// <summary>The sum over all elements.</summary>
            Sum = 2,
        }

        /// <summary>Stateless neural-network functions, as <c>torch.nn.functional</c>.</summary>
        public static class functional
        {
            private static Tensor Wrap(IntPtr handle) => Tensor.Wrap(handle);

            private static TensorHandle H(Tensor? t) => Tensor.HandleOf(t);

            /// <summary>x·Wᵀ + b.</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                Wrap(NativeMethods.gmt_nn_linear(input.Handle, weight.Handle, H(bias)));

            /// <summary>2-D convolution of (N, C, H, W) input with (out, in/groups, kH, kW) weights.</summary>
            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long dilation = 1, long groups = 1)
            {
                var s = stackalloc long[] { stride, stride };
                var p = stackalloc long[] { padding, padding };
                var d = stackalloc long[] { dilation, dilation };
                return Wrap(NativeMethods.gmt_nn_conv2d(input.Handle, weight.Handle, H(bias), s, p, d, groups));
            }

            /// <summary>2-D max pooling over (N, C, H, W); the stride defaults to the kernel size.</summary>
            public static unsafe Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1,
                bool ceil_mode = false)
            {
                var k = stackalloc long[] { kernel_size, kernel_size };
                var s = stackalloc long[] { stride ?? kernel_size, stride ?? kernel_size };
                var p = stackalloc long[] { padding, padding };
                var d = stackalloc long[] { dilation, dilation };
                return Wrap(NativeMethods.gmt_nn_max_pool2d(input.Handle, k, s, p, d, ceil_mode ? 1 : 0));
            }

            /// <summary>
            /// 2-D transposed convolution with (in, out/groups, kH, kW) weights. Output size per dimension:
            /// (in - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1.
            /// </summary>
            public static unsafe Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1,
                long padding = 0, long output_padding = 0, long groups = 1, long dilation = 1)
            {
                var s = stackalloc long[] { stride, stride };
                var p = stackalloc long[] { padding, padding };
                var o = stackalloc long[] { output_padding, output_padding };
                var d = stackalloc long[] { dilation, dilation };
                return Wrap(NativeMethods.gmt_nn_conv_transpose2d(input.Handle, weight.Handle, H(bias), s, p, o, groups, d));
            }

            /// <summary>
            /// Batch normalisation over dimension 1. In training it normalises with the batch statistics and
            /// updates the running statistics in place (running = (1 - momentum)·running + momentum·batch,
            /// the variance unbiased); in evaluation it uses the running statistics.
            /// </summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null,
                Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                Wrap(NativeMethods.gmt_nn_batch_norm(input.Handle, H(weight), H(bias), H(running_mean), H(running_var),
                    training ? 1 : 0, momentum, eps));

            /// <summary>Zeroes elements with probability <paramref name="p"/> and scales the rest by 1/(1-p) when training.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                }

                return Wrap(NativeMethods.gmt_nn_dropout(input.Handle, p, training ? 1 : 0));
            }

            /// <summary>max(x, 0).</summary>
            public static Tensor relu(Tensor input) => input.relu();

            /// <summary>x for x ≥ 0, negative_slope·x otherwise.</summary>
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) =>
                Wrap(NativeMethods.gmt_nn_leaky_relu(input.Handle, negative_slope));

            /// <summary>Hyperbolic tangent.</summary>
            public static Tensor tanh(Tensor input) => input.tanh();

            /// <summary>Logistic sigmoid.</summary>
            public static Tensor sigmoid(Tensor input) => input.sigmoid();

            /// <summary>Softmax along <paramref name="dim"/>.</summary>
            public static Tensor softmax(Tensor input, long dim) => Wrap(NativeMethods.gmt_nn_softmax(input.Handle, dim, 0));

            /// <summary>Log-softmax along <paramref name="dim"/>, computed stably.</summary>
            public static Tensor log_softmax(Tensor input, long dim) => Wrap(NativeMethods.gmt_nn_softmax(input.Handle, dim, 1));

            /// <summary>
            /// Binary cross-entropy on logits, computed stably:
            /// max(x, 0) - x·t + log(1 + exp(-|x|)) per element (times <paramref name="weight"/>).
            /// </summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                Reduction reduction = Reduction.Mean, Tensor? pos_weight = null) =>
                Wrap(NativeMethods.gmt_nn_bce_with_logits(input.Handle, target.Handle, H(weight), H(pos_weight), (int)reduction));

            /// <summary>Mean (or summed) squared error.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Wrap(NativeMethods.gmt_nn_mse_loss(input.Handle, target.Handle, (int)reduction));

            /// <summary>Cross-entropy of (N, C) logits against int64 class indices.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0) =>
                Wrap(NativeMethods.gmt_nn_cross_entropy(input.Handle, target.Handle, H(weight), (int)reduction, ignore_index, label_smoothing));

            /// <summary>Rows of <paramref name="weight"/> at the int64 <paramref name="input"/> indices.</summary>
            public static Tensor embedding(Tensor input, Tensor weight) => Wrap(NativeMethods.gmt_nn_embedding(weight.Handle, input.Handle));
        }
    }
}
