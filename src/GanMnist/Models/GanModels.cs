using GanMnist.Torch.Modules;
using static GanMnist.Torch.torch;

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
    public static IGenerator CreateGenerator(GanArchitecture architecture, int latentSize = 100, double leakyReluSlope = 0.2,
        WeightInitialization initialization = WeightInitialization.Keras, MlpActivation mlpActivation = MlpActivation.Relu, Generator? generator = null)
    {
        IGenerator model = architecture switch
        {
            GanArchitecture.Dcgan => new DcganGenerator(latentSize, leakyReluSlope),
            GanArchitecture.Mlp => new MlpGenerator(latentSize, mlpActivation, leakyReluSlope),
            GanArchitecture.ConditionalDcgan => new ConditionalGenerator("ConditionalDcganGenerator", "conditional DCGAN generator", latentSize, ClassCount,
                LabelEmbeddingSize, DcganGenerator.Body(latentSize + LabelEmbeddingSize, leakyReluSlope)),
            GanArchitecture.ConditionalMlp => new ConditionalGenerator("ConditionalMlpGenerator", "conditional MLP generator", latentSize, ClassCount,
                LabelEmbeddingSize, MlpGenerator.Body(latentSize + LabelEmbeddingSize, mlpActivation, leakyReluSlope)),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "unknown architecture"),
        };
        Initialize(model.Module, initialization, generator);
        if (model is ConditionalGenerator conditional)
        {
            nn.init.normal_(conditional.LabelEmbedding.weight, 0, 1, generator); // the noise's scale
        }

        return model;
    }

    /// <summary>The number of classes of the conditional architectures (the ten digits).</summary>
    public const int ClassCount = 10;

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
    public static IDiscriminator CreateDiscriminator(GanArchitecture architecture, double leakyReluSlope = 0.2,
        WeightInitialization initialization = WeightInitialization.Keras, MlpActivation mlpActivation = MlpActivation.Relu, Generator? generator = null,
        int minibatchKernels = 0, int minibatchKernelSize = 8)
    {
        long size;
        IDiscriminator model = architecture switch
        {
            GanArchitecture.Dcgan => new DcganDiscriminator(leakyReluSlope, minibatchKernels, minibatchKernelSize),
            GanArchitecture.Mlp => new MlpDiscriminator(mlpActivation, leakyReluSlope, minibatchKernels, minibatchKernelSize),
            GanArchitecture.ConditionalDcgan => new ConditionalDiscriminator("ConditionalDcganDiscriminator", "conditional DCGAN discriminator", ClassCount,
                DcganDiscriminator.Features(leakyReluSlope, minibatchKernels, minibatchKernelSize, out size), size),
            GanArchitecture.ConditionalMlp => new ConditionalDiscriminator("ConditionalMlpDiscriminator", "conditional MLP discriminator", ClassCount,
                MlpDiscriminator.Features(mlpActivation, leakyReluSlope, minibatchKernels, minibatchKernelSize, out size), size),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "unknown architecture"),
        };
        Initialize(model.Module, initialization, generator);
        if (model is ConditionalDiscriminator conditional)
        {
            nn.init.xavier_uniform_(conditional.Projection.weight, generator: generator);
        }

        return model;
    }

    /// <summary>Re-initialises every linear, convolution and batch-norm layer of <paramref name="module"/>.</summary>
    public static void Initialize(nn.Module module, WeightInitialization initialization, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (initialization == WeightInitialization.Dcgan)
        {
            nn.init.dcgan_(module, generator);
            return;
        }

        foreach (var m in module.modules())
        {
            switch (m)
            {
                case BatchNorm bn when bn.weight is not null:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias!);
                    break;
                case Linear or Conv2d or ConvTranspose2d:
                    foreach (var (name, p) in m.named_parameters(recurse: false))
                    {
                        if (name == "bias")
                        {
                            ResetBias(m, p, initialization, generator);
                        }
                        else if (initialization == WeightInitialization.Keras)
                        {
                            nn.init.xavier_uniform_(p, generator: generator);
                        }
                        else
                        {
                            nn.init.kaiming_uniform_(p, Math.Sqrt(5), generator);
                        }
                    }

                    break;
            }
        }
    }

    private static void ResetBias(nn.Module layer, nn.Parameter bias, WeightInitialization initialization, Generator? generator)
    {
        if (initialization == WeightInitialization.Keras)
        {
            nn.init.zeros_(bias);
            return;
        }

        var weight = layer.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        var bound = 1 / Math.Sqrt(fanIn);
        nn.init.uniform_(bias, -bound, bound, generator);
    }
}
