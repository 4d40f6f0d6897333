using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GanMnist;
using GanMnist.Data;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training;
using static TorchSharp.torch;
using GanMnist.Runtime;

/// <summary>
/// Times the trainer's own step (GanMnist.Training.TrainingStep) at batch 256 on real MNIST batches, with the
/// seeds' recipe (Keras init, non-saturating BCE, Adam 1e-4, ε 1e-7), as benchmarks/peer/peer_step.py does in PyTorch.
/// Usage: step --arch dcgan|mlp|infogan [--precision 32-true|bf16-mixed] [--float32-generator] [--threads N] [--steps K] [--reps R] [--warmup W]
///             [--batch B] [--d-grads-in-g-step] [--libtorch-dropout] [--trim-every N] [--data DIR]
/// --d-grads-in-g-step and --libtorch-dropout switch the step's levers off, --trim-every sets how often the heap
/// is trimmed (0: never); GANMNIST_NATIVE_TUNING=0 in the environment leaves glibc's malloc alone (thresholds and trimming).
/// </summary>
internal static class StepBenchmark
{
    public static int Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Option(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var architecture = Enum.Parse<GanArchitecture>(Option("--arch") ?? "dcgan", ignoreCase: true);
        var (steps, reps, warmup, batchSize) = (Int("--steps", 10), Int("--reps", 3), Int("--warmup", 2), Int("--batch", 256));
        // The library's default: one intra-op thread per core (what GanTrainer does unless told otherwise).
        set_num_threads(Int("--threads", Environment.ProcessorCount));
        var freeze = !args.Contains("--d-grads-in-g-step");
        var precision = (Option("--precision") ?? "32-true") switch
        {
            "32-true" or "32" => Precision.Float32,
            "bf16-mixed" => Precision.BFloat16Mixed,
            var other => throw new ArgumentException($"--precision: '{other}' is not 32-true or bf16-mixed."),
        };
        // --float32-generator: under bf16-mixed, the generator in float32 (GanTrainerOptions.AutocastGenerator = false).
        var autocastGenerator = !args.Contains("--float32-generator");
        var mallocTuned = MallocSettings.EnsureApplied();
        if (Option("--trim-every") is { } trim)
        {
            MallocSettings.TrimEverySteps = int.Parse(trim, CultureInfo.InvariantCulture);
        }

        var counterDropout = !args.Contains("--libtorch-dropout");
        var data = Option("--data") ?? Environment.GetEnvironmentVariable(MnistDatasetOptions.DataEnvironmentVariable) ?? "../shared/mnist";

        using var train = MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = data }).GetAwaiter().GetResult();
        var loadedMib = Environment.WorkingSet / 1048576.0;
        manual_seed(0);
        using var random = new Generator(0);
        var g = GanModels.CreateGenerator(architecture, generator: random);
        var d = GanModels.CreateDiscriminator(architecture, generator: random);
        if (!counterDropout)
        {
            CounterBasedDropout.Disabled = true;
        }
        using var gModule = g.Module;
        using var dModule = d.Module;
        using var gOptimizer = optim.Adam(g.Module.parameters(), 1e-4, 0.9, 0.999, 1e-7);
        using var dOptimizer = optim.Adam(d.Module.parameters(), 1e-4, 0.9, 0.999, 1e-7);
        var step = new TrainingStep(g, d, GanLosses.NonSaturating, gOptimizer, dOptimizer, random, freezeDiscriminatorInGeneratorStep: freeze,
            precision: precision, autocastGenerator: autocastGenerator);
        var loader = new DataLoader(train, batchSize, seed: 1, dropLast: true);
        using var batches = Batches(loader).GetEnumerator();

        var stepsDone = 0L;
        void Step()
        {
            batches.MoveNext();
            using var batch = batches.Current;
            using var scope = NewDisposeScope();
            step.Run(batch.Images, null);
            MallocSettings.AfterStep(++stepsDone);
        }

        for (var i = 0; i < warmup; i++)
        {
            Step();
        }

        var seconds = new double[reps];
        for (var r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++)
            {
                Step();
            }

            seconds[r] = clock.Elapsed.TotalSeconds;
        }

        Array.Sort(seconds);
        var median = seconds[reps / 2];
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "ganmnist", ["arch"] = architecture.ToString().ToLowerInvariant(), ["precision"] = precision == Precision.BFloat16Mixed ? "bf16-mixed" : "32-true",
            ["autocast_generator"] = autocastGenerator,
            ["threads"] = get_num_threads(), ["batch"] = batchSize,
            ["d_frozen_in_g_step"] = freeze, ["malloc_tuned"] = mallocTuned, ["trim_every"] = mallocTuned ? MallocSettings.TrimEverySteps : 0,
            ["counter_dropout"] = counterDropout,
            ["images_per_second"] = batchSize * steps / median, ["ms_per_step"] = 1000 * median / steps,
            ["peak_rss_mib"] = process.PeakWorkingSet64 / 1048576.0, ["managed_committed_mib"] = GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, ["rss_after_load_mib"] = loadedMib, ["libtorch"] = __version__,
        }));
        return 0;
    }

    private static IEnumerable<ImageBatch> Batches(DataLoader loader)
    {
        for (var epoch = 0; ; epoch++)
        {
            foreach (var batch in loader.Epoch(epoch))
            {
                yield return batch;
            }
        }
    }
}
