using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>A generator: maps latent noise (and, for conditional models, class labels) to images in [-1, 1].</summary>
public interface IGenerator
{
    /// <summary>The size of the latent noise vector.</summary>
    int LatentSize { get; }

    /// <summary>The shape of one generated image: (channels, height, width).</summary>
    IReadOnlyList<long> ImageShape { get; }

    /// <summary>The number of classes the generator is conditioned on; 0 for an unconditional model.</summary>
    int ClassCount { get; }

    /// <summary>The module holding the parameters and buffers (training mode, state dictionaries, devices).</summary>
    nn.Module Module { get; }

    /// <summary>Images (N, C, H, W) from noise (N, <see cref="LatentSize"/>) and, when conditional, int64 labels (N).</summary>
    Tensor Generate(Tensor noise, Tensor? labels = null);
}

/// <summary>A discriminator (or critic): maps images (and optional labels) to one logit or score per image.</summary>
public interface IDiscriminator
{
    /// <summary>The shape of one input image: (channels, height, width).</summary>
    IReadOnlyList<long> ImageShape { get; }

    /// <summary>The number of classes the discriminator is conditioned on; 0 for an unconditional model.</summary>
    int ClassCount { get; }

    /// <summary>The module holding the parameters and buffers.</summary>
    nn.Module Module { get; }

    /// <summary>One logit (score) per image: (N, 1).</summary>
    Tensor Forward(Tensor images, Tensor? labels = null);

    /// <summary>The logits and the intermediate features before the last layer (N, F), for feature matching.</summary>
    (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null);
}
