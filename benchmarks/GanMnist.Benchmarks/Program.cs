// Benchmarks of the engine under GanMnist (TorchSharp). Each case runs warm-up iterations, then several timed
// repetitions; the median is reported. Usage:
//   dotnet run --project benchmarks/GanMnist.Benchmarks -c Release [-- --json out.json] [--threads N] [--data <mnist folder>]
using System.Diagnostics;
using System.Text.Json;
using GanMnist.Data;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

if (args.Length > 0 && args[0] == "step")
{
    return StepBenchmark.Run(args);
}

if (args.Length > 0 && args[0] == "ops")
{
    return OpsBenchmark.Run(args);
}

if (args.Length > 0 && args[0] == "soak")
{
    return SoakBenchmark.Run(args);
}

if (args.Length > 0 && args[0] == "classifier")
{
    return EvaluationBenchmark.RunClassifier(args);
}

if (args.Length > 0 && args[0] == "evaluate")
{
    return EvaluationBenchmark.RunEvaluate(args);
}

var jsonPath = OptionValue(args, "--json");
if (OptionValue(args, "--threads") is { } threads)
{
    set_num_threads(int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture));
}

Console.WriteLine($"libtorch {__version__}, intra-op threads {get_num_threads()}, {Environment.ProcessorCount} cores");
var results = new List<Result>();

// 1. Per-call cost of the engine (TorchSharp): a tiny op, its handle, and the scope that frees it.
using (var a = ones([1]))
{
    const int calls = 20_000;
    var seconds = Median(5, () =>
    {
        using var scope = NewDisposeScope();
        for (var i = 0; i < calls; i++)
        {
            _ = a + a;
        }
    });
    results.Add(new("tiny op (add of 1-element tensors)", "ns/op", seconds / calls * 1e9));
}

// 2. Loading MNIST: read the .gz files, validate, normalise to [-1, 1] (needs GANMNIST_DATA or --data).
var dataDirectory = OptionValue(args, "--data") ?? Environment.GetEnvironmentVariable(MnistDatasetOptions.DataEnvironmentVariable);
if (dataDirectory is not null)
{
    var options = new MnistDatasetOptions { Directory = dataDirectory };
    var seconds = Median(5, () => MnistDataset.LoadAsync(MnistSplit.Train, options).GetAwaiter().GetResult().Dispose());
    results.Add(new("load MNIST train (60,000 images from .gz)", "s", seconds));
    using var train = MnistDataset.LoadAsync(MnistSplit.Train, options).GetAwaiter().GetResult();
    var loader = new DataLoader(train, 256, seed: 1);
    var epochSeconds = Median(3, () =>
    {
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
        }
    });
    results.Add(new("DataLoader epoch (235 shuffled batches of 256)", "s", epochSeconds));
}
else
{
    Console.WriteLine("(MNIST cases skipped: set GANMNIST_DATA or pass --data <folder>)");
}

// 3. A DCGAN-discriminator training step at batch 256 (forward, BCE, backward, Adam).
manual_seed(0);
using (var d = nn.Sequential(
           nn.Conv2d(1, 64, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
           nn.Conv2d(64, 128, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
           nn.Flatten(), nn.Linear(7 * 7 * 128, 1)))
using (var adam = optim.Adam(d.parameters(), lr: 1e-4, beta1: 0.9, beta2: 0.999))
using (var images = randn([256, 1, 28, 28]))
using (var targets = ones([256, 1]))
{
    var baseline = Tensor.TotalCount;
    var seconds = Median(5, () =>
    {
        using var scope = NewDisposeScope();
        adam.zero_grad();
        F.binary_cross_entropy_with_logits(d.call(images), targets).backward();
        adam.step();
    });
    results.Add(new("DCGAN discriminator step, batch 256", "images/s", 256 / seconds));
    results.Add(new("live tensors left by the steps", "tensors", Tensor.TotalCount - baseline));
}

results.Add(new("peak resident memory", "MiB", Environment.WorkingSet / 1048576.0));
using (var process = Process.GetCurrentProcess())
{
    results[^1] = results[^1] with { Value = process.PeakWorkingSet64 / 1048576.0 };
}

foreach (var r in results)
{
    Console.WriteLine($"{r.Name,-40} {r.Value,12:F3} {r.Unit}");
}

if (jsonPath is not null)
{
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(new { libtorch = __version__, threads = get_num_threads(), results }));
}

return 0;

static double Median(int repetitions, Action body)
{
    body(); // warm-up
    body();
    var times = new double[repetitions];
    for (var i = 0; i < repetitions; i++)
    {
        var clock = Stopwatch.StartNew();
        body();
        times[i] = clock.Elapsed.TotalSeconds;
    }

    Array.Sort(times);
    return times[repetitions / 2];
}

static string? OptionValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed record Result(string Name, string Unit, double Value);
