// Smoke test of the libtorch binding: prints what was loaded, then trains a tiny network on random
// data for a few Adam steps (forward, backward, step) and shows the loss going down.
// Usage: dotnet run --project samples/GanMnist.Smoke -c Release [-- --device cpu|cuda|auto] [--steps N]
using System.Diagnostics;
using GanMnist.Torch;
using static GanMnist.Torch.torch;
using F = GanMnist.Torch.torch.nn.functional;

var deviceName = OptionValue(args, "--device") ?? "auto";
var steps = int.Parse(OptionValue(args, "--steps") ?? "50", System.Globalization.CultureInfo.InvariantCulture);
Device target;
try
{
    target = device(deviceName);
    target.EnsureAvailable();
}
catch (Exception e) when (e is FormatException or TorchException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine($"libtorch {__version__}, CUDA {(cuda.runtime_version() < 0 ? "not built in" : $"runtime {cuda.runtime_version()}, {cuda.device_count()} device(s)")}");
Console.WriteLine($"device {target}, intra-op threads {get_num_threads()}");

manual_seed(0);
using var inputs = randn([256, 1, 28, 28], device: target);
using var labels = randint(0, 2, [256, 1], float32, target);
using var model = nn.Sequential(
    nn.Conv2d(1, 16, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2),
    nn.Conv2d(16, 32, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 1));
model.to(target);
using var adam = optim.Adam(model.parameters(), lr: 1e-3);

var baseline = Tensor.LiveCount;
var clock = Stopwatch.StartNew();
double first = 0, last = 0;
for (var step = 1; step <= steps; step++)
{
    using var scope = NewDisposeScope();
    adam.zero_grad();
    var loss = F.binary_cross_entropy_with_logits(model.call(inputs), labels);
    loss.backward();
    adam.step();
    if (step == 1 || step == steps || step % 10 == 0)
    {
        last = loss.item<double>();
        first = step == 1 ? last : first;
        Console.WriteLine($"step {step,4}  loss {last:F4}");
    }
}

Console.WriteLine($"{steps * 256 / clock.Elapsed.TotalSeconds:F0} images/s; loss {first:F4} -> {last:F4}; live tensors after the steps: {Tensor.LiveCount - baseline} above baseline");
return last < first ? 0 : 1;

static string? OptionValue(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
