using System.Globalization;
using static TorchSharp.torch;

namespace GanMnist.Checkpoints;

/// <summary>
/// The training-checkpoint format: a safetensors file (<see cref="RunFolder.CheckpointFile"/>) holding the models, the
/// optimisers' moments and both random generators' states as tensors, and the options, history and position of the run
/// as metadata (<c>format</c> = <see cref="Format"/>). The trainer fills it and restores from it; this class writes,
/// reads and finds the files.
/// </summary>
internal static class TrainingCheckpoint
{
    /// <summary>The <c>format</c> metadata value of a training checkpoint.</summary>
    internal const string Format = "ganmnist.training-checkpoint/1";

    /// <summary>Writes the checkpoint after <paramref name="globalStep"/> steps atomically, then deletes all but the newest <paramref name="keep"/>.</summary>
    /// <returns>The file written.</returns>
    /// <exception cref="IOException">The file could not be written (the previous checkpoints are untouched).</exception>
    internal static string Write(RunFolder run, long globalStep, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, Dictionary<string, string> metadata, int keep)
    {
        metadata["format"] = Format;
        var path = run.CheckpointFile(globalStep);
        SafeTensorsFile.Write(path, tensors, metadata);
        foreach (var old in run.FindCheckpoints().Skip(keep))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>Reads a training checkpoint (the caller disposes it).</summary>
    /// <exception cref="InvalidDataException">The file is malformed or not a training checkpoint; the message names it.</exception>
    internal static SafeTensorsContent Read(string path)
    {
        var content = SafeTensorsFile.Read(path);
        if (!content.Metadata.TryGetValue("format", out var format) || format != Format)
        {
            content.Dispose();
            throw new InvalidDataException($"'{path}' is not a GanMnist training checkpoint (format '{format}', expected '{Format}').");
        }

        return content;
    }

    /// <summary>Whether <paramref name="path"/> is a safetensors file with the training-checkpoint format.</summary>
    /// <exception cref="InvalidDataException">The file is a malformed safetensors file.</exception>
    internal static bool Is(string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        using var content = SafeTensorsFile.Read(path);
        return content.Metadata.TryGetValue("format", out var format) && format == Format;
    }

    /// <summary>
    /// The newest checkpoint of <paramref name="run"/> that reads as one, opened; null when there is none. An unreadable one
    /// (cut short by a crash, damaged) is passed to <paramref name="onInvalid"/> and the one before it tried; with no
    /// <paramref name="onInvalid"/> its exception is thrown.
    /// </summary>
    internal static (string Path, SafeTensorsContent Content)? OpenNewest(RunFolder run, Action<string, InvalidDataException>? onInvalid)
    {
        foreach (var candidate in run.FindCheckpoints())
        {
            try
            {
                return (candidate, Read(candidate));
            }
            catch (InvalidDataException e) when (onInvalid is not null)
            {
                onInvalid(candidate, e);
            }
        }

        return null;
    }

    /// <summary>The run's seed, recorded in the checkpoint's metadata.</summary>
    /// <exception cref="InvalidDataException">The seed is missing or not a number.</exception>
    internal static ulong Seed(SafeTensorsContent content, string path) =>
        ulong.TryParse(content.Require("seed", path), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed : throw new InvalidDataException($"'{path}' has a seed that is not a number.");
}
