using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>A generator or discriminator built around one <c>Sequential</c> registered as <c>main</c>.</summary>
internal abstract class SequentialModel : nn.Module<Tensor, Tensor>
{
    private readonly string _description;

    protected SequentialModel(string name, string description, Sequential main) : base(name)
    {
        _description = description;
        register_module("main", Main = main);
    }

    protected Sequential Main { get; }

    public nn.Module Module => this;

    public IReadOnlyList<long> ImageShape => ModelShapes.Mnist;

    public int ClassCount => 0;

    public override Tensor forward(Tensor input) => Main.call(input);

    protected void RequireUnconditional(Tensor? labels)
    {
        if (labels is not null)
        {
            throw new ArgumentException($"The {_description} is unconditional; it takes no labels.", nameof(labels));
        }
    }
}

/// <summary>An unconditional generator: noise through <c>main</c>.</summary>
internal abstract class SequentialGenerator(string name, string description, int latentSize, Sequential main)
    : SequentialModel(name, description, main), IGenerator
{
    public int LatentSize { get; } = latentSize;

    public Tensor Generate(Tensor noise, Tensor? labels = null)
    {
        RequireUnconditional(labels);
        return forward(noise);
    }
}

/// <summary>An unconditional discriminator whose features are the input of its last layer.</summary>
internal abstract class SequentialDiscriminator(string name, string description, Sequential main)
    : SequentialModel(name, description, main), IDiscriminator
{
    public Tensor Forward(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels);
        return forward(images);
    }

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels);
        return ModelShapes.LogitsAndFeatures(Main, images);
    }
}

