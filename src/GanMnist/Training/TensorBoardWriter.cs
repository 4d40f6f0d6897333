using System.Globalization;
using System.Text.Json;
using GanMnist.Evaluation;
using TorchSharp.Modules;
using static TorchSharp.torch.utils;

namespace GanMnist.Training;

/// <summary>
/// Writes a run's scalars, sample grids and options as TensorBoard event files through TorchSharp's
/// <see cref="SummaryWriter"/> (<c>torch.utils.tensorboard</c>, as PyTorch's), which frames each record with its
/// CRC-32C as TensorBoard reads it. Tags: <c>step/*</c> every <see cref="GanTrainerOptions.LogEverySteps"/> steps at
/// the global step; <c>epoch/*</c> and <c>evaluation/*</c> at the epoch; <c>samples</c> at sampled epochs; <c>options</c>
/// (text) once.
/// </summary>
internal sealed class TensorBoardWriter
{
    private readonly SummaryWriter _writer;
    private bool _imagesOff;

    public TensorBoardWriter(string directory, GanTrainerOptions options, JsonSerializerOptions json)
    {
        System.IO.Directory.CreateDirectory(directory);
        _writer = tensorboard.SummaryWriter(directory);
        _writer.add_text("options", "```json\n" + JsonSerializer.Serialize(options, json) + "\n```", 0, Now());
    }

    /// <summary>The folder the event files go to.</summary>
    public string LogDirectory => _writer.LogDir;

    public void Step(TrainingProgress progress)
    {
        var step = Step(progress.GlobalStep);
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

    /// <summary>
    /// A sample grid (a PNG written by the run), at its epoch. SummaryWriter reads the PNG with SkiaSharp; where its native
    /// library cannot load, images are left out (once, with the reason) and the scalars go on.
    /// </summary>
    /// <returns>Null, or why images are off from now on.</returns>
    public string? Samples(string pngPath, int epoch)
    {
        if (_imagesOff)
        {
            return null;
        }

        try
        {
            _writer.add_img("samples", pngPath, epoch, Now());
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            _imagesOff = true;
            return $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }
    }

    private void Scalar(string tag, double value, int step)
    {
        if (double.IsFinite(value))
        {
            _writer.add_scalar(tag, (float)value, step, Now());
        }
    }

    /// <summary>Wall time in Unix seconds: TorchSharp writes 0 when none is given, which flattens TensorBoard's time axes.</summary>
    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>TensorBoard's steps are 32-bit here (TorchSharp's API): a longer run's steps saturate rather than wrap.</summary>
    private static int Step(long globalStep) => (int)Math.Min(globalStep, int.MaxValue);
}
