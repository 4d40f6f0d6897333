using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Models;

/// <summary>Creates the built-in models.</summary>
public static class GanModels
{
    /// <summary>The generator of <paramref name="architecture"/>, initialised as asked.</summary>
    /// <param name="architecture">Which architecture.</param>
    /// <param name="latentSize">The noise size (the seeds use 100).</param>
    /// <param name="leakyReluSlope">The slope of LeakyReLU activations.</param>
    /// <param name="initialization">The weight initialisation.</param>
    /// <param name="mlpActivation">The MLP's hidden activation.</param>
    /// <param name="generator">The random generator used for initialisation (the default generator when null).</param>
    /// <param name="classCount">The classes of the conditional architectures (the dataset's <see cref="Data.DatasetInfo.ClassCount"/>); ignored by the others.</param>
    /// <param name="padding">How the DCGAN generators' stride-2 transposed convolutions pad; ignored by the MLPs.</param>
    /// <param name="width">The InfoGAN networks' width (see <see cref="InfoGanWidth"/>); null for the paper's 64; the other architectures take only null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2 for a conditional architecture, or <paramref name="width"/> is
    /// outside 4..1024 or given for an architecture without one.</exception>
    public static IGenerator CreateGenerator(GanArchitecture architecture, int latentSize = 100, double leakyReluSlope = 0.2,
        WeightInitialization initialization = WeightInitialization.Keras, MlpActivation mlpActivation = MlpActivation.Relu, Generator? generator = null,
        int classCount = ClassCount, TransposedConvolutionPadding padding = TransposedConvolutionPadding.Symmetric, int? width = null)
    {
        TorchRuntime.EnsureLoaded();
        RequireClasses(architecture, classCount);
        var w = RequireWidth(architecture, width);
        IGenerator model = architecture switch
        {
            GanArchitecture.Dcgan => new DcganGenerator(latentSize, leakyReluSlope, padding),
            GanArchitecture.Mlp => new MlpGenerator(latentSize, mlpActivation, leakyReluSlope),
            GanArchitecture.InfoGan => new InfoGanGenerator(latentSize, w),
            GanArchitecture.ConditionalDcgan => new ConditionalGenerator("ConditionalDcganGenerator", "conditional DCGAN generator", latentSize, classCount,
                LabelEmbeddingSize, DcganGenerator.Body(latentSize + LabelEmbeddingSize, leakyReluSlope, padding)),
            GanArchitecture.ConditionalMlp => new ConditionalGenerator("ConditionalMlpGenerator", "conditional MLP generator", latentSize, classCount,
                LabelEmbeddingSize, MlpGenerator.Body(latentSize + LabelEmbeddingSize, mlpActivation, leakyReluSlope)),
            GanArchitecture.ConditionalInfoGan => new ConditionalGenerator("ConditionalInfoGanGenerator", "conditional InfoGAN generator", latentSize, classCount,
                LabelEmbeddingSize, InfoGanGenerator.Body(latentSize + LabelEmbeddingSize, w)),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "unknown architecture"),
        };
        Initialize(model.Module, initialization, generator);
        if (model is ConditionalGenerator conditional)
        {
            using (no_grad())
            {
                conditional.LabelEmbedding.weight!.normal_(0, 1, generator); // the noise's scale
            }
        }

