using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>
/// The InfoGAN paper's MNIST generator (Chen et al. 2016, "InfoGAN", appendix C.1, table 1), with the noise as its only
/// input: Linear → 1024, BN, ReLU; Linear → 7·7·128, BN, ReLU; reshape; ConvTranspose 4x4 → 64 (stride 2, 7 → 14), BN,
/// ReLU; ConvTranspose 4x4 → 1 (stride 2, 14 → 28), tanh. Layers followed by batch norm have no bias; batch norm as
/// PyTorch's (momentum 0.1, ε 1e-5). A 4x4 stride-2 layer with padding 1 pads 1 on each side in PyTorch and in Keras'
/// "same" alike, so there is no padding choice here.
/// </summary>
internal sealed class InfoGanGenerator(int latentSize, int width = InfoGanGenerator.PaperWidth)
    : SequentialGenerator(nameof(InfoGanGenerator), "InfoGAN generator", latentSize, Body(latentSize, width))
{
    /// <summary>The paper's width: the channels of the last hidden layer (64); the others are 2x (128) and 16x (1,024) it.</summary>
    internal const int PaperWidth = 64;

    internal static Sequential Body(int inputSize, int width = PaperWidth) => nn.Sequential(
        Autocast.Linear(inputSize, 16 * width, hasBias: false), nn.BatchNorm1d(16 * width), nn.ReLU(),
        Autocast.Linear(16 * width, 7 * 7 * 2 * width, hasBias: false), nn.BatchNorm1d(7 * 7 * 2 * width), nn.ReLU(),
        nn.Unflatten(1, [2 * width, 7, 7]),
        Autocast.ConvTranspose2d(2 * width, width, 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(width), nn.ReLU(),
        Autocast.ConvTranspose2d(width, 1, 4, stride: 2, padding: 1), nn.Tanh());
}

/// <summary>
/// The InfoGAN paper's MNIST discriminator (Chen et al. 2016, appendix C.1): Conv 4x4 → 64 (stride 2), LeakyReLU;
/// Conv 4x4 → 128 (stride 2), BN, LeakyReLU; Flatten; Linear → 1024, BN, LeakyReLU; [minibatch discrimination];
/// Linear → 1 logit. Its features (the input of the last layer) are the 1,024 values. The paper's table names the
/// activation lReLU without a slope: the slope is the trainer's <c>LeakyReluSlope</c> (0.2 by default, DCGAN's).
/// </summary>
internal sealed class InfoGanDiscriminator(double slope, int minibatchKernels = 0, int minibatchKernelSize = 8, int width = InfoGanGenerator.PaperWidth)
    : SequentialDiscriminator(nameof(InfoGanDiscriminator), "InfoGAN discriminator", nn.Sequential([.. Features(slope, minibatchKernels, minibatchKernelSize, out var size, width), Autocast.Linear(size, 1)]))
{
    internal static nn.Module<Tensor, Tensor>[] Features(double slope, int minibatchKernels, int minibatchKernelSize, out long size, int width = InfoGanGenerator.PaperWidth)
    {
        size = 16 * width;
        nn.Module<Tensor, Tensor>[] layers =
        [
            Autocast.Conv2d(1, width, 4, stride: 2, padding: 1), nn.LeakyReLU(slope),
            Autocast.Conv2d(width, 2 * width, 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(2 * width), nn.LeakyReLU(slope),
            nn.Flatten(),
            Autocast.Linear(7 * 7 * 2 * width, 16 * width, hasBias: false), nn.BatchNorm1d(16 * width), nn.LeakyReLU(slope),
        ];
        return DcganDiscriminator.WithMinibatchDiscrimination(layers, ref size, minibatchKernels, minibatchKernelSize);
    }
}