internal static class ModelShapes
{
    /// <summary>The output of a Sequential discriminator and the input of its last layer (the features).</summary>
    internal static (Tensor Logits, Tensor Features) LogitsAndFeatures(Sequential main, Tensor images)
    {
        using var scope = NewDisposeScope();
        var features = images;
        for (var i = 0; i < main.Count - 1; i++)
        {
            features = main[i].call(features);
        }

        return (main[main.Count - 1].call(features).MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }

    internal static readonly long[] Mnist = [1, 28, 28];
}

/// <summary>
/// The TensorFlow DCGAN tutorial's generator: Linear 100 → 7·7·256 (no bias), BN, LeakyReLU, reshape,
/// ConvTranspose 5x5 → 128 (stride 1), BN, LeakyReLU, ConvTranspose 5x5 → 64 (stride 2), BN, LeakyReLU,
/// ConvTranspose 5x5 → 1 (stride 2), tanh; no biases. Batch norm as Keras' (momentum 0.99, ε 1e-3). The stride-2
/// layers pad as <paramref name="padding"/> says (the tutorial's is <see cref="TransposedConvolutionPadding.KerasSame"/>).
/// </summary>
internal sealed class DcganGenerator(int latentSize, double slope, TransposedConvolutionPadding padding = TransposedConvolutionPadding.Symmetric)
    : SequentialGenerator(nameof(DcganGenerator), "DCGAN generator", latentSize, Body(latentSize, slope, padding))
{
    internal const double KerasBatchNormMomentum = 0.01; // Keras momentum 0.99 = PyTorch momentum 0.01
    internal const double KerasBatchNormEps = 1e-3;

    /// <summary>The layers, from an input of <paramref name="inputSize"/> values (noise, or noise and a label embedding).</summary>
    internal static Sequential Body(int inputSize, double slope, TransposedConvolutionPadding padding = TransposedConvolutionPadding.Symmetric) => nn.Sequential(
        Autocast.Linear(inputSize, 7 * 7 * 256, hasBias: false), nn.BatchNorm1d(7 * 7 * 256, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        nn.Unflatten(1, [256, 7, 7]),
        Autocast.ConvTranspose2d(256, 128, 5, stride: 1, padding: 2, bias: false), nn.BatchNorm2d(128, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        Upsample(128, 64, padding), nn.BatchNorm2d(64, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        Upsample(64, 1, padding), nn.Tanh());

    /// <summary>A 5x5 stride-2 transposed convolution without bias (stride 1 pads the same either way: 2 on each side).</summary>
    private static nn.Module<Tensor, Tensor> Upsample(long inChannels, long outChannels, TransposedConvolutionPadding padding) => padding switch
    {
        TransposedConvolutionPadding.Symmetric => Autocast.ConvTranspose2d(inChannels, outChannels, 5, stride: 2, padding: 2, outputPadding: 1, bias: false),
        TransposedConvolutionPadding.KerasSame => new KerasSameConvTranspose2d(inChannels, outChannels),
        _ => throw new ArgumentOutOfRangeException(nameof(padding), padding, "unknown padding"),
    };

    /// <summary>The padding a built generator's stride-2 layers use (how <see cref="Body"/> built them).</summary>
    internal static TransposedConvolutionPadding PaddingOf(nn.Module module) =>
        module.modules().OfType<KerasSameConvTranspose2d>().Any() ? TransposedConvolutionPadding.KerasSame : TransposedConvolutionPadding.Symmetric;
}

/// <summary>
/// The TensorFlow DCGAN tutorial's discriminator: Conv 5x5 → 64 (stride 2), LeakyReLU, Dropout 0.3,
/// Conv 5x5 → 128 (stride 2), LeakyReLU, Dropout 0.3, Flatten, [minibatch discrimination], Linear → 1 logit.
/// </summary>
internal sealed class DcganDiscriminator(double slope, int minibatchKernels = 0, int minibatchKernelSize = 8)
    : SequentialDiscriminator(nameof(DcganDiscriminator), "DCGAN discriminator", nn.Sequential([.. Features(slope, minibatchKernels, minibatchKernelSize, out var size), Autocast.Linear(size, 1)]))
{
    /// <summary>Every layer before the last: Conv, LeakyReLU, Dropout 0.3 (twice), Flatten and optionally minibatch discrimination.</summary>
    internal static nn.Module<Tensor, Tensor>[] Features(double slope, int minibatchKernels, int minibatchKernelSize, out long size)
    {
        size = 7 * 7 * 128;
        nn.Module<Tensor, Tensor>[] layers =
        [
            Autocast.Conv2d(1, 64, 5, stride: 2, padding: 2), nn.LeakyReLU(slope), new CounterBasedDropout(0.3),
            Autocast.Conv2d(64, 128, 5, stride: 2, padding: 2), nn.LeakyReLU(slope), new CounterBasedDropout(0.3),
            nn.Flatten(),
        ];
        return WithMinibatchDiscrimination(layers, ref size, minibatchKernels, minibatchKernelSize);
    }

    internal static nn.Module<Tensor, Tensor>[] WithMinibatchDiscrimination(nn.Module<Tensor, Tensor>[] layers, ref long size, int kernels, int kernelSize)
    {
        if (kernels <= 0)
        {
            return layers;
        }

        var layer = new MinibatchDiscrimination(size, kernels, kernelSize);
        size = layer.OutputFeatures;
        return [.. layers, layer];
    }
}

/// <summary>Seed 004's generator: 100 → 128 → 256 → 512 → 784 with the hidden activation, then tanh.</summary>
internal sealed class MlpGenerator(int latentSize, MlpActivation activation, double slope)
    : SequentialGenerator(nameof(MlpGenerator), "MLP generator", latentSize, Body(latentSize, activation, slope))
{
    internal static Sequential Body(int inputSize, MlpActivation activation, double slope) => nn.Sequential(
        Autocast.Linear(inputSize, 128), Activation(activation, slope), Autocast.Linear(128, 256), Activation(activation, slope),
        Autocast.Linear(256, 512), Activation(activation, slope), Autocast.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, [1, 28, 28]));

    internal static nn.Module<Tensor, Tensor> Activation(MlpActivation activation, double slope) =>
        activation == MlpActivation.Relu ? nn.ReLU() : nn.LeakyReLU(slope);
}

/// <summary>Seed 004's discriminator: 784 → 512 → 256 → 1 with the hidden activation.</summary>
internal sealed class MlpDiscriminator(MlpActivation activation, double slope, int minibatchKernels = 0, int minibatchKernelSize = 8)
    : SequentialDiscriminator(nameof(MlpDiscriminator), "MLP discriminator", nn.Sequential([.. Features(activation, slope, minibatchKernels, minibatchKernelSize, out var size), Autocast.Linear(size, 1)]))
{
    /// <summary>Every layer before the last: Flatten, 784 → 512 → 256 with the activation, and optionally minibatch discrimination.</summary>
    internal static nn.Module<Tensor, Tensor>[] Features(MlpActivation activation, double slope, int minibatchKernels, int minibatchKernelSize, out long size)
    {
        size = 256;
        nn.Module<Tensor, Tensor>[] layers =
        [
            nn.Flatten(), Autocast.Linear(784, 512), MlpGenerator.Activation(activation, slope), Autocast.Linear(512, 256), MlpGenerator.Activation(activation, slope),
        ];
        return DcganDiscriminator.WithMinibatchDiscrimination(layers, ref size, minibatchKernels, minibatchKernelSize);
    }
}
