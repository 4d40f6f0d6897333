using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
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

    /// <summary>The metadata key of the tensors' SHA-256 digests (a JSON object, name to lowercase hex), written with every checkpoint.</summary>
    internal const string DigestsKey = "tensor_sha256";

    /// <summary>The checkpoint's random-generator states, which libtorch aborts the process on when malformed.</summary>
    private static readonly string[] RandomStates = ["rng.run", "rng.default"];

    /// <summary>Writes the checkpoint after <paramref name="globalStep"/> steps atomically, then deletes all but the newest <paramref name="keep"/>.</summary>
    /// <returns>The file written.</returns>
    /// <exception cref="IOException">The file could not be written (the previous checkpoints are untouched).</exception>
    internal static string Write(RunFolder run, long globalStep, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, Dictionary<string, string> metadata, int keep)
    {
        metadata["format"] = Format;
        metadata[DigestsKey] = JsonSerializer.Serialize(tensors.ToDictionary(t => t.Key, t => Digest(t.Value)));
        var path = run.CheckpointFile(globalStep);
        SafeTensorsFile.Write(path, tensors, metadata);
        foreach (var old in run.FindCheckpoints().Skip(keep))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>
    /// Reads a training checkpoint (the caller disposes it) and checks it before any of it reaches libtorch: every tensor
    /// against the SHA-256 digest written with it (files written before digests have none, and skip this), and the
    /// random-generator states against the layout libtorch's <c>set_state</c> accepts, which it would otherwise reject
    /// by aborting the process ("Invalid mt19937 state").
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, not a training checkpoint, or damaged; the message names it and what is damaged.</exception>
    internal static SafeTensorsContent Read(string path)
    {
        var content = SafeTensorsFile.Read(path);
        try
        {
            if (!content.Metadata.TryGetValue("format", out var format) || format != Format)
            {
                throw new InvalidDataException($"'{path}' is not a GanMnist training checkpoint (format '{format}', expected '{Format}').");
            }

            CheckDigests(content, path);
            foreach (var name in RandomStates.Where(content.Tensors.ContainsKey))
            {
                CheckRandomState(content.Tensors[name], name, path);
            }

            return content;
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }

    /// <summary>The SHA-256 of a tensor's bytes (contiguous, as written), lowercase hex.</summary>
    private static string Digest(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return Convert.ToHexStringLower(SHA256.HashData(tensor.cpu().contiguous().bytes));
    }

    private static void CheckDigests(SafeTensorsContent content, string path)
    {
        if (!content.Metadata.TryGetValue(DigestsKey, out var json))
        {
            return;
        }

        Dictionary<string, string>? digests;
        try
        {
            digests = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' has damaged metadata: '{DigestsKey}' is not a JSON object of digests ({e.Message}).", e);
        }

        digests ??= [];
        var damaged = content.Tensors.Where(t => !digests.TryGetValue(t.Key, out var digest) || digest != Digest(t.Value)).Select(t => t.Key).ToList();
        var missing = digests.Keys.Where(k => !content.Tensors.ContainsKey(k)).ToList();
        if (damaged.Count > 0 || missing.Count > 0)
        {
            throw new InvalidDataException($"'{path}' is damaged: " +
                string.Join("; ", [.. damaged.Select(n => $"tensor '{n}' differs from the digest written with it"), .. missing.Select(n => $"tensor '{n}' is missing")]) + ".");
        }
    }

    /// <summary>
    /// libtorch's CPU generator state (CPUGeneratorImplState, aten/src/ATen/CPUGeneratorImpl.cpp): uint8, 5,048 bytes
    /// (the legacy layout) or 5,056; at byte 8 <c>left</c> (int32, 1 to 624), at 12 <c>seeded</c> (int32, 1), at 16
    /// <c>next</c> (uint64, at most 624): the checks of its <c>mt19937::is_valid</c>.
    /// </summary>
    private static void CheckRandomState(Tensor state, string name, string path)
    {
        const int MersenneStateN = 624;
        if (state.dtype != ScalarType.Byte || state.dim() != 1 || state.shape[0] is not (5048 or 5056))
        {
            throw new InvalidDataException($"'{path}' is damaged: tensor '{name}' is {state.dtype} [{string.Join(", ", state.shape)}], not the random generator state libtorch writes (Byte [5056]).");
        }

        var bytes = state.bytes;
        var (left, seeded, next) = (BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]), BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));
        if (seeded != 1 || left is < 1 or > MersenneStateN || next > MersenneStateN)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"'{path}' is damaged: tensor '{name}' is not a valid random generator state (left {left}, seeded {seeded}, next {next}; libtorch needs seeded 1, left 1-{MersenneStateN}, next at most {MersenneStateN})."));
        }
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
