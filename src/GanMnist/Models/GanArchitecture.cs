namespace GanMnist.Models;

/// <summary>The built-in architectures.</summary>
public enum GanArchitecture
{
    /// <summary>The TensorFlow DCGAN tutorial's generator and discriminator (seeds 000, 002, 003).</summary>
    Dcgan,

    /// <summary>A fully connected generator 100-128-256-512-784 and discriminator 784-512-256-1 (seed 004).</summary>
    Mlp,

    /// <summary>The DCGAN conditioned on the digit: a 50-value label embedding concatenated to the noise; a projection discriminator.</summary>
    ConditionalDcgan,

    /// <summary>The MLP conditioned on the digit: a 50-value label embedding concatenated to the noise; a projection discriminator.</summary>
    ConditionalMlp,

    /// <summary>
    /// The InfoGAN paper's MNIST networks (Chen et al. 2016, appendix C.1), the architecture Lucic et al. 2018 ("Are GANs
    /// Created Equal?") compare GANs with on MNIST: a convolutional generator and discriminator with 4x4 stride-2 layers and
    /// batch norm. Its generator does a quarter of the <see cref="Dcgan"/> generator's multiply-adds (13.1M against 51.7M an
    /// image), its discriminator a little more (13.0M against 10.4M). Without InfoGAN's latent codes. Its discriminator's
    /// batch norm rules out <c>GanLossKind.WassersteinGp</c>, whose penalty is per sample.
    /// </summary>
    InfoGan,

    /// <summary>
    /// <see cref="InfoGan"/> conditioned on the digit as <see cref="ConditionalDcgan"/> is: a 50-value label embedding
    /// concatenated to the noise; a projection discriminator (Miyato and Koyama 2018) on its 1,024 features.
    /// </summary>
    ConditionalInfoGan,
}

/// <summary>How the built-in models' weights are initialised.</summary>
public enum WeightInitialization
{
    /// <summary>Keras' defaults, as the seeds' code: Glorot-uniform kernels, zero biases, batch-norm γ = 1 and β = 0.</summary>
    Keras,

    /// <summary>PyTorch's defaults: Kaiming-uniform (a = √5) weights and U(±1/√fan_in) biases.</summary>
    PyTorch,

    /// <summary>The DCGAN paper's: weights N(0, 0.02²), batch-norm γ ~ N(1, 0.02²), biases zero.</summary>
    Dcgan,
}

/// <summary>The hidden activation of the MLP models.</summary>
public enum MlpActivation
{
    /// <summary>ReLU, as seed 004.</summary>
    Relu,

    /// <summary>Leaky ReLU with the configured slope.</summary>
    LeakyRelu,
}

/// <summary>How the DCGAN generators' two stride-2 transposed convolutions (5x5, 7 → 14 → 28) pad their output.</summary>
public enum TransposedConvolutionPadding
{
    /// <summary>
    /// PyTorch's symmetric padding (<c>padding=2, output_padding=1</c>): output row r is row r + 2 of the unpadded
    /// transposed convolution (17 rows from 7).
    /// </summary>
    Symmetric,

    /// <summary>
    /// Keras' <c>Conv2DTranspose(padding="same")</c>, as the seeds: TensorFlow splits the padding total (3) as 1 before
    /// and 2 after, so output row r is row r + 1 of the unpadded transposed convolution, one row and column away from
    /// <see cref="Symmetric"/> (TensorFlow's <c>conv2d_transpose</c> is the adjoint of <c>conv2d</c> with "same" padding).
    /// </summary>
    KerasSame,
}
