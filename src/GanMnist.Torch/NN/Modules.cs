using static GanMnist.Torch.torch;
using static GanMnist.Torch.torch.nn;
using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Modules;

/// <summary>y = x·Wᵀ + b, with W of shape (out, in). PyTorch's default initialisation.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    internal Linear(long inputSize, long outputSize, bool hasBias, Device? device) : base(nameof(Linear))
    {
        weight = register_parameter(nameof(weight), Parameters.Create([outputSize, inputSize], device));
        bias = hasBias ? register_parameter(nameof(bias), Parameters.Create([outputSize], device)) : null;
        Parameters.ResetDefault(weight, bias);
    }

    /// <summary>The (out, in) weight.</summary>
    public Parameter weight { get; }

    /// <summary>The bias, or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.linear(input, weight, bias);
}

/// <summary>2-D convolution with square kernels, weight (out, in/groups, k, k).</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    private readonly long _stride, _padding, _dilation, _groups;

    internal Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, long groups,
        bool hasBias, Device? device) : base(nameof(Conv2d))
    {
        (_stride, _padding, _dilation, _groups) = (stride, padding, dilation, groups);
        weight = register_parameter(nameof(weight), Parameters.Create([outChannels, inChannels / groups, kernelSize, kernelSize], device));
        bias = hasBias ? register_parameter(nameof(bias), Parameters.Create([outChannels], device)) : null;
        Parameters.ResetDefault(weight, bias);
    }

    /// <summary>The (out, in/groups, k, k) weight.</summary>
    public Parameter weight { get; }

    /// <summary>The bias, or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.conv2d(input, weight, bias, _stride, _padding, _dilation, _groups);
}

/// <summary>2-D transposed convolution with square kernels, weight (in, out/groups, k, k).</summary>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    private readonly long _stride, _padding, _outputPadding, _groups, _dilation;

    internal ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long outputPadding,
        long groups, bool hasBias, long dilation, Device? device) : base(nameof(ConvTranspose2d))
    {
        (_stride, _padding, _outputPadding, _groups, _dilation) = (stride, padding, outputPadding, groups, dilation);
        weight = register_parameter(nameof(weight), Parameters.Create([inChannels, outChannels / groups, kernelSize, kernelSize], device));
        bias = hasBias ? register_parameter(nameof(bias), Parameters.Create([outChannels], device)) : null;
        Parameters.ResetDefault(weight, bias);
    }

    /// <summary>The (in, out/groups, k, k) weight.</summary>
    public Parameter weight { get; }

    /// <summary>The bias, or null.</summary>
    public Parameter? bias { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        F.conv_transpose2d(input, weight, bias, _stride, _padding, _outputPadding, _groups, _dilation);
}

/// <summary>
/// Batch normalisation over the channel dimension, with running statistics as buffers
/// (<c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>, as PyTorch names them).
/// </summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    private readonly int[] _inputDims;

    private protected BatchNorm(string name, long features, double eps, double? momentum, bool affine, Device? device, int[] inputDims)
        : base(name)
    {
        (this.eps, this.momentum, _inputDims) = (eps, momentum, inputDims);
        if (affine)
        {
            weight = register_parameter(nameof(weight), Parameters.Create(() => ones([features], device: device)));
            bias = register_parameter(nameof(bias), Parameters.Create(() => zeros([features], device: device)));
        }

        running_mean = register_buffer(nameof(running_mean), zeros([features], device: device));
        running_var = register_buffer(nameof(running_var), ones([features], device: device));
        num_batches_tracked = register_buffer(nameof(num_batches_tracked), zeros([], ScalarType.Int64, device));
    }

    /// <summary>The scale γ, or null without affine.</summary>
    public Parameter? weight { get; }

    /// <summary>The shift β, or null without affine.</summary>
    public Parameter? bias { get; }

    /// <summary>Running mean of each channel.</summary>
    public Tensor running_mean { get; }

    /// <summary>Running (unbiased) variance of each channel.</summary>
    public Tensor running_var { get; }

    /// <summary>The number of training batches seen (int64 scalar).</summary>
    public Tensor num_batches_tracked { get; }

    /// <summary>Added to the variance for stability.</summary>
    public double eps { get; }

    /// <summary>Running-statistics update factor; null means a cumulative average.</summary>
    public double? momentum { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var dims = input.dim();
        if (!_inputDims.Contains(dims))
        {
            throw new ArgumentException($"{name} expects {string.Join(" or ", _inputDims)}-D input, got {dims}-D {input}.", nameof(input));
        }

        var factor = momentum ?? 0;
        if (training)
        {
            num_batches_tracked.add_(1);
            if (momentum is null)
            {
                factor = 1.0 / num_batches_tracked.item<long>();
            }
        }

        return F.batch_norm(input, running_mean, running_var, weight, bias, training, factor, eps);
    }
}

