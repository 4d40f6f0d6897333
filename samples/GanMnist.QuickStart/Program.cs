// Trains a GAN on MNIST through the public API, as a host application would.
// Usage: dotnet run --project samples/GanMnist.QuickStart -c Release [-- [quick|best|dcgan|mlp] [epochs] [output folder]]
// MNIST is read from GANMNIST_DATA or the per-user cache, and downloaded (and verified) if missing.
// The generator is evaluated (FID, MNIST score, classes, precision/recall) every 15 epochs and at the end;
// the first evaluation ever trains and caches the MNIST classifier (about 1.5 minutes).
using GanMnist.Data;
using GanMnist.Training;

var preset = args.Length > 0 ? Enum.Parse<GanPreset>(args[0], ignoreCase: true) : GanPreset.Quick;
var output = args.Length > 2 ? args[2] : "ganmnist-quickstart";
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    using var train = await MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { AllowDownload = true }, cancellationToken: cancel.Token);
    var trainer = GanTrainer.Create(b =>
    {
        b.UsePreset(preset).OutputTo(output).EvaluateEvery(15);
        if (args.Length > 1)
        {
            b.Epochs(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    });
    Console.WriteLine($"Training the {preset} preset for {trainer.Options.Epochs} epochs on {train.Count} images; output in {Path.GetFullPath(output)}");
    var progress = new Progress<TrainingProgress>(p => Console.WriteLine(
        $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch}  D {p.DiscriminatorLoss:F3}  G {p.GeneratorLoss:F3}  " +
        $"D(x) {p.RealScore:F2}  D(G(z)) {p.FakeScore:F2}  {p.ImagesPerSecond:F0} img/s  ETA {p.Remaining:hh\\:mm\\:ss}" +
        (p.Evaluation is { } e ? $"  FID {e.FrechetDistance:F2}" : string.Empty)));
    using var result = await trainer.TrainAsync(train, progress, cancel.Token);
    Console.WriteLine($"Done (seed {result.Seed}). Samples: {result.SampleFiles[^1]}; history: {result.Folder.HistoryCsvFile}");
    Console.WriteLine($"Final evaluation: {result.History.Epochs[^1].Evaluation}");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 1;
}
catch (Exception e) when (e is FileNotFoundException or IOException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