        return model;
    }

    /// <summary>
    /// Wraps any TorchSharp module that maps noise (N, <paramref name="latentSize"/>) to images (N, C, H, W) in [-1, 1]
    /// as an unconditional <see cref="IGenerator"/>; the module is used as it is (not re-initialised).
    /// </summary>
    /// <param name="module">The generator network.</param>
    /// <param name="latentSize">The size of the noise vector it takes.</param>
    /// <param name="imageShape">The shape of one image it makes; (1, 28, 28) when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="latentSize"/> is below 1.</exception>
    public static IGenerator AsGenerator(nn.Module<Tensor, Tensor> module, int latentSize, IReadOnlyList<long>? imageShape = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfLessThan(latentSize, 1);
        return new ModuleGenerator(module, latentSize, imageShape ?? ModelShapes.Mnist);
    }

    /// <summary>
    /// Wraps any TorchSharp module that maps images (N, C, H, W) to one logit per image (N, 1) as an unconditional
    /// <see cref="IDiscriminator"/>. Feature matching needs the module to be an <c>nn.Sequential</c> (its features are the
    /// input of its last layer).
    /// </summary>
    /// <param name="module">The discriminator network.</param>
    /// <param name="imageShape">The shape of one image it takes; (1, 28, 28) when null.</param>
    public static IDiscriminator AsDiscriminator(nn.Module<Tensor, Tensor> module, IReadOnlyList<long>? imageShape = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new ModuleDiscriminator(module, imageShape ?? ModelShapes.Mnist);
    }

    /// <summary>The default number of classes of the conditional architectures (MNIST's ten digits).</summary>
    public const int ClassCount = 10;

    private static void RequireClasses(GanArchitecture architecture, int classCount)
    {
        if (architecture is GanArchitecture.ConditionalDcgan or GanArchitecture.ConditionalMlp or GanArchitecture.ConditionalInfoGan && classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"A conditional architecture ({architecture}) needs at least 2 classes.");
        }
    }

    /// <summary>
    /// The InfoGAN networks' width: the channels of the generator's last hidden layer and of the discriminator's first
    /// convolution; their other layers have 2x (convolutions) and 16x (fully connected) as many. The paper's is 64; the
    /// multiply-adds of an image go with its square (13.1M for the generator at 64, 3.3M at 32).
    /// </summary>
    public const int InfoGanWidth = InfoGanGenerator.PaperWidth;

    private static int RequireWidth(GanArchitecture architecture, int? width)
    {
        if (width is null)
        {
            return InfoGanWidth;
        }

        if (architecture is not (GanArchitecture.InfoGan or GanArchitecture.ConditionalInfoGan))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Only the InfoGan and ConditionalInfoGan architectures have a width; {architecture} takes null.");
        }

        if (width is < 4 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "An InfoGAN width must be 4 to 1024.");
        }

        return width.Value;
    }

    /// <summary>The width an InfoGAN-family generator module was built with: the channels of its smallest batch norm (BN(16w), BN(98w), BN2d(w)).</summary>
    internal static int WidthOf(nn.Module generator) =>
        (int)generator.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).Min(b => b.buffer.size(0));

    /// <summary>The size of the conditional generators' label embedding.</summary>
    public const int LabelEmbeddingSize = 50;

    /// <summary>The discriminator of <paramref name="architecture"/>, initialised as asked.</summary>
    /// <param name="architecture">Which architecture.</param>
    /// <param name="leakyReluSlope">The slope of LeakyReLU activations.</param>
    /// <param name="initialization">The weight initialisation.</param>
    /// <param name="mlpActivation">The MLP's hidden activation.</param>
    /// <param name="generator">The random generator used for initialisation (the default generator when null).</param>
    /// <param name="minibatchKernels">When positive, a <see cref="MinibatchDiscrimination"/> layer with this many kernels goes before the last layer.</param>
    /// <param name="minibatchKernelSize">The kernel dimension of that layer.</param>
    /// <param name="classCount">The classes of the conditional architectures (the dataset's <see cref="Data.DatasetInfo.ClassCount"/>); ignored by the others.</param>
    /// <param name="width">The InfoGAN networks' width (see <see cref="InfoGanWidth"/>); null for the paper's 64; the other architectures take only null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2 for a conditional architecture, or <paramref name="width"/> is
    /// outside 4..1024 or given for an architecture without one.</exception>
    public static IDiscriminator CreateDiscriminator(GanArchitecture architecture, double leakyReluSlope = 0.2,
        WeightInitialization initialization = WeightInitialization.Keras, MlpActivation mlpActivation = MlpActivation.Relu, Generator? generator = null,
        int minibatchKernels = 0, int minibatchKernelSize = 8, int classCount = ClassCount, int? width = null)
    {
        TorchRuntime.EnsureLoaded();
        RequireClasses(architecture, classCount);
        var w = RequireWidth(architecture, width);
        long size;
        IDiscriminator model = architecture switch
        {
            GanArchitecture.Dcgan => new DcganDiscriminator(leakyReluSlope, minibatchKernels, minibatchKernelSize),
            GanArchitecture.Mlp => new MlpDiscriminator(mlpActivation, leakyReluSlope, minibatchKernels, minibatchKernelSize),
            GanArchitecture.InfoGan => new InfoGanDiscriminator(leakyReluSlope, minibatchKernels, minibatchKernelSize, w),
            GanArchitecture.ConditionalDcgan => new ConditionalDiscriminator("ConditionalDcganDiscriminator", "conditional DCGAN discriminator", classCount,
                DcganDiscriminator.Features(leakyReluSlope, minibatchKernels, minibatchKernelSize, out size), size),
            GanArchitecture.ConditionalMlp => new ConditionalDiscriminator("ConditionalMlpDiscriminator", "conditional MLP discriminator", classCount,
                MlpDiscriminator.Features(mlpActivation, leakyReluSlope, minibatchKernels, minibatchKernelSize, out size), size),
            GanArchitecture.ConditionalInfoGan => new ConditionalDiscriminator("ConditionalInfoGanDiscriminator", "conditional InfoGAN discriminator", classCount,
                InfoGanDiscriminator.Features(leakyReluSlope, minibatchKernels, minibatchKernelSize, out size, w), size),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "unknown architecture"),
        };
        Initialize(model.Module, initialization, generator);
        if (model is ConditionalDiscriminator conditional)
        {
            using (no_grad())
            {
                XavierUniform(conditional.Projection.weight!, generator);
            }
        }

        return model;
    }

    /// <summary>Re-initialises every linear, convolution and batch-norm layer of <paramref name="module"/>.</summary>
    public static void Initialize(nn.Module module, WeightInitialization initialization, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var noGrad = no_grad();
        foreach (var m in module.modules())
        {
            switch (m)
            {
                case NormBase { weight: not null } bn:
                    if (initialization == WeightInitialization.Dcgan)
                    {
                        bn.weight.normal_(1.0, 0.02, generator);
                    }
                    else
                    {
                        nn.init.ones_(bn.weight);
                    }

                    nn.init.zeros_(bn.bias!);
                    break;
                case Linear or Conv2d or ConvTranspose2d or KerasSameConvTranspose2d or AutocastLayer:
                    foreach (var (name, p) in m.named_parameters(recurse: false))
                    {
                        if (name == "bias")
                        {
                            ResetBias(m, p, initialization, generator);
                        }
                        else if (initialization == WeightInitialization.Dcgan)
                        {
                            p.normal_(0, 0.02, generator);
                        }
                        else if (initialization == WeightInitialization.Keras)
                        {
                            XavierUniform(p, generator);
                        }
                        else
                        {
                            KaimingUniform(p, Math.Sqrt(5), generator);
                        }
                    }

                    break;
            }
        }
    }

    // TorchSharp's xavier_uniform_ and kaiming_uniform_ take no random generator, and its nn.init.uniform_ and normal_
    // ignore the one they take (TorchSharp 0.107): these draw PyTorch's torch.nn.init distributions through the
    // tensor's own uniform_ and normal_, which use the generator given (the default generator when null).
    private static void XavierUniform(Tensor weight, Generator? generator)
    {
        using var noGrad = no_grad(); // in place on parameters, as torch.nn.init does
        var (fanIn, fanOut) = nn.init.CalculateFanInAndFanOut(weight);
        var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        weight.uniform_(-bound, bound, generator);
    }

    internal static void KaimingUniform(Tensor weight, double a, Generator? generator)
    {
        using var noGrad = no_grad();
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        var bound = Math.Sqrt(2.0 / (1 + (a * a))) * Math.Sqrt(3.0 / fanIn);
        weight.uniform_(-bound, bound, generator);
    }

    private static void ResetBias(nn.Module layer, Parameter bias, WeightInitialization initialization, Generator? generator)
    {
        if (initialization != WeightInitialization.PyTorch)
        {
            nn.init.zeros_(bias);
            return;
        }

        var weight = layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        var bound = 1 / Math.Sqrt(fanIn);
        bias.uniform_(-bound, bound, generator);
    }
}
