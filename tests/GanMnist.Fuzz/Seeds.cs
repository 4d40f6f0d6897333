using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Training.Reporting;
using GanMnist.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Fuzz;

/// <summary>
/// The starting corpus of each target: small valid files written by the library's own writers (or, for
/// formats it only reads, by the format's definition), so that AFL++ begins inside the parsers.
/// </summary>
public static class Seeds
{
    /// <summary>Writes <c>folder/&lt;target&gt;/*</c> for every target.</summary>
    public static void Write(string folder)
    {
        using var scope = NewDisposeScope();
        var idx = Directory.CreateDirectory(Path.Combine(folder, "idx")).FullName;
        var gz = Directory.CreateDirectory(Path.Combine(folder, "idx-gz")).FullName;
        foreach (var (name, bytes) in IdxFiles())
        {
            File.WriteAllBytes(Path.Combine(idx, name), bytes);
            File.WriteAllBytes(Path.Combine(gz, name + ".gz"), Gzip(bytes));
        }

        var safetensors = Directory.CreateDirectory(Path.Combine(folder, "safetensors")).FullName;
        SafeTensorsFile.Write(Path.Combine(safetensors, "generator.safetensors"),
            new Dictionary<string, Tensor> { ["main.0.weight"] = ones(2, 3), ["main.0.bias"] = arange(2, dtype: float16) },
            new Dictionary<string, string>
            {
                ["format"] = GeneratorFile.Format, ["architecture"] = "Mlp", ["latent_size"] = "2", ["class_count"] = "0",
                ["image_shape"] = "1,28,28", ["leaky_relu_slope"] = "0.2", ["mlp_activation"] = "Relu", ["dataset"] = "mnist",
                ["transposed_conv_padding"] = "KerasSame",
            });
        // A built-in generator that loads is over AFL++'s 1 MB input limit (the smallest MLP holds 567,000 weights), so this seed's
        // metadata is a real generator file's and its tensors are not: the fuzzer starts at every metadata check.
        SafeTensorsFile.Write(Path.Combine(safetensors, "custom.safetensors"),
            new Dictionary<string, Tensor> { ["w"] = tensor(new long[] { 1, -2 }), ["b"] = tensor(new byte[] { 7 }) },
            new Dictionary<string, string> { ["architecture"] = "custom" });

        var npz = Directory.CreateDirectory(Path.Combine(folder, "npz")).FullName;
        File.WriteAllBytes(Path.Combine(npz, "mnist.npz"), Npz());

        var stateDict = Directory.CreateDirectory(Path.Combine(folder, "state-dict")).FullName;
        using (var linear = nn.Linear(2, 1))
        {
            StateDictFile.Save(linear, Path.Combine(stateDict, "linear.pt"));
        }

        var options = Directory.CreateDirectory(Path.Combine(folder, "options-json")).FullName;
        File.WriteAllText(Path.Combine(options, "options.json"), OptionsJson());
        File.WriteAllText(Path.Combine(options, "short.json"), """{"Preset": "Quick", "Epochs": 3, "LabelSmoothing": 0.9, "Device": "cpu"}""");

        var history = Directory.CreateDirectory(Path.Combine(folder, "history-json")).FullName;
        File.WriteAllText(Path.Combine(history, "history.json"), HistoryJson());
    }

    /// <summary>A run's options.json as the trainer writes it (a small MLP run).</summary>
    public static string OptionsJson() => JsonSerializer.Serialize(new GanTrainerOptions { Epochs = 2, Seed = 1, Model = { LatentSize = 4 }, Optimization = { BatchSize = 8 } }, GanMnist.IO.JsonSettings.Options);

    /// <summary>A run's history.json: two epochs, the second evaluated.</summary>
    public static string HistoryJson()
    {
        var evaluation = new EvaluationResult
        {
            SampleCount = 100, FrechetDistance = 80.5, MnistScore = 7.5, ClassCounts = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
            ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], ClassesCovered = 10, LargestClassShare = 0.1,
            SmallestClassShare = 0.1, ModeCollapse = false, Precision = 0.5, Recall = 0.25,
        };
        var history = new TrainingHistory();
        history.Add(new EpochSummary(1, 1.2, 0.8, 0.6, 0.4, 1.5, 100, new Dictionary<string, double> { ["D(x)"] = 0.6 }));
        history.Add(new EpochSummary(2, 1.1, 0.9, 0.55, 0.45, 1.4, 110, new Dictionary<string, double> { ["D(x)"] = 0.55 }, evaluation));
        return history.ToJson();
    }

    private static IEnumerable<(string Name, byte[] Bytes)> IdxFiles()
    {
        var images = new byte[16 + 2 * 28 * 28];
        BinaryPrimitives.WriteInt32BigEndian(images, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (var i = 16; i < images.Length; i++)
        {
            images[i] = (byte)(i * 37);
        }

        yield return ("images-idx3-ubyte", images);
        yield return ("labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9]);
        var extended = new byte[12 + 2 * 8 * 4];
        BinaryPrimitives.WriteInt32BigEndian(extended, IdxReader.ExtendedLabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(extended.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32BigEndian(extended.AsSpan(8), 8);
        BinaryPrimitives.WriteInt32BigEndian(extended.AsSpan(12), 3);
        BinaryPrimitives.WriteInt32BigEndian(extended.AsSpan(44), 10);
        yield return ("labels-idx2-int", extended);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>An .npz of two images per split, written to NumPy's format 1.0 definition (NumSharp writes no .npz).</summary>
    private static byte[] Npz()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create))
        {
            foreach (var split in new[] { "train", "test" })
            {
                Entry(zip, $"x_{split}.npy", "|u1", "(2, 28, 28)", new byte[2 * 28 * 28]);
                Entry(zip, $"y_{split}.npy", "|u1", "(2,)", [3, 9]);
            }
        }

        return output.ToArray();

        static void Entry(ZipArchive zip, string name, string dtype, string shape, byte[] data)
        {
            var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}";
            header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
            using var stream = zip.CreateEntry(name).Open();
            stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(data);
        }
    }
}
