using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GanMnist.Models;
using static GanMnist.Torch.torch;
using F = GanMnist.Torch.torch.nn.functional;

/// <summary>
/// Each CPU fast path of the binding against libtorch's own kernel on the seed DCGAN's shapes (batch 256), timed
/// alternately (fast, libtorch, fast, ...) so that the machine's drift hits both alike; median of the repetitions.
/// The step benchmark shows what a lever is worth in the whole step; this isolates levers smaller than its noise.
/// Usage: kernels [--reps R] [--threads N]
/// </summary>
internal static class KernelBenchmark
{
    public static int Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var reps = int.Parse(Option("--reps") ?? "9", CultureInfo.InvariantCulture);
        set_num_threads(int.Parse(Option("--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        manual_seed(0);

        Measure("conv_transpose2d", "the DCGAN generator's three transposed convolutions, forward + backward", reps,
            on => backends.fast_paths.conv_transpose2d = on, TransposedConvolutions());
        Measure("dropout", "the DCGAN discriminator's two dropouts (p 0.3), forward + backward", reps,
            on => backends.fast_paths.dropout = on, Dropouts());
        Measure("adam", "ten Adam steps of the DCGAN's generator and discriminator (2.52 M parameters)", reps,
            on => backends.fast_paths.adam = on, AdamSteps());
        return 0;
    }

    private static Action TransposedConvolutions()
    {
        var layers = new (long[] Input, long[] Weight, long Stride, long OutputPadding)[]
        {
            ([256, 256, 7, 7], [256, 128, 5, 5], 1, 0), ([256, 128, 7, 7], [128, 64, 5, 5], 2, 1), ([256, 64, 14, 14], [64, 1, 5, 5], 2, 1),
        };
        var tensors = layers.Select(l => (X: randn(l.Input).requires_grad_().DetachFromDisposeScope(), W: (randn(l.Weight) * 0.05).requires_grad_().DetachFromDisposeScope(), l.Stride, l.OutputPadding)).ToArray();
        return () =>
        {
            foreach (var (x, w, stride, outputPadding) in tensors)
            {
                F.conv_transpose2d(x, w, stride: stride, padding: 2, output_padding: outputPadding).sum().backward();
            }
        };
    }

    private static Action Dropouts()
    {
        var inputs = new[] { randn([256, 64, 14, 14]).requires_grad_().DetachFromDisposeScope(), randn([256, 128, 7, 7]).requires_grad_().DetachFromDisposeScope() };
        return () =>
        {
            foreach (var x in inputs)
            {
                F.dropout(x, 0.3, training: true).sum().backward();
            }
        };
    }

    private static Action AdamSteps()
    {
        using var random = new Generator(0);
        var g = GanModels.CreateGenerator(GanArchitecture.Dcgan, generator: random);
        var d = GanModels.CreateDiscriminator(GanArchitecture.Dcgan, generator: random);
        var parameters = g.Module.parameters().Concat(d.Module.parameters()).ToList();
        using (NewDisposeScope())
        {
            foreach (var p in parameters)
            {
                (p * randn(p.shape)).sum().backward(); // a gradient for every parameter
            }
        }

        var adam = optim.Adam(parameters, 1e-4, 0.9, 0.999, 1e-7);
        return () =>
        {
            for (var i = 0; i < 10; i++)
            {
                adam.step();
            }
        };
    }

    private static void Measure(string path, string what, int reps, Action<bool> enable, Action body)
    {
        double Time(bool fast)
        {
            enable(fast);
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            body();
            return clock.Elapsed.TotalMilliseconds;
        }

        Time(true); // warm-up, both ways
        Time(false);
        var fast = new double[reps];
        var stock = new double[reps];
        for (var r = 0; r < reps; r++)
        {
            fast[r] = Time(true);
            stock[r] = Time(false);
        }

        enable(true);
        Array.Sort(fast);
        Array.Sort(stock);
        var (f, s) = (fast[reps / 2], stock[reps / 2]);
        Console.WriteLine($"{path,-17} fast {f,8:F1} ms   libtorch {s,8:F1} ms   {s / f,5:F2}x   ({what})");
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["impl"] = "ganmnist", ["kernel"] = path, ["fast_ms"] = f, ["libtorch_ms"] = s, ["speedup"] = s / f, ["threads"] = get_num_threads(), ["reps"] = reps,
        }));
    }
}
