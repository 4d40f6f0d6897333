using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Models;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

/// <summary>Which file a model was loaded from, and why that one.</summary>
/// <param name="Path">The file the weights came from.</param>
/// <param name="Description">The file and why it was used, for messages, e.g. "…/step_0000000469.safetensors, the run's newest checkpoint (…)".</param>
public sealed record ModelSource(string Path, string Description)
{
    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>
/// The networks of any run, finished or not: a run folder (its <c>generator.safetensors</c>, or else its newest valid
/// training checkpoint), a generator file, or a training checkpoint (<c>checkpoints/step_N.safetensors</c>). Each load says
/// which file it used. Built-in architectures are rebuilt from the options the run recorded.
/// </summary>
public static class CheckpointFile
{
    /// <summary>
    /// Loads the generator of <paramref name="path"/> (in evaluation mode): a run folder, a generator file or a training checkpoint.
    /// From a checkpoint it takes the EMA generator when the run kept one (as <c>generator.safetensors</c> holds), else the generator.
    /// </summary>
    /// <param name="path">A run folder, a <c>generator.safetensors</c> file, or a training checkpoint.</param>
    /// <param name="source">The file the weights came from, and why that one (for messages).</param>
    /// <param name="device">Where the weights go (the CPU by default).</param>
    /// <exception cref="FileNotFoundException">The path does not exist, or a run folder holds neither a generator file nor a valid checkpoint.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, of another kind, holds a custom model, or does not fit its architecture.</exception>
    public static IGenerator LoadGenerator(string path, out ModelSource source, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        TorchRuntime.EnsureLoaded();
        if (Directory.Exists(path))
        {
            var file = new RunFolder(path).GeneratorFile;
            if (File.Exists(file))
            {
                source = new(file, file);
                return GeneratorFile.Load(file, device);
            }

            var (checkpoint, content) = NewestCheckpoint(path);
            using (content)
            {
                source = new(checkpoint, $"{checkpoint}, the run's newest checkpoint (the run folder has no {RunFolder.GeneratorFileName}: training did not finish)");
                return (IGenerator)Rebuild(content, checkpoint, discriminator: false, device);
            }
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is neither a run folder nor a file.", path);
        }

        source = new(path, path);
        if (!TrainingCheckpoint.Is(path))
        {
            return GeneratorFile.Load(path, device);
        }

        using var training = TrainingCheckpoint.Read(path);
        source = new(path, $"{path}, a training checkpoint");
        return (IGenerator)Rebuild(training, path, discriminator: false, device);
    }

    /// <summary>Loads the discriminator of a run folder (its newest valid checkpoint) or a training checkpoint, in evaluation mode.</summary>
    /// <exception cref="FileNotFoundException">The path does not exist, or a run folder holds no valid checkpoint.</exception>
    /// <exception cref="InvalidDataException">The file is not a training checkpoint, holds a custom model, or does not fit its architecture.</exception>
    public static IDiscriminator LoadDiscriminator(string path, out ModelSource source, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        TorchRuntime.EnsureLoaded();
        if (Directory.Exists(path))
        {
            var (checkpoint, content) = NewestCheckpoint(path);
            using (content)
            {
                source = new(checkpoint, $"{checkpoint}, the run's newest checkpoint");
                return (IDiscriminator)Rebuild(content, checkpoint, discriminator: true, device);
            }
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is neither a run folder nor a file.", path);
        }

        if (!TrainingCheckpoint.Is(path))
        {
            throw new InvalidDataException($"'{path}' is not a training checkpoint; only checkpoints (and run folders) hold a discriminator.");
        }

        using var training = TrainingCheckpoint.Read(path);
        source = new(path, $"{path}, a training checkpoint");
        return (IDiscriminator)Rebuild(training, path, discriminator: true, device);
    }

    private static (string Path, SafeTensorsContent Content) NewestCheckpoint(string path)
    {
        var run = new RunFolder(path);
        var problems = new List<string>();
        return TrainingCheckpoint.OpenNewest(run, (_, e) => problems.Add(e.Message)) // a checkpoint cut short by a crash: the one before it is used
            ?? throw new FileNotFoundException(
                $"The run folder '{path}' has no {RunFolder.GeneratorFileName} (written when training finishes) and no valid training checkpoint in " +
                $"'{run.CheckpointsFolder}'{(problems.Count > 0 ? ": " + string.Join("; ", problems) : string.Empty)}.", path);
    }

    /// <summary>
    /// The training options a checkpoint was written with, validated as the trainer validates them (the models are
    /// rebuilt from them, so a damaged value must be refused here, not met as a crash inside a layer's constructor).
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or its options are invalid; the message names <paramref name="path"/>.</exception>
    internal static GanTrainerOptions ReadOptions(string json, string path)
    {
        GanTrainerOptions options;
        try
        {
            options = GanTrainerOptionKeys.Deserialize(json) // grouped, or flat as written before the options were grouped
                ?? throw new InvalidDataException($"'{path}' has empty 'options'.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' has 'options' that are not valid JSON ({e.Message}).", e);
        }

        var failures = GanTrainerOptionsValidator.AllFailures(options);
        if (failures.Count > 0)
        {
            throw new InvalidDataException($"'{path}' has invalid 'options': {string.Join(" ", failures)}");
        }

        return options;
    }

    private static object Rebuild(SafeTensorsContent content, string path, bool discriminator, Device? device)
    {
        var architecture = content.Metadata.GetValueOrDefault("architecture");
        if (architecture == "custom")
        {
            throw new InvalidDataException($"'{path}' holds a custom model, which GanMnist cannot rebuild; read its tensors with SafeTensorsFile.Read and load them into your module.");
        }

        var options = ReadOptions(content.Require("options", path), path);

        // Conditional models: the class count is the embedding's row count.
        var classes = content.Tensors.TryGetValue("generator.embedding.weight", out var embedding) ? (int)embedding.size(0) : GanModels.ClassCount;
        nn.Module module;
        object model;
        string prefix;
        if (discriminator)
        {
            var d = TrainerModels.Discriminator(options, classes);
            (module, model, prefix) = (d.Module, d, "discriminator.");
        }
        else
        {
            var g = TrainerModels.Generator(options, classes);
            (module, model, prefix) = (g.Module, g, content.Tensors.Keys.Any(k => k.StartsWith("ema.", StringComparison.Ordinal)) ? "ema." : "generator.");
        }

        try
        {
            GeneratorFile.LoadInto(module, content.Tensors, path, prefix);
            module.to(device ?? CPU).eval();
            return model;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
