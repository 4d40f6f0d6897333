using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>One row of a <see cref="ModelSummary"/>: a leaf module, the shape it gave and its parameter counts.</summary>
/// <param name="Name">The module's dotted name in its model (as in the state dict, e.g. <c>main.0</c>).</param>
/// <param name="Type">The layer's kind (<c>Linear</c>, <c>Conv2d</c>, <c>BatchNorm1d</c>, …).</param>
/// <param name="OutputShape">The shape of its output for the summary's input, the batch dimension as -1; null when the layer was not called.</param>
/// <param name="Parameters">Its trainable parameters plus its non-trainable ones (below).</param>
/// <param name="NonTrainable">Parameters that do not train: frozen ones and batch norm's running mean and variance (Keras counts those as weights).</param>
public sealed record LayerSummary(string Name, string Type, IReadOnlyList<long>? OutputShape, long Parameters, long NonTrainable);

/// <summary>
/// A Keras-style summary of a model (<c>model.summary()</c>): each leaf layer in the order it ran, its output shape and its
/// parameters, then the totals. Non-trainable counts include batch norm's running statistics, as Keras' do, so the seeds'
/// DCGAN gives seed 003's figures.
/// </summary>
public sealed class ModelSummary
{
    private ModelSummary(string title, IReadOnlyList<LayerSummary> layers)
    {
        (Title, Layers) = (title, layers);
        TotalParameters = layers.Sum(l => l.Parameters);
        NonTrainableParameters = layers.Sum(l => l.NonTrainable);
    }

    /// <summary>What was summarised (the model's module name).</summary>
    public string Title { get; }

    /// <summary>The leaf layers: those that ran, in the order they ran, then any that did not.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Every parameter and batch-norm running statistic.</summary>
    public long TotalParameters { get; }

    /// <summary>The parameters an optimiser updates.</summary>
    public long TrainableParameters => TotalParameters - NonTrainableParameters;

    /// <summary>Frozen parameters and batch-norm running statistics.</summary>
    public long NonTrainableParameters { get; }

    /// <summary>Summarises a generator on one batch of two noise vectors (and labels 0 and 1 when it is conditional).</summary>
    public static ModelSummary Of(IGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Run(generator.Module, device => generator.Generate(zeros([2, generator.LatentSize], device: device), Labels(generator.ClassCount, device)));
    }

    /// <summary>Summarises a discriminator on one batch of two blank images (and labels 0 and 1 when it is conditional).</summary>
    public static ModelSummary Of(IDiscriminator discriminator)
    {
        ArgumentNullException.ThrowIfNull(discriminator);
        return Run(discriminator.Module, device => discriminator.Forward(zeros([2, .. discriminator.ImageShape], device: device), Labels(discriminator.ClassCount, device)));
    }

    /// <summary>Summarises any TorchSharp module on a zero input of <paramref name="inputShape"/> (batch dimension included, at least 2 for batch norm's sake).</summary>
    /// <param name="module">The model.</param>
    /// <param name="inputShape">The input's shape, e.g. <c>[2, 100]</c> or <c>[2, 1, 28, 28]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="inputShape"/> is empty, or the module refuses an input of that shape (the message says what it said).</exception>
    public static ModelSummary Of(nn.Module<Tensor, Tensor> module, params long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0)
        {
            throw new ArgumentException("The input shape needs at least a batch dimension, e.g. [2, 100].", nameof(inputShape));
        }

