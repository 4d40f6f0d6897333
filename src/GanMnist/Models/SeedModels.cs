using GanMnist.Torch.Modules;
using static GanMnist.Torch.torch;

namespace GanMnist.Models;

/// <summary>A generator or discriminator built around one <c>Sequential</c> registered as <c>main</c>.</summary>
internal abstract class SequentialModel : nn.Module<Tensor, Tensor>
{
    protected SequentialModel(string name, Sequential main) : base(name) => Main = register_module("main", main);

    protected Sequential Main { get; }

    public nn.Module Module => this;

    public IReadOnlyList<long> ImageShape => ModelShapes.Mnist;

    public int ClassCount => 0;

    protected static void RequireUnconditional(Tensor? labels, string model)
    {
        if (labels is not null)
        {
            throw new ArgumentException($"The {model} is unconditional; it takes no labels.", nameof(labels));
        }
    }
}

internal static class ModelShapes
{
    internal static readonly long[] Mnist = [1, 28, 28];
}

/// <summary>
/// The TensorFlow DCGAN tutorial's generator: Linear 100 → 7·7·256 (no bias), BN, LeakyReLU, reshape,
/// ConvTranspose 5x5 → 128 (stride 1), BN, LeakyReLU, ConvTranspose 5x5 → 64 (stride 2), BN, LeakyReLU,
/// ConvTranspose 5x5 → 1 (stride 2), tanh; no biases. Batch norm as Keras' (momentum 0.99, ε 1e-3).
/// </summary>
internal sealed class DcganGenerator : SequentialModel, IGenerator
{
    internal const double KerasBatchNormMomentum = 0.01; // Keras momentum 0.99 = PyTorch momentum 0.01
    internal const double KerasBatchNormEps = 1e-3;

    public DcganGenerator(int latentSize, double slope) : base(nameof(DcganGenerator), nn.Sequential(
        nn.Linear(latentSize, 7 * 7 * 256, hasBias: false), nn.BatchNorm1d(7 * 7 * 256, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        nn.Unflatten(1, [256, 7, 7]),
        nn.ConvTranspose2d(256, 128, 5, stride: 1, padding: 2, bias: false), nn.BatchNorm2d(128, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        nn.ConvTranspose2d(128, 64, 5, stride: 2, padding: 2, output_padding: 1, bias: false), nn.BatchNorm2d(64, KerasBatchNormEps, KerasBatchNormMomentum), nn.LeakyReLU(slope),
        nn.ConvTranspose2d(64, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false), nn.Tanh())) =>
        LatentSize = latentSize;

    public int LatentSize { get; }

    public override Tensor forward(Tensor noise) => Main.call(noise);

    public Tensor Generate(Tensor noise, Tensor? labels = null)
    {
        RequireUnconditional(labels, "DCGAN generator");
        return forward(noise);
    }
}

/// <summary>
/// The TensorFlow DCGAN tutorial's discriminator: Conv 5x5 → 64 (stride 2), LeakyReLU, Dropout 0.3,
/// Conv 5x5 → 128 (stride 2), LeakyReLU, Dropout 0.3, Flatten, Linear → 1 logit.
/// </summary>
internal sealed class DcganDiscriminator(double slope, double dropout = 0.3) : SequentialModel(nameof(DcganDiscriminator), nn.Sequential(
    nn.Conv2d(1, 64, 5, stride: 2, padding: 2), nn.LeakyReLU(slope), nn.Dropout(dropout),
    nn.Conv2d(64, 128, 5, stride: 2, padding: 2), nn.LeakyReLU(slope), nn.Dropout(dropout),
    nn.Flatten(), nn.Linear(7 * 7 * 128, 1))), IDiscriminator
{
    public override Tensor forward(Tensor images) => Main.call(images);

    public Tensor Forward(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels, "DCGAN discriminator");
        return forward(images);
    }

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels, "DCGAN discriminator");
        var features = Main.Forward(images, 0, Main.Count - 1);
        return (Main[Main.Count - 1].call(features), features);
    }
}

/// <summary>Seed 004's generator: 100 → 128 → 256 → 512 → 784 with the hidden activation, then tanh.</summary>
internal sealed class MlpGenerator : SequentialModel, IGenerator
{
    public MlpGenerator(int latentSize, MlpActivation activation, double slope) : base(nameof(MlpGenerator), nn.Sequential(
        nn.Linear(latentSize, 128), Activation(activation, slope), nn.Linear(128, 256), Activation(activation, slope),
        nn.Linear(256, 512), Activation(activation, slope), nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, [1, 28, 28]))) =>
        LatentSize = latentSize;

    public int LatentSize { get; }

    public override Tensor forward(Tensor noise) => Main.call(noise);

    public Tensor Generate(Tensor noise, Tensor? labels = null)
    {
        RequireUnconditional(labels, "MLP generator");
        return forward(noise);
    }

    internal static nn.Module<Tensor, Tensor> Activation(MlpActivation activation, double slope) =>
        activation == MlpActivation.Relu ? nn.ReLU() : nn.LeakyReLU(slope);
}

/// <summary>Seed 004's discriminator: 784 → 512 → 256 → 1 with the hidden activation.</summary>
internal sealed class MlpDiscriminator(MlpActivation activation, double slope) : SequentialModel(nameof(MlpDiscriminator), nn.Sequential(
    nn.Flatten(), nn.Linear(784, 512), MlpGenerator.Activation(activation, slope), nn.Linear(512, 256),
    MlpGenerator.Activation(activation, slope), nn.Linear(256, 1))), IDiscriminator
{
    public override Tensor forward(Tensor images) => Main.call(images);

    public Tensor Forward(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels, "MLP discriminator");
        return forward(images);
    }

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels, "MLP discriminator");
        var features = Main.Forward(images, 0, Main.Count - 1);
        return (Main[Main.Count - 1].call(features), features);
    }
}
