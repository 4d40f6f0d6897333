using GanMnist.Torch.Modules;

namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>Neural-network layers, functions and initialisation, as <c>torch.nn</c>.</summary>
    public static partial class nn
    {
        /// <summary>A fully connected layer (PyTorch's default initialisation).</summary>
        public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null) =>
            new(inputSize, outputSize, hasBias, device);

        /// <summary>A 2-D convolution with a square kernel.</summary>
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
            long dilation = 1, long groups = 1, bool bias = true, Device? device = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, device);

        /// <summary>A 2-D transposed convolution with a square kernel.</summary>
        public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1,
            long padding = 0, long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1, Device? device = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, device);

        /// <summary>Batch normalisation of (N, C) or (N, C, L) input.</summary>
        public static BatchNorm1d BatchNorm1d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, Device? device = null) =>
            new(features, eps, momentum, affine, device);

        /// <summary>Batch normalisation of (N, C, H, W) input.</summary>
        public static BatchNorm2d BatchNorm2d(long features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, Device? device = null) =>
            new(features, eps, momentum, affine, device);

        /// <summary>Dropout with probability <paramref name="p"/>.</summary>
        public static Dropout Dropout(double p = 0.5) => new(p);

        /// <summary>max(x, 0).</summary>
        public static ReLU ReLU() => new();

        /// <summary>Leaky ReLU with the given negative slope.</summary>
        public static LeakyReLU LeakyReLU(double negative_slope = 0.01) => new(negative_slope);

        /// <summary>Hyperbolic tangent.</summary>
        public static Tanh Tanh() => new();

        /// <summary>Logistic sigmoid.</summary>
        public static Sigmoid Sigmoid() => new();

        /// <summary>2-D max pooling; the stride defaults to the kernel size.</summary>
        public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0) => new(kernel_size, stride, padding);

        /// <summary>Flattens dimensions start_dim..end_dim.</summary>
        public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

        /// <summary>Splits dimension <paramref name="dim"/> into <paramref name="unflattened_size"/>.</summary>
        public static Unflatten Unflatten(long dim, long[] unflattened_size) => new(dim, unflattened_size);

        /// <summary>An embedding table.</summary>
        public static Embedding Embedding(long num_embeddings, long embedding_dims, Device? device = null) =>
            new(num_embeddings, embedding_dims, device);

        /// <summary>Layers applied in order, named "0", "1", ...</summary>
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) =>
            new(modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));

        /// <summary>Layers applied in order, with their names.</summary>
        public static Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);
    }
}
