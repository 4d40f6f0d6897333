using System.Globalization;
using System.Reflection;
using GanMnist.Models;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Checkpoints;

/// <summary>
/// A generator saved for inference: its parameters and buffers under the names PyTorch would use for the
/// same module (<c>main.0.weight</c>, <c>main.1.running_mean</c>), and what is needed to rebuild it.
/// </summary>
public static class GeneratorFile
{
    internal const string Format = "ganmnist.generator/1";

    /// <summary>The library version written into files.</summary>
    internal static string LibraryVersion { get; } =
        typeof(GeneratorFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Saves a built-in generator (atomically) with the options it was made with.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="architecture">Its architecture, or null for a custom model (its tensors load with <see cref="SafeTensorsFile.Read"/>).</param>
    /// <param name="leakyReluSlope">The LeakyReLU slope it was built with.</param>
    /// <param name="mlpActivation">The MLP activation it was built with.</param>
    /// <param name="dataset">The dataset it was trained on, recorded by name (its class names then come from <see cref="Data.MnistFamily"/>, for <c>generate --class NAME</c> and evaluation).</param>
    public static void Save(IGenerator generator, string path, GanArchitecture? architecture, double leakyReluSlope = 0.2, MlpActivation mlpActivation = MlpActivation.Relu,
        Data.DatasetInfo? dataset = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["library_version"] = LibraryVersion,
            ["architecture"] = architecture?.ToString() ?? "custom",
            ["latent_size"] = generator.LatentSize.ToString(CultureInfo.InvariantCulture),
            ["class_count"] = generator.ClassCount.ToString(CultureInfo.InvariantCulture),
            ["image_shape"] = string.Join(",", generator.ImageShape),
            ["leaky_relu_slope"] = leakyReluSlope.ToString("R", CultureInfo.InvariantCulture),
            ["mlp_activation"] = mlpActivation.ToString(),
            ["transposed_conv_padding"] = DcganGenerator.PaddingOf(generator.Module).ToString(),
        };
        if (architecture is GanArchitecture.InfoGan or GanArchitecture.ConditionalInfoGan)
        {
            metadata["width"] = GanModels.WidthOf(generator.Module).ToString(CultureInfo.InvariantCulture);
        }
        if (dataset is not null)
        {
            metadata["dataset"] = dataset.Name;
        }

        SafeTensorsFile.Write(path, generator.Module.state_dict(), metadata);
    }

    /// <summary>Rebuilds a built-in generator from a file written by <see cref="Save"/> and loads its weights (in evaluation mode).</summary>
    /// <exception cref="InvalidDataException">The file is malformed, is not a GanMnist generator, or its tensors do not fit the architecture.</exception>
    public static IGenerator Load(string path, Device? device = null)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentNullException.ThrowIfNull(path);
        if (Path.GetExtension(path).ToLowerInvariant() is ".pt" or ".pth")
        {
            throw new InvalidDataException($"'{path}' is a PyTorch file, which holds no architecture: import it with GeneratorFile.Import(path, architecture) (CLI: --architecture).");
        }

        using var content = SafeTensorsFile.Read(path);
        if (!content.Metadata.ContainsKey("format"))
        {
            throw new InvalidDataException(
                $"'{path}' has no GanMnist metadata (a plain state dict, as safetensors.torch.save_file writes): import it with GeneratorFile.Import(path, architecture) (CLI: --architecture).");
        }

        if (content.Require("format", path) != Format)
        {
            throw new InvalidDataException($"'{path}' is not a GanMnist generator file (format '{content.Metadata["format"]}', expected '{Format}').");
        }

        var architectureName = content.Require("architecture", path);
        if (!Enum.GetNames<GanArchitecture>().Contains(architectureName, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"'{path}' holds a '{architectureName}' generator, which GanMnist cannot rebuild; read its tensors with SafeTensorsFile.Read and load them into your module.");
        }

        // Every value the model is built from is checked first: the file is outside data, and a damaged latent_size
        // would otherwise size a layer (2^31 inputs: terabytes) before the tensors are compared with it.
        var classCount = content.Metadata.ContainsKey("class_count") ? ParseInt(content, "class_count", path, 0, MaxClassCount) : 0;
        var slopeText = content.Require("leaky_relu_slope", path);
        if (!double.TryParse(slopeText, NumberStyles.Float, CultureInfo.InvariantCulture, out var slope) || slope is not (>= 0 and <= 1))
        {
            throw new InvalidDataException($"'{path}' has a 'leaky_relu_slope' of '{slopeText}', expected a number in [0, 1].");
        }

        var activationName = content.Require("mlp_activation", path);
        if (!Enum.GetNames<MlpActivation>().Contains(activationName, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"'{path}' has an 'mlp_activation' of '{activationName}', expected one of {string.Join(", ", Enum.GetNames<MlpActivation>())}.");
        }

