using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>In-place parameter initialisation, as <c>torch.nn.init</c> (no autograd recording).</summary>
        public static class init
        {
            private static Tensor Init(Tensor tensor, InitKind kind, double a, double b, Generator? generator)
            {
                NativeErrors.Check(NativeMethods.gmt_nn_init_(tensor.Handle, (int)kind, a, b, Generator.HandleOf(generator)));
                return tensor;
            }

            /// <summary>Uniform samples in [a, b).</summary>
            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1, Generator? generator = null) =>
                Init(tensor, InitKind.Uniform, a, b, generator);

            /// <summary>Normal samples N(mean, std²).</summary>
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null) =>
                Init(tensor, InitKind.Normal, mean, std, generator);

            /// <summary>Every element set to <paramref name="value"/>.</summary>
            public static Tensor constant_(Tensor tensor, double value) => Init(tensor, InitKind.Constant, value, 0, null);

            /// <summary>Zeros.</summary>
            public static Tensor zeros_(Tensor tensor) => constant_(tensor, 0);

            /// <summary>Ones.</summary>
            public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

            /// <summary>
            /// Fan-in and fan-out of a weight: (size(1)·k, size(0)·k) with k the product of the kernel
            /// dimensions, as PyTorch computes them (also for transposed convolutions).
            /// </summary>
            public static (long fanIn, long fanOut) CalculateFanInAndFanOut(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                {
                    throw new ArgumentException($"Fan in and fan out need at least 2 dimensions; the tensor has {shape.Length}.", nameof(tensor));
                }

                long receptive = 1;
                for (var i = 2; i < shape.Length; i++)
                {
                    receptive *= shape[i];
                }

                return (shape[1] * receptive, shape[0] * receptive);
            }

            /// <summary>
            /// He/Kaiming uniform over fan-in with the leaky-ReLU gain sqrt(2 / (1 + a²)): U(-bound, bound),
            /// bound = gain·sqrt(3 / fan_in). PyTorch's default for Linear and convolution weights uses a = sqrt(5).
            /// </summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, Generator? generator = null)
            {
                var (fanIn, _) = CalculateFanInAndFanOut(tensor);
                var bound = Math.Sqrt(2.0 / (1 + (a * a))) * Math.Sqrt(3.0 / fanIn);
                return uniform_(tensor, -bound, bound, generator);
            }

            /// <summary>Glorot/Xavier uniform (Keras' default): U(-b, b), b = gain·sqrt(6 / (fan_in + fan_out)).</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1, Generator? generator = null)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
                return uniform_(tensor, -bound, bound, generator);
            }

            /// <summary>
            /// The DCGAN initialisation (Radford et al.; pytorch/examples dcgan): convolution and linear
            /// weights N(0, 0.02²), batch-norm weights N(1, 0.02²) and biases zero, applied to every
            /// submodule of <paramref name="module"/>.
            /// </summary>
            public static void dcgan_(Module module, Generator? generator = null)
            {
                ArgumentNullException.ThrowIfNull(module);
                foreach (var m in module.modules())
                {
                    switch (m)
                    {
                        case Modules.BatchNorm bn:
                            normal_(bn.weight!, 1.0, 0.02, generator);
                            zeros_(bn.bias!);
                            break;
                        case Modules.Conv2d or Modules.ConvTranspose2d or Modules.Linear:
                            foreach (var (name, p) in m.named_parameters(recurse: false))
                            {
                                _ = name == "weight" ? normal_(p, 0, 0.02, generator) : zeros_(p);
                            }

                            break;
                    }
                }
            }
        }
    }
}
