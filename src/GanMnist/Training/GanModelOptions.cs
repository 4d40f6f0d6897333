using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>The built-in models: architecture, width, latent size, activations, initialisation, padding and minibatch discrimination. Part of <see cref="GanTrainerOptions"/> (configuration section <c>GanMnist:Model</c>).</summary>
public sealed class GanModelOptions
{
    /// <summary>The architecture of the built-in models.</summary>
    /// <value>Default: <see cref="GanArchitecture.Dcgan"/>.</value>
    public GanArchitecture Architecture { get; set; } = GanTrainerDefaults.Architecture;

    /// <summary>
    /// The width of the InfoGAN networks (<see cref="GanArchitecture.InfoGan"/>, <see cref="GanArchitecture.ConditionalInfoGan"/>):
    /// the channels of the generator's last hidden layer and the discriminator's first convolution (see
    /// <see cref="GanModels.InfoGanWidth"/>); null for the paper's 64. The other architectures take only null.
    /// </summary>
    /// <value>Default: null.</value>
    [Range(4, 1024)]
    public int? ModelWidth { get; set; }

    /// <summary>The latent noise size.</summary>
    /// <value>Default: 100.</value>
    [Range(1, 4096)]
    public int LatentSize { get; set; } = GanTrainerDefaults.LatentSize;

    /// <summary>The negative slope of the LeakyReLU activations.</summary>
    /// <value>Default: 0.2 (the DCGAN paper's and pytorch/examples'); seed 000, the TensorFlow tutorial, has Keras' default 0.3, which the <c>dcgan</c> preset sets.</value>
    [Range(0.0, 1.0)]
    public double LeakyReluSlope { get; set; } = GanTrainerDefaults.LeakyReluSlope;

    /// <summary>The hidden activation of the MLP models.</summary>
    /// <value>Default: <see cref="MlpActivation.Relu"/> (seed 004).</value>
    public MlpActivation MlpActivation { get; set; } = GanTrainerDefaults.MlpActivation;

    /// <summary>How the built-in models are initialised.</summary>
    /// <value>Default: <see cref="WeightInitialization.Keras"/> (PyTorch's default collapsed the seed DCGAN in our runs).</value>
    public WeightInitialization Initialization { get; set; } = GanTrainerDefaults.Initialization;

    /// <summary>How the DCGAN generators' stride-2 transposed convolutions pad (no effect on the MLPs).</summary>
    /// <value>Default: <see cref="Models.TransposedConvolutionPadding.Symmetric"/> (PyTorch's); the <c>dcgan</c> preset uses <see cref="Models.TransposedConvolutionPadding.KerasSame"/>, as the seeds.</value>
    public TransposedConvolutionPadding TransposedConvolutionPadding { get; set; } = GanTrainerDefaults.TransposedConvolutionPadding;

    /// <summary>Kernels of a minibatch-discrimination layer inserted before the discriminator's last layer (Salimans et al. 2016); 0 inserts none.</summary>
    /// <value>Default: 0.</value>
    [Range(0, 4096)]
    public int MinibatchDiscriminationKernels { get; set; }

    /// <summary>The dimension each minibatch-discrimination kernel compares in.</summary>
    /// <value>Default: 8.</value>
    [Range(1, 1024)]
    public int MinibatchDiscriminationKernelSize { get; set; } = GanTrainerDefaults.MinibatchDiscriminationKernelSize;

    internal GanModelOptions Clone() => (GanModelOptions)MemberwiseClone();
}
