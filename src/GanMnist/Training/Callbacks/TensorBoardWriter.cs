using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using GanMnist.Evaluation;
using Google.Protobuf;
using Tensorboard;

namespace GanMnist.Training.Callbacks;

/// <summary>
/// Writes a run's scalars, sample grids and options as a TensorBoard event file, as PyTorch's
/// <c>torch.utils.tensorboard.SummaryWriter</c> does: the file <c>events.out.tfevents.{Unix seconds}.{host}.{pid}.{n}</c>
/// (n counts the writers of the process, as PyTorch's global uid),
/// a <c>brain.Event:2</c> header, then one Event proto per value (TorchSharp's generated protos), each framed as a
/// TFRecord (length, masked CRC-32C of the length, data, masked CRC-32C of the data) and flushed. Every wall time is
/// Unix seconds with a fraction. Tags: <c>step/*</c> every <see cref="GanOutputOptions.LogEverySteps"/> steps at the
/// global step; <c>epoch/*</c> and <c>evaluation/*</c> at the epoch; <c>samples</c> at sampled epochs; <c>options</c>
/// (text) once.
/// </summary>
/// <remarks>
/// Not TorchSharp's own <c>SummaryWriter</c>: it stamps the file name and header with .NET ticks (TensorBoard then
/// shows the run starting in the year ~20 billion; TorchSharp #932) and takes whole seconds only.
/// </remarks>
internal sealed class TensorBoardWriter : IDisposable
{
    private static int _writers;
    private readonly FileStream _file;

    public TensorBoardWriter(string directory, GanTrainerOptions options, JsonSerializerOptions json)
    {
        Directory.CreateDirectory(directory);
        LogDirectory = directory;
        var now = Now();
        var name = string.Create(CultureInfo.InvariantCulture, $"events.out.tfevents.{(long)now:D10}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref _writers) - 1}");
        _file = new FileStream(Path.Combine(directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = now, FileVersion = "brain.Event:2" });
        Text("options", "```json\n" + JsonSerializer.Serialize(options, json) + "\n```", 0);
    }

    /// <summary>The folder the event file goes to.</summary>
    public string LogDirectory { get; }

    public void Step(TrainingProgress progress)
    {
        var step = progress.GlobalStep;
        Scalar("step/d_loss", progress.DiscriminatorLoss, step);
        Scalar("step/g_loss", progress.GeneratorLoss, step);
        Scalar("step/d_real", progress.RealScore, step);
        Scalar("step/d_fake", progress.FakeScore, step);
        Scalar("step/images_per_second", progress.ImagesPerSecond, step);
    }

    public void Epoch(EpochSummary summary)
    {
        var epoch = summary.Epoch;
        Scalar("epoch/d_loss", summary.DiscriminatorLoss, epoch);
        Scalar("epoch/g_loss", summary.GeneratorLoss, epoch);
        Scalar("epoch/d_real", summary.RealScore, epoch);
        Scalar("epoch/d_fake", summary.FakeScore, epoch);
        Scalar("epoch/seconds", summary.Seconds, epoch);
        Scalar("epoch/images_per_second", summary.ImagesPerSecond, epoch);
        foreach (var (name, value) in summary.Values)
        {
            Scalar("epoch/" + name, value, epoch);
        }

        foreach (var (name, value) in summary.Evaluation?.ToMetrics() ?? new Dictionary<string, double>())
        {
            Scalar("evaluation/" + name, value, epoch);
        }
    }

    /// <summary>A sample grid (a greyscale PNG the run wrote), at its epoch; its size comes from the PNG's header.</summary>
    public void Samples(string pngPath, int epoch)
    {
        var png = File.ReadAllBytes(pngPath);
        // PNG: 8-byte signature, then the IHDR chunk (length, "IHDR", width and height as big-endian uint32).
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        var image = new Summary.Types.Image { Width = width, Height = height, Colorspace = 1, EncodedImageString = ByteString.CopyFrom(png) };
        Write(Value(epoch, new Summary.Types.Value { Tag = "samples", Image = image }));
    }

    /// <summary>A health warning, as text tagged <c>health</c> at the step since which it holds.</summary>
    public void Health(Health.HealthWarning warning) => Text("health", $"**{warning.Issue}** (epoch {warning.Epoch}): {warning.Message}", warning.GlobalStep);

    public void Dispose() => _file.Dispose();

    private void Scalar(string tag, double value, long step)
    {
        if (double.IsFinite(value))
        {
            Write(Value(step, new Summary.Types.Value { Tag = tag, SimpleValue = (float)value }));
        }
    }

    /// <summary>Text as TensorBoard's text plugin reads it: a string tensor of one element, tagged <c>{tag}/text_summary</c>.</summary>
    private void Text(string tag, string text, long step)
    {
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 1 } } } };
        tensor.StringVal.Add(ByteString.CopyFromUtf8(text));
        var metadata = new SummaryMetadata { PluginData = new SummaryMetadata.Types.PluginData { PluginName = "text" } };
        Write(Value(step, new Summary.Types.Value { Tag = tag + "/text_summary", Tensor = tensor, Metadata = metadata }));
    }

    private static Event Value(long step, Summary.Types.Value value) => new() { WallTime = Now(), Step = step, Summary = new Summary { Value = { value } } };

    private void Write(Event record)
    {
        var data = record.ToByteArray();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)data.Length);
        Span<byte> crc = stackalloc byte[4];
        _file.Write(length);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(length));
        _file.Write(crc);
        _file.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(data));
        _file.Write(crc);
        _file.Flush();
    }

    /// <summary>TFRecord's checksum: CRC-32C, rotated right by 15 bits plus 0xA282EAD8.</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    /// <summary>Unix time in seconds, with its fraction, as TensorBoard's wall times are.</summary>
    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
