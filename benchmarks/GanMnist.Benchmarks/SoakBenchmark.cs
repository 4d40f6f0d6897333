using System.Globalization;
using GanMnist.Data;
using GanMnist.Training;
using TorchSharp;

/// <summary>
/// <c>soak [--steps 10000] [--every 500] [--images 2000] [--preset quick] [--set Name=Value]... [--data DIR]</c>: trains a preset on the
/// first N MNIST images for many steps through <see cref="GanTrainer"/> (history, report, samples and checkpoints as a user's
/// run writes them) and samples the resident set (VmRSS), the managed heap and TorchSharp's live-tensor count every
/// <c>--every</c> steps; prints them as CSV and the least-squares slope of each over the second half of the run (after warm-up).
/// </summary>
internal static class SoakBenchmark
{
    public static int Run(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var steps = int.Parse(Value("--steps") ?? "10000", CultureInfo.InvariantCulture);
        var every = int.Parse(Value("--every") ?? "500", CultureInfo.InvariantCulture);
        var images = int.Parse(Value("--images") ?? "2000", CultureInfo.InvariantCulture);
        var preset = Enum.Parse<GanPreset>(Value("--preset") ?? "quick", ignoreCase: true);
        var data = Value("--data") ?? Environment.GetEnvironmentVariable(MnistDatasetOptions.DataEnvironmentVariable);
        var output = Directory.CreateTempSubdirectory("ganmnist-soak-").FullName;
        try
        {
            using var train = MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = data, Limit = images }).GetAwaiter().GetResult();
            var options = GanPresets.Apply(new GanTrainerOptions(), preset);
            var settings = args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
            foreach (var setting in settings)
            {
                var (name, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                var option = GanTrainerOptionKeys.Find(name) ?? throw new ArgumentException($"--set: no option '{name}'");
                var type = Nullable.GetUnderlyingType(option.Property.PropertyType) ?? option.Property.PropertyType;
                option.Property.SetValue(option.Owner(options), type.IsEnum ? Enum.Parse(type, value) : Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
            }

            var perEpoch = (int)Math.Ceiling(images / (double)options.Optimization.BatchSize);
            (options.Epochs, options.Output.OutputDirectory, options.Seed, options.Evaluation.EvaluateEveryEpochs) = ((steps + perEpoch - 1) / perEpoch, output, 1, 0);
            var probe = new Probe(every);
            Console.WriteLine($"soak: {options.Preset} on {images} images, {options.Epochs} epochs of {perEpoch} steps ({options.Epochs * perEpoch} steps), sampling every {every}");
            Console.WriteLine("step,rss_mib,managed_mib,live_tensors");
            using (GanTrainer.Create(b => b.Configure(o => Copy(options, o)).AddCallback(probe)).TrainAsync(train).GetAwaiter().GetResult())
            {
            }

            var half = probe.Samples.Where(s => s.Step >= probe.Samples[^1].Step / 2).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"slopes over steps {half[0].Step}-{half[^1].Step} (per 1,000 steps): RSS {Slope(half, s => s.RssMiB) * 1000:F2} MiB, managed {Slope(half, s => s.ManagedMiB) * 1000:F2} MiB, live tensors {Slope(half, s => s.LiveTensors) * 1000:F2}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ranges over that half: RSS {half.Min(s => s.RssMiB):F1}-{half.Max(s => s.RssMiB):F1} MiB, managed {half.Min(s => s.ManagedMiB):F1}-{half.Max(s => s.ManagedMiB):F1} MiB, live tensors {half.Min(s => s.LiveTensors)}-{half.Max(s => s.LiveTensors)}"));
            return 0;
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static void Copy(GanTrainerOptions from, GanTrainerOptions to)
    {
        foreach (var option in GanTrainerOptionKeys.All)
        {
            option.Property.SetValue(option.Owner(to), option.GetValue(from));
        }
    }

    /// <summary>The least-squares slope of y over steps.</summary>
    private static double Slope(List<Sample> samples, Func<Sample, double> y)
    {
        var (mx, my) = (samples.Average(s => (double)s.Step), samples.Average(y));
        var covariance = samples.Sum(s => (s.Step - mx) * (y(s) - my));
        var variance = samples.Sum(s => (s.Step - mx) * (s.Step - mx));
        return variance == 0 ? 0 : covariance / variance;
    }

    private sealed record Sample(long Step, double RssMiB, double ManagedMiB, long LiveTensors);

    private sealed class Probe(int every) : ITrainingCallback
    {
        public List<Sample> Samples { get; } = [];

        public void OnStepEnd(TrainingContext context, StepInfo step)
        {
            if (step.GlobalStep % every != 0)
            {
                return;
            }

            var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var sample = new Sample(step.GlobalStep, long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0,
                GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, torch.Tensor.TotalCount); // live managed objects, not GC timing
            Samples.Add(sample);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sample.Step},{sample.RssMiB:F1},{sample.ManagedMiB:F1},{sample.LiveTensors}"));
        }
    }
}
