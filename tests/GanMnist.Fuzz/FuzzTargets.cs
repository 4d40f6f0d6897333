using System.Text;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.DependencyInjection;
using GanMnist.Training.Reporting;
using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GanMnist.Fuzz;

/// <summary>Thrown by a target when the library answered bad input in a way users must never see (AFL++ records it as a crash).</summary>
public sealed class FuzzFindingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The fuzz targets: each writes its input where a user's file would lie and reads it as the library reads
/// such a file. A target returns when the library accepted the input or refused it with its own named
/// exception (an <see cref="InvalidDataException"/> whose message names the file; for configuration, an
/// exception naming the option). Anything else escapes: an unexpected exception type, a refusal that does not
/// name the file, or a crash of the process, and AFL++ saves the input.
/// </summary>
/// <remarks>
/// Compiled into the fuzzer (tests/GanMnist.Fuzz, driven by AFL++ through SharpFuzz) and into GanMnist.Tests,
/// which replays every input under <c>regressions/</c> and the seeds through the same code.
/// </remarks>
public static class FuzzTargets
{
    /// <summary>The targets by name: the reader of each kind of outside data.</summary>
    public static IReadOnlyDictionary<string, Action<byte[], string>> All { get; } = new Dictionary<string, Action<byte[], string>>(StringComparer.Ordinal)
    {
        ["idx"] = Idx,
        ["idx-gz"] = IdxGzip,
        ["safetensors"] = SafeTensors,
        ["npz"] = Npz,
        ["state-dict"] = StateDict,
        ["options-json"] = OptionsJson,
        ["history-json"] = HistoryJson,
    };

    /// <summary>Runs <paramref name="target"/> on <paramref name="input"/> in the folder <paramref name="scratch"/> (created if needed).</summary>
    public static void Run(string target, byte[] input, string scratch)
    {
        if (!All.TryGetValue(target, out var run))
        {
            throw new ArgumentException($"No fuzz target '{target}'; targets are {string.Join(", ", All.Keys)}.", nameof(target));
        }

        Directory.CreateDirectory(scratch);
        run(input, scratch);
    }

    /// <summary>IDX images and both label formats (MNIST's idx1 bytes, QMNIST's idx2 int32), raw or gzip, told apart by content.</summary>
    private static void Idx(byte[] input, string scratch)
    {
        var path = Write(scratch, "train-images-idx3-ubyte", input);
        Refuses(path, () => IdxReader.ReadImages(path).Dispose());
        Refuses(path, () => IdxReader.ReadLabels(path));
        Refuses(path, () => IdxReader.ReadLabels(path, LabelFormat.Idx2Int, 1, 10));
    }

    /// <summary>As <see cref="Idx"/>, every input starting with gzip's magic bytes, so that the fuzzer works on the gzip framing.</summary>
    private static void IdxGzip(byte[] input, string scratch)
    {
        if (input.Length < 2 || input[0] != 0x1f || input[1] != 0x8b)
        {
            input = [0x1f, 0x8b, .. input];
        }

        Idx(input, scratch);
    }

    /// <summary>A safetensors file as the library reads one: plain tensors, the dataset of a generator file, and a generator rebuilt from its metadata.</summary>
    private static void SafeTensors(byte[] input, string scratch)
    {
        var path = Write(scratch, "generator.safetensors", input);
        Refuses(path, () => SafeTensorsFile.Read(path).Dispose());
        Refuses(path, () => GeneratorFile.ReadDataset(path));
        Refuses(path, () => GeneratorFile.Load(path).Module.Dispose());
    }

    /// <summary>Keras' mnist.npz, both splits.</summary>
    private static void Npz(byte[] input, string scratch)
    {
        var path = Write(scratch, "mnist.npz", input);
        Refuses(path, () => NpzReader.Read(path, MnistSplit.Train, 10));
        Refuses(path, () => NpzReader.Read(path, MnistSplit.Test, 10));
    }

    /// <summary>A PyTorch state dict (torch.save's zip format, read through TorchSharp.PyBridge).</summary>
    private static void StateDict(byte[] input, string scratch)
    {
        var path = Write(scratch, "model.pt", input);
        Refuses(path, () =>
        {
            foreach (var tensor in StateDictFile.Read(path).Values)
            {
                tensor.Dispose();
            }
        });
    }

    /// <summary>
    /// GanTrainerOptions as JSON, the three ways the library meets it: configuration (appsettings.json bound by
    /// AddGanMnist, validated), a run folder's options.json (the report), and a checkpoint's options (resume).
    /// </summary>
    private static void OptionsJson(byte[] input, string scratch)
    {
        Configuration(input);

        var run = RunFolder(scratch);
        var path = Write(run, "options.json", input);
        Refuses(path, () => TrainingReport.Build(run));

        const string checkpoint = "checkpoint_epoch_0001.safetensors";
        Refuses(checkpoint, () => CheckpointFile.ReadOptions(Encoding.UTF8.GetString(input), checkpoint));
    }

    /// <summary>A run folder's history.json: the history itself and the report built from it.</summary>
    private static void HistoryJson(byte[] input, string scratch)
    {
        var run = RunFolder(scratch);
        var path = Write(run, "history.json", input);
        Refuses(path, () => TrainingReport.Build(run));
        try
        {
            TrainingHistory.FromJson(Encoding.UTF8.GetString(input)); // text, no file: its refusal says what the text is not
        }
        catch (InvalidDataException e) when (e.Message.StartsWith("Not a GanMnist training history: ", StringComparison.Ordinal))
        {
        }
    }

    private static void Configuration(byte[] input)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(input)).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            return; // the configuration package's own refusal of malformed JSON (it names line and position)
        }

        var services = new ServiceCollection();
        services.AddGanMnist(configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<GanTrainerOptions>>().Value;
        }
        catch (OptionsValidationException e) when (e.Failures.All(NamesAnOption))
        {
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) && e.Message.Contains(" at '", StringComparison.Ordinal))
        {
            // the binder's refusal names the key and the type it wanted
        }
    }

    private static bool NamesAnOption(string failure) =>
        GanTrainerOptionKeys.All.Any(o => failure.Contains(o.Name, StringComparison.Ordinal)) || GanTrainerOptionKeys.Groups.Any(g => failure.Contains(g.Name, StringComparison.Ordinal));

    /// <summary>A run folder with a valid options.json and history.json (the target then overwrites one of them).</summary>
    private static string RunFolder(string scratch)
    {
        var run = Path.Combine(scratch, "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "options.json"), Seeds.OptionsJson());
        File.WriteAllText(Path.Combine(run, "history.json"), Seeds.HistoryJson());
        return run;
    }

    private static string Write(string folder, string name, byte[] input)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>Runs <paramref name="read"/>; an <see cref="InvalidDataException"/> is the library's refusal only when its message names <paramref name="path"/>.</summary>
    private static void Refuses(string path, Action read)
    {
        try
        {
            read();
        }
        catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
        }
        catch (InvalidDataException e)
        {
            throw new FuzzFindingException($"The refusal does not name '{path}': {e.Message}", e);
        }
    }
}