        return Run(module, device => module.call(zeros(inputShape, device: device)));
    }

    /// <summary>The Keras-style table: layer (type), output shape, parameters; then the three totals.</summary>
    public override string ToString()
    {
        var rows = Layers.Select(l => (Layer: $"{l.Name} ({l.Type})", Shape: FormatShape(l.OutputShape), Count: Count(l.Parameters))).ToList();
        var (w1, w2, w3) = (Math.Max(20, rows.Select(r => r.Layer.Length).DefaultIfEmpty().Max()), Math.Max(12, rows.Select(r => r.Shape.Length).DefaultIfEmpty().Max()), Math.Max(7, rows.Select(r => r.Count.Length).DefaultIfEmpty().Max()));
        var rule = new string('_', w1 + w2 + w3 + 4);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Model: \"{Title}\"").AppendLine(rule);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)".PadRight(w1)}  {"Output Shape".PadRight(w2)}  {"Param #".PadLeft(w3)}");
        text.AppendLine(new string('=', rule.Length));
        foreach (var (layer, shape, count) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{layer.PadRight(w1)}  {shape.PadRight(w2)}  {count.PadLeft(w3)}");
        }

        text.AppendLine(new string('=', rule.Length));
        text.AppendLine(CultureInfo.InvariantCulture, $"Total params: {Count(TotalParameters)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {Count(TrainableParameters)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {Count(NonTrainableParameters)}");
        return text.Append(rule).ToString();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string FormatShape(IReadOnlyList<long>? shape) =>
        shape is null ? "(not called)" : "(" + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + ")";

    private static Tensor? Labels(int classCount, Device device) => classCount > 0 ? tensor(new long[] { 0, 1 % classCount }, device: device) : null;

    /// <summary>Runs the model once in evaluation mode without gradients, recording each leaf's output through forward hooks; restores every module's mode after.</summary>
    private static ModelSummary Run(nn.Module model, Func<Device, Tensor> forward)
    {
        // A layer used twice is one row (and its parameters counted once), as Keras shows a shared layer.
        var leaves = model.named_modules().Where(m => !m.module.children().Any()).DistinctBy(m => (object)m.module, ReferenceEqualityComparer.Instance).ToList();
        if (leaves.Count == 0)
        {
            leaves = [(model.GetName(), model)];
        }

        var shapes = new Dictionary<nn.Module, long[]>(ReferenceEqualityComparer.Instance);
        var order = new List<nn.Module>();
        var removers = new List<Action>();
        var modes = model.modules().Prepend(model).Distinct(ReferenceEqualityComparer.Instance).Cast<nn.Module>().Select(m => (Module: m, m.training)).ToList();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        try
        {
            foreach (var (_, leaf) in leaves)
            {
                if (leaf is nn.Module<Tensor, Tensor> typed)
                {
                    var remover = typed.register_forward_hook((m, _, output) =>
                    {
                        if (shapes.TryAdd(m, [-1, .. output.shape.Skip(1)]))
                        {
                            order.Add(m);
                        }

                        return output;
                    });
                    removers.Add(remover.remove);
                }
            }

            model.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            try
            {
                forward(device);
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
            {
                throw new ArgumentException($"The model {NameOf(model)} refused the summary's input: {e.Message}", e);
            }
        }
        finally
        {
            foreach (var remover in removers)
            {
                remover();
            }

            foreach (var (module, training) in modes)
            {
                module.train(training); // each module's own mode, as it was
            }
        }

        var names = leaves.ToDictionary(l => (object)l.module, l => l.name, ReferenceEqualityComparer.Instance);
        var rows = order.Concat(leaves.Select(l => l.module).Where(m => !shapes.ContainsKey(m)))
            .Select(m => Row(names[m], m, shapes.GetValueOrDefault(m)))
            .ToList();
        return new ModelSummary(NameOf(model), rows);
    }

    /// <summary>The module's own name, or its type's where TorchSharp names it after the native class (<c>torch::nn::SequentialImpl</c>).</summary>
    private static string NameOf(nn.Module module) => module.GetName() is { } name && !name.Contains("::", StringComparison.Ordinal) ? name : module.GetType().Name;

    private static LayerSummary Row(string name, nn.Module module, long[]? shape)
    {
        var parameters = module.parameters(recurse: false).ToList();
        var trainable = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
        var frozen = parameters.Where(p => !p.requires_grad).Sum(p => p.numel());
        var statistics = module.named_buffers(recurse: false)
            .Where(b => b.name is "running_mean" or "running_var")
            .Sum(b => b.buffer.numel());
        return new LayerSummary(name, TypeName(module), shape, trainable + frozen + statistics, frozen + statistics);
    }

    /// <summary>The layer's kind as PyTorch names it: GanMnist's mixed-precision and Keras-padding layers are their TorchSharp counterparts.</summary>
    private static string TypeName(nn.Module module) => module.GetType().Name switch
    {
        "AutocastLinear" => "Linear",
        "AutocastConv2d" => "Conv2d",
        "AutocastConvTranspose2d" => "ConvTranspose2d",
        "KerasSameConvTranspose2d" => "ConvTranspose2d",
        var name => name,
    };
}
