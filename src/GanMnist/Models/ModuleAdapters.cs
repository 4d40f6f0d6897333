using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>A plain TorchSharp module used as an unconditional generator: noise (N, latent) → images (N, C, H, W).</summary>
internal sealed class ModuleGenerator(nn.Module<Tensor, Tensor> module, int latentSize, IReadOnlyList<long> imageShape) : IGenerator
{
    public int LatentSize { get; } = latentSize;

    public IReadOnlyList<long> ImageShape { get; } = imageShape;

    public int ClassCount => 0;

    public nn.Module Module => module;

    public Tensor Generate(Tensor noise, Tensor? labels = null) => labels is null
        ? module.call(noise)
        : throw new ArgumentException($"The generator module '{module.GetName()}' is unconditional; it takes no labels.", nameof(labels));
}

/// <summary>
/// A plain TorchSharp module used as an unconditional discriminator: images → one logit each. Its features (for feature
/// matching) are the input of its last layer when it is a <see cref="Sequential"/>.
/// </summary>
internal sealed class ModuleDiscriminator(nn.Module<Tensor, Tensor> module, IReadOnlyList<long> imageShape) : IDiscriminator
{
    public IReadOnlyList<long> ImageShape { get; } = imageShape;

    public int ClassCount => 0;

    public nn.Module Module => module;

    public Tensor Forward(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels);
        return module.call(images);
    }

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
    {
        RequireUnconditional(labels);
        if (module is not Sequential { Count: > 1 } sequential)
        {
            throw new NotSupportedException($"The discriminator module '{module.GetName()}' is not a Sequential, so it has no features before its last layer " +
                "(feature matching needs them): implement IDiscriminator.ForwardWithFeatures, or make it an nn.Sequential.");
        }

        return ModelShapes.LogitsAndFeatures(sequential, images);
    }

    private void RequireUnconditional(Tensor? labels)
    {
        if (labels is not null)
        {
            throw new ArgumentException($"The discriminator module '{module.GetName()}' is unconditional; it takes no labels.", nameof(labels));
        }
    }
}
