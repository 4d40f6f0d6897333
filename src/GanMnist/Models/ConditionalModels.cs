using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>
/// A class-conditional generator: a learned label embedding (<c>embedding</c>, N(0, 1) like the noise) concatenated
/// to the noise, then the unconditional architecture's layers (<c>main</c>) on the longer input.
/// </summary>
internal sealed class ConditionalGenerator : nn.Module<Tensor, Tensor>, IGenerator
{
    private readonly string _description;
    private readonly Embedding _embedding;
    private readonly Sequential _main;

    public ConditionalGenerator(string name, string description, int latentSize, int classCount, int embeddingSize, Sequential main) : base(name)
    {
        (_description, LatentSize, ClassCount) = (description, latentSize, classCount);
        register_module("embedding", _embedding = nn.Embedding(classCount, embeddingSize));
        register_module("main", _main = main);
    }

    public int LatentSize { get; }

    public IReadOnlyList<long> ImageShape => ModelShapes.Mnist;

    public int ClassCount { get; }

    public nn.Module Module => this;

    internal Embedding LabelEmbedding => _embedding;

    public Tensor Generate(Tensor noise, Tensor? labels = null)
    {
        ConditionalDiscriminator.RequireLabels(labels, noise.size(0), ClassCount, _description);
        using var scope = NewDisposeScope();
        return _main.call(cat([noise, _embedding.call(labels!)], 1)).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input) =>
        throw new NotSupportedException($"The {_description} needs labels: call Generate(noise, labels).");
}

/// <summary>
/// A class-conditional discriminator with a projection (Miyato and Koyama 2018): features φ(x) from the unconditional
/// architecture's layers (<c>main</c>), logit = <c>head</c>(φ) + ⟨<c>embedding</c>(y), φ⟩.
/// </summary>
internal sealed class ConditionalDiscriminator : nn.Module<Tensor, Tensor>, IDiscriminator
{
    private readonly string _description;
    private readonly Sequential _main;
    private readonly nn.Module<Tensor, Tensor> _head;
    private readonly Embedding _embedding;

    public ConditionalDiscriminator(string name, string description, int classCount, nn.Module<Tensor, Tensor>[] features, long featureSize) : base(name)
    {
        (_description, ClassCount) = (description, classCount);
        register_module("main", _main = nn.Sequential(features));
        register_module("head", _head = Autocast.Linear(featureSize, 1));
        register_module("embedding", _embedding = nn.Embedding(classCount, featureSize));
    }

    public IReadOnlyList<long> ImageShape => ModelShapes.Mnist;

    public int ClassCount { get; }

    public nn.Module Module => this;

    internal Embedding Projection => _embedding;

    public Tensor Forward(Tensor images, Tensor? labels = null) => ForwardWithFeatures(images, labels).Logits;

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor images, Tensor? labels = null)
    {
        RequireLabels(labels, images.size(0), ClassCount, _description);
        using var scope = NewDisposeScope();
        var features = _main.call(images).flatten(1);
        var logits = _head.call(features) + (_embedding.call(labels!) * features).sum([1], keepdim: true);
        return (logits.MoveToOuterDisposeScope(), features.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor input) =>
        throw new NotSupportedException($"The {_description} needs labels: call Forward(images, labels).");

    internal static void RequireLabels(Tensor? labels, long count, int classCount, string description)
    {
        if (labels is null)
        {
            throw new ArgumentException($"The {description} is conditional on {classCount} classes; pass int64 labels in 0..{classCount - 1}.", nameof(labels));
        }

        if (labels.dim() != 1 || labels.size(0) != count)
        {
            throw new ArgumentException($"The {description} needs one label per image ({count}); got labels of shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        }
    }
}