        // Files written before the option existed hold PyTorch's symmetric padding.
        var paddingName = content.Metadata.GetValueOrDefault("transposed_conv_padding", nameof(TransposedConvolutionPadding.Symmetric));
        if (!Enum.GetNames<TransposedConvolutionPadding>().Contains(paddingName, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"'{path}' has a 'transposed_conv_padding' of '{paddingName}', expected one of {string.Join(", ", Enum.GetNames<TransposedConvolutionPadding>())}.");
        }

        // Files written before widths existed hold the paper's InfoGAN width (the only one there was).
        int? width = content.Metadata.ContainsKey("width") ? ParseInt(content, "width", path, 4, 1024) : null;
        if (width is not null && architectureName is not (nameof(GanArchitecture.InfoGan) or nameof(GanArchitecture.ConditionalInfoGan)))
        {
            throw new InvalidDataException($"'{path}' has a 'width' of {width} for the architecture '{architectureName}', which has none (only InfoGan and ConditionalInfoGan do).");
        }

        var generator = GanModels.CreateGenerator(Enum.Parse<GanArchitecture>(architectureName),
            ParseInt(content, "latent_size", path, 1, MaxLatentSize),
            slope,
            mlpActivation: Enum.Parse<MlpActivation>(activationName),
            classCount: classCount >= 2 ? classCount : GanModels.ClassCount,
            padding: Enum.Parse<TransposedConvolutionPadding>(paddingName),
            width: width);
        try
        {
            LoadInto(generator.Module, content.Tensors, path, prefix: string.Empty);
            generator.Module.to(device ?? CPU).eval();
            return generator;
        }
        catch
        {
            generator.Module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds a generator of a built-in architecture and loads a plain state dict into it (in evaluation mode): a PyTorch file
    /// (<c>.pt</c>/<c>.pth</c>, <c>torch.save(generator.state_dict(), path)</c>) or a safetensors file with or without metadata.
    /// The names must be the module's (see docs/interop.md for the PyTorch classes that give them).
    /// </summary>
    /// <param name="path">The state dict file.</param>
    /// <param name="architecture">The architecture the weights belong to.</param>
    /// <param name="latentSize">Its noise size.</param>
    /// <param name="leakyReluSlope">Its LeakyReLU slope (no weights depend on it; it must match for the same outputs).</param>
    /// <param name="mlpActivation">The MLP's hidden activation.</param>
    /// <param name="classCount">The classes of a conditional architecture; by default the rows of its <c>embedding.weight</c> (else 10).</param>
    /// <param name="device">Where the weights go (the CPU by default).</param>
    /// <param name="padding">How a DCGAN generator's stride-2 transposed convolutions pad (the weights are the same shape either way; the images are not).</param>
    /// <param name="width">An InfoGAN generator's width (<see cref="GanModels.InfoGanWidth"/>); by default the size of the file's last batch norm (else the paper's 64).</param>
    /// <exception cref="ArgumentException">The extension is none of <c>.pt</c>, <c>.pth</c>, <c>.safetensors</c>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, or its tensors do not fit: the message names each tensor and both shapes.</exception>
    public static IGenerator Import(string path, GanArchitecture architecture, int latentSize = 100, double leakyReluSlope = 0.2,
        MlpActivation mlpActivation = MlpActivation.Relu, int? classCount = null, Device? device = null,
        TransposedConvolutionPadding padding = TransposedConvolutionPadding.Symmetric, int? width = null)
    {
        TorchRuntime.EnsureLoaded();
        var tensors = StateDictFile.Read(path);
        try
        {
            var classes = classCount
                ?? (tensors.TryGetValue("embedding.weight", out var embedding) && embedding.dim() == 2 && embedding.size(0) >= 2 ? (int)embedding.size(0) : GanModels.ClassCount);
            // An InfoGAN generator's width is the size of its smallest batch norm, as GanModels.WidthOf reads it from a module;
            // the smallest, not the last, because a PyTorch pickle's dictionary comes back in no fixed order.
            var means = tensors.Where(t => t.Key.EndsWith("running_mean", StringComparison.Ordinal)).Select(t => t.Value.size(0)).ToList();
            width ??= architecture is GanArchitecture.InfoGan or GanArchitecture.ConditionalInfoGan && means.Count > 0 && means.Min() is >= 4 and <= 1024
                ? (int)means.Min()
                : null;
            var generator = GanModels.CreateGenerator(architecture, latentSize, leakyReluSlope, mlpActivation: mlpActivation, classCount: classes, padding: padding, width: width);
            try
            {
                LoadInto(generator.Module, tensors, path, prefix: string.Empty);
                generator.Module.to(device ?? CPU).eval();
                return generator;
            }
            catch
            {
                generator.Module.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes a generator's weights for use outside GanMnist, by extension: <c>.pt</c>/<c>.pth</c> as a PyTorch state dict
    /// (<c>model.load_state_dict(torch.load(path))</c>), <c>.safetensors</c> as plain safetensors; see <see cref="StateDictFile.Save"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is none of <c>.pt</c>, <c>.pth</c>, <c>.safetensors</c>.</exception>
    public static void Export(IGenerator generator, string path)
    {
        ArgumentNullException.ThrowIfNull(generator);
        StateDictFile.Save(generator.Module, path);
    }

    /// <summary>
    /// The dataset a generator file says it was trained on (files from before datasets were named say nothing: MNIST), or null
    /// when it names one this library does not know.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static Data.DatasetInfo? ReadDataset(string path)
    {
        using var content = SafeTensorsFile.Read(path);
        return !content.Metadata.TryGetValue("dataset", out var name) ? Data.MnistFamily.Mnist
            : Data.MnistFamily.TryGet(name, out var dataset) ? dataset : null;
    }

    /// <summary><paramref name="count"/> images of class <paramref name="classIndex"/> (0-based) from a conditional generator, noise drawn with <paramref name="seed"/>; the caller owns them.</summary>
    /// <exception cref="ArgumentException">The generator is unconditional, or the class is not one of its classes.</exception>
    public static Tensor Generate(this IGenerator generator, int count, ulong seed, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.ClassCount == 0)
        {
            throw new ArgumentException("The generator is unconditional; it cannot be asked for a class.", nameof(generator));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, generator.ClassCount);
        using var labels = full([count], classIndex, ScalarType.Int64);
        return generator.Generate(count, seed, labels);
    }

    /// <summary>
    /// <paramref name="count"/> images (count, C, H, W) in [-1, 1] from noise drawn with <paramref name="seed"/>, in evaluation
    /// mode; the caller owns them. Image i depends only on the seed and i (and its label): asking for more images, or
    /// fewer, never changes the ones both counts share. A conditional generator given no <paramref name="labels"/> makes its classes in turn
    /// (0, 1, …, C − 1, 0, …), as the CLI's <c>generate</c> and the evaluator ask for them, so code written for an
    /// unconditional generator works with a conditional one.
    /// </summary>
    /// <param name="generator">The generator.</param>
    /// <param name="count">How many images, at least 1.</param>
    /// <param name="seed">The seed of the noise.</param>
    /// <param name="labels">Class indices (count) of a conditional generator, int64; null for an unconditional one (or classes in turn).</param>
    /// <exception cref="ArgumentException">Labels are given to an unconditional generator, or do not fit a conditional one.</exception>
    public static Tensor Generate(this IGenerator generator, int count, ulong seed, Tensor? labels = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var noise = SampleNoise.Draw(seed, 0, count, generator.LatentSize);
        return Generate(generator, noise, labels);
    }

    /// <summary>Images from noise drawn from <paramref name="random"/> (which advances), in evaluation mode without gradients; the generator's mode is restored.</summary>
    internal static Tensor Generate(IGenerator generator, int count, Generator random, Tensor? labels)
    {
        using var noise = randn([count, generator.LatentSize], generator: random);
        return Generate(generator, noise, labels);
    }

    /// <summary>Images from <paramref name="noise"/> (count, latent) on the CPU, in evaluation mode without gradients; the generator's mode is restored.</summary>
    private static Tensor Generate(IGenerator generator, Tensor noise, Tensor? labels)
    {
        var device = generator.Module.parameters().FirstOrDefault()?.device ?? CPU;
        var training = generator.Module.training;
        var count = noise.size(0);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        generator.Module.eval();
        try
        {
            labels ??= generator.ClassCount > 0 ? arange(count, ScalarType.Int64).remainder(generator.ClassCount) : null;
            return generator.Generate(noise.to(device), labels?.to(device)).MoveToOuterDisposeScope();
        }
        finally
        {
            generator.Module.train(training);
        }
    }

    /// <summary>Loads tensors named <c>prefix + name</c> into a module: every name and shape is checked before anything is copied.</summary>
    internal static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string path, string prefix)
    {
        // TorchSharp's state_dict() holds the module's own parameters and buffers: read them, never dispose them.
        var own = module.state_dict();
        var problems = new List<string>();
        foreach (var (name, t) in own)
        {
            if (!tensors.TryGetValue(prefix + name, out var saved))
            {
                problems.Add($"tensor '{prefix + name}' is missing");
            }
            else if (!saved.shape.SequenceEqual(t.shape) || saved.dtype != t.dtype)
            {
                problems.Add($"tensor '{prefix + name}' is [{string.Join(", ", saved.shape)}] {saved.dtype}, the model needs [{string.Join(", ", t.shape)}] {t.dtype}");
            }
        }

        problems.AddRange(tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !own.ContainsKey(k[prefix.Length..]))
            .Select(k => $"tensor '{k}' is not part of the model"));
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"'{path}' does not fit the model: {string.Join("; ", problems)}.");
        }

        module.load_state_dict(own.Keys.ToDictionary(k => k, k => tensors[prefix + k]));
    }

    /// <summary>The largest latent size a file may declare (the trainer's LatentSize allows the same).</summary>
    private const int MaxLatentSize = 4096;

    /// <summary>The most classes a file may declare (EMNIST's largest split has 62).</summary>
    private const int MaxClassCount = 1000;

    private static int ParseInt(SafeTensorsContent content, string key, string path, int min, int max)
    {
        var text = content.Require(key, path);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value : throw new InvalidDataException($"'{path}' has a '{key}' of '{text}', expected a whole number in [{min}, {max}].");
    }
}