/// <summary>Batch normalisation of (N, C) or (N, C, L) input.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    internal BatchNorm1d(long features, double eps, double? momentum, bool affine, Device? device)
        : base(nameof(BatchNorm1d), features, eps, momentum, affine, device, [2, 3]) { }
}

/// <summary>Batch normalisation of (N, C, H, W) input.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    internal BatchNorm2d(long features, double eps, double? momentum, bool affine, Device? device)
        : base(nameof(BatchNorm2d), features, eps, momentum, affine, device, [4]) { }
}

/// <summary>Dropout with probability p in training mode; identity in evaluation mode.</summary>
public sealed class Dropout(double p) : Module<Tensor, Tensor>(nameof(Dropout))
{
    /// <summary>The probability of zeroing an element.</summary>
    public double p { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.dropout(input, p, training);
}

/// <summary>max(x, 0).</summary>
public sealed class ReLU() : Module<Tensor, Tensor>(nameof(ReLU))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.relu();
}

/// <summary>x for x ≥ 0, negative_slope·x otherwise.</summary>
public sealed class LeakyReLU(double negativeSlope) : Module<Tensor, Tensor>(nameof(LeakyReLU))
{
    /// <summary>The slope for negative inputs.</summary>
    public double negative_slope { get; } = negativeSlope;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.leaky_relu(input, negative_slope);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh() : Module<Tensor, Tensor>(nameof(Tanh))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.tanh();
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid() : Module<Tensor, Tensor>(nameof(Sigmoid))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.sigmoid();
}

/// <summary>2-D max pooling with a square window.</summary>
public sealed class MaxPool2d(long kernelSize, long? stride, long padding) : Module<Tensor, Tensor>(nameof(MaxPool2d))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.max_pool2d(input, kernelSize, stride, padding);
}

/// <summary>Merges dimensions start_dim..end_dim (by default everything but the batch).</summary>
public sealed class Flatten(long startDim, long endDim) : Module<Tensor, Tensor>(nameof(Flatten))
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.flatten(startDim, endDim);
}

/// <summary>Splits dimension <c>dim</c> into the given sizes, e.g. (N, 12544) to (N, 256, 7, 7).</summary>
public sealed class Unflatten : Module<Tensor, Tensor>
{
    private readonly long _dim;
    private readonly long[] _sizes;

    internal Unflatten(long dim, long[] sizes) : base(nameof(Unflatten)) => (_dim, _sizes) = (dim, sizes.ToArray());

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var shape = input.shape;
        var dim = (int)(_dim < 0 ? shape.Length + _dim : _dim);
        long[] target = [.. shape[..dim], .. _sizes, .. shape[(dim + 1)..]];
        return input.view(target);
    }
}

/// <summary>A lookup table of embeddings, N(0, 1) initialised, indexed by int64 tensors.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    internal Embedding(long count, long dimensions, Device? device) : base(nameof(Embedding)) =>
        weight = register_parameter(nameof(weight), Parameters.Create(() => randn([count, dimensions], device: device)));

    /// <summary>The (count, dimensions) table.</summary>
    public Parameter weight { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => F.embedding(input, weight);
}

/// <summary>Modules applied in order; children are named "0", "1", ... unless names are given.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    internal Sequential(IEnumerable<(string name, Module<Tensor, Tensor> module)> layers) : base(nameof(Sequential))
    {
        foreach (var (n, m) in layers)
        {
            _layers.Add(register_module(n, m));
        }
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <summary>
    /// Runs the layers; intermediate results are disposed as soon as the next layer has consumed them,
    /// so a long stack does not hold every activation's handle (autograd keeps what it needs).
    /// </summary>
    public override Tensor forward(Tensor input) => Forward(input, 0, _layers.Count);

    /// <summary>Runs layers [<paramref name="start"/>, <paramref name="end"/>), e.g. to read an intermediate feature.</summary>
    public Tensor Forward(Tensor input, int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, _layers.Count);
        var x = input;
        for (var i = start; i < end; i++)
        {
            var next = _layers[i].call(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, next))
            {
                x.Dispose();
            }

            x = next;
        }

        return ReferenceEquals(x, input) ? x.Alias() : x;
    }
}

/// <summary>Parameter creation and PyTorch's default initialisation, shared by the layers.</summary>
internal static class Parameters
{
    internal static Parameter Create(long[] shape, Device? device) => Create(() => empty(shape, device: device));

    /// <summary>A parameter over freshly made data; the temporary handle is freed at once.</summary>
    internal static Parameter Create(Func<Tensor> make)
    {
        using var data = make();
        return new Parameter(data);
    }

    /// <summary>kaiming_uniform(a=√5) weights, biases U(±1/√fan_in): PyTorch's Linear/Conv reset_parameters.</summary>
    internal static void ResetDefault(Parameter weight, Parameter? bias)
    {
        init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias is not null)
        {
            var (fanIn, _) = init.CalculateFanInAndFanOut(weight);
            var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            init.uniform_(bias, -bound, bound);
        }
    }
}
