using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

/// <summary>
/// Times each matrix-product layer of the seeds' DCGAN at batch 256, forward and backward (input and weight gradients),
/// in float32 and bfloat16, in PyTorch's default (NCHW) and channels-last layouts, plus a 2048x2048 matmul: where
/// bf16-mixed gains or loses on this CPU, layer by layer. ONEDNN_VERBOSE=1 in the environment shows the kernels oneDNN picks.
/// Usage: ops [--threads N] [--reps R]
/// </summary>
internal static class OpsBenchmark
{
    public static int Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        set_num_threads(Option("--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : Environment.ProcessorCount);
        var reps = Option("--reps") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"libtorch {__version__}, {get_num_threads()} threads; ms for forward + backward, median of {reps}");
        Console.WriteLine($"{"layer",-30} {"layout",-6} {"float32",9} {"bfloat16",9} {"bf16/f32",9}");
        Case("G linear 100->12544", [256, 100], [12544, 100], (x, w) => F.linear(x, w));
        Case("G convT 256->128 5x5 s1 7x7", [256, 256, 7, 7], [256, 128, 5, 5], (x, w) => F.conv_transpose2d(x, w, null, [1, 1], [2, 2]));
        Case("G convT 128->64 5x5 s2 7->14", [256, 128, 7, 7], [128, 64, 5, 5], (x, w) => F.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1]));
        Case("G convT 64->1 5x5 s2 14->28", [256, 64, 14, 14], [64, 1, 5, 5], (x, w) => F.conv_transpose2d(x, w, null, [2, 2], [2, 2], [1, 1]));
        Case("D conv 1->64 5x5 s2 28->14", [256, 1, 28, 28], [64, 1, 5, 5], (x, w) => F.conv2d(x, w, null, [2, 2], [2, 2]));
        Case("D conv 64->128 5x5 s2 14->7", [256, 64, 14, 14], [128, 64, 5, 5], (x, w) => F.conv2d(x, w, null, [2, 2], [2, 2]));
        Case("D linear 6272->1", [256, 6272], [1, 6272], (x, w) => F.linear(x, w));
        Case("matmul 2048x2048", [2048, 2048], [2048, 2048], (x, w) => x.matmul(w));
        return 0;

        void Case(string name, long[] input, long[] weight, Func<Tensor, Tensor, Tensor> op)
        {
            foreach (var channelsLast in input.Length == 4 ? new[] { false, true } : [false])
            {
                var ms = new[] { ScalarType.Float32, ScalarType.BFloat16 }.Select(dtype => Median(reps, () =>
                {
                    using var scope = NewDisposeScope();
                    var x = randn(input).to(dtype);
                    var w = (randn(weight) * 0.05).to(dtype);
                    if (channelsLast)
                    {
                        // TorchSharp has no memory_format conversion: an NHWC-contiguous tensor viewed as NCHW is channels-last.
                        (x, w) = (x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2), w.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
                    }

                    x.requires_grad = true;
                    w.requires_grad = true;
                    op(x, w).sum().backward();
                })).ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-30} {(channelsLast ? "NHWC" : "NCHW"),-6} {ms[0],9:F1} {ms[1],9:F1} {ms[1] / ms[0],9:F2}"));
            }
        }
    }

    private static double Median(int reps, Action action)
    {
        action();
        var times = new double[reps];
        for (var i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }
}
