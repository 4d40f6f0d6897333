using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GanMnist.Checkpoints;

/// <summary>
/// A module's state dict as the Python side keeps it: PyTorch's <c>torch.save</c> format (<c>.pt</c>, <c>.pth</c>; loadable with
/// <c>torch.load</c> and <c>load_state_dict</c> into the same architecture written in PyTorch) or plain safetensors without
/// metadata (<c>safetensors.torch.save_file</c>'s layout). The PyTorch format is read and written by TorchSharp.PyBridge
/// (a maintained pickle reader and writer for state dicts), not by code of our own; the tensor names are the module's
/// <c>state_dict()</c> keys (<c>main.0.weight</c>, <c>main.1.running_mean</c>), which are PyTorch's for the same layers.
/// </summary>
public static class StateDictFile
{
    /// <summary>Writes <paramref name="module"/>'s state dict (parameters and buffers), atomically; the format follows the extension.</summary>
    /// <param name="module">The module (its tensors are copied to the CPU as needed).</param>
    /// <param name="path">A <c>.pt</c> or <c>.pth</c> file (PyTorch) or a <c>.safetensors</c> file (plain, no metadata).</param>
    /// <exception cref="ArgumentException">The extension is none of <c>.pt</c>, <c>.pth</c>, <c>.safetensors</c>.</exception>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        var format = FormatOf(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                if (format == Format.PyTorch)
                {
                    module.save_py(stream, leaveOpen: true);
                }
                else
                {
                    module.save_safetensors(stream, leaveOpen: true);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IO.AtomicFile.Failed(path, e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads a state dict, name → tensor on the CPU; the caller owns the tensors (dispose them).</summary>
    /// <param name="path">A <c>.pt</c>/<c>.pth</c> file written by <c>torch.save(model.state_dict(), path)</c>, or a <c>.safetensors</c> file.</param>
    /// <exception cref="ArgumentException">The extension is none of <c>.pt</c>, <c>.pth</c>, <c>.safetensors</c>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, damaged, or holds something other than a state dict of tensors; the message names it.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var format = FormatOf(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The state dict file '{path}' does not exist.", path);
        }

        if (format == Format.SafeTensors)
        {
            using var content = SafeTensorsFile.Read(path);
            return content.Tensors.ToDictionary(p => p.Key, p => p.Value.clone());
        }

        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{path}' cannot be read as a PyTorch state dict ({e.GetType().Name}: {e.Message}). It must be written by torch.save(model.state_dict(), path) " +
                "in PyTorch's default (zip) format; a whole pickled model or a damaged file is not readable.", e);
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string name || entry.Value is not Tensor value)
                {
                    throw new InvalidDataException(
                        $"'{path}' holds an entry '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}; a state dict maps names to tensors.");
                }

                tensors[name] = value;
            }

            return tensors;
        }
        catch
        {
            foreach (var value in table.Values.OfType<Tensor>())
            {
                value.Dispose();
            }

            throw;
        }
    }

    private enum Format
    {
        PyTorch,
        SafeTensors,
    }

    private static Format FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pt" or ".pth" => Format.PyTorch,
        ".safetensors" => Format.SafeTensors,
        var other => throw new ArgumentException(
            $"'{path}': the format follows the extension, .pt or .pth (PyTorch) or .safetensors; '{other}' is neither.", nameof(path)),
    };
}
