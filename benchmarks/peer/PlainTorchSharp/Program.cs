// Peer (b) of docs/performance.md: the DCGAN/MLP training step a .NET user would write with TorchSharp alone,
// the obvious way: D scores the real and the fake batch in two forwards, then G's loss goes through D with D's
// weights still requiring gradients (so G's backward also computes D's weight gradients, which are then zeroed).
// Same networks, Keras initialisation and recipe as GanMnist's step benchmark and benchmarks/peer/peer_step.py.
// Prints one JSON line like theirs. Usage: PlainTorchSharp --arch dcgan|mlp --data DIR [--threads N] [--steps K] [--reps R] [--warmup W]
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Int(string name, int fallback) => Option(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var arch = Option("--arch") ?? "dcgan";
var (steps, reps, warmup, batch) = (Int("--steps", 10), Int("--reps", 3), Int("--warmup", 2), Int("--batch", 256));
set_num_threads(Int("--threads", Environment.ProcessorCount));
manual_seed(0);

// MNIST training images as (N, 1, 28, 28) in [-1, 1].
byte[] raw;
using (var file = new GZipStream(File.OpenRead(Path.Combine(Option("--data") ?? "../shared/mnist", "train-images-idx3-ubyte.gz")), CompressionMode.Decompress))
using (var memory = new MemoryStream())
{
    file.CopyTo(memory);
    raw = memory.ToArray()[16..];
}

var images = tensor(raw, [raw.Length / 784, 1, 28, 28]).to(float32).div_(255).sub_(0.5).div_(0.5);
var loadedMib = Environment.WorkingSet / 1048576.0;

Sequential g, d;
if (arch == "dcgan")
{
    g = nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, hasBias: false), nn.BatchNorm1d(7 * 7 * 256, 1e-3, 0.01), nn.LeakyReLU(0.2), nn.Unflatten(1, [256, 7, 7]),
        nn.ConvTranspose2d(256, 128, 5, stride: 1, padding: 2, bias: false), nn.BatchNorm2d(128, 1e-3, 0.01), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 64, 5, stride: 2, padding: 2, output_padding: 1, bias: false), nn.BatchNorm2d(64, 1e-3, 0.01), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(64, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false), nn.Tanh());
    d = nn.Sequential(
        nn.Conv2d(1, 64, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, stride: 2, padding: 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(7 * 7 * 128, 1));
}
else
{
    g = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
        nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, [1, 28, 28]));
    d = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1));
}

foreach (var m in g.modules().Concat(d.modules()))
{
    if (m is Linear or Conv2d or ConvTranspose2d)
    {
        foreach (var (name, p) in m.named_parameters(recurse: false))
        {
            _ = name == "weight" ? nn.init.xavier_uniform_(p) : nn.init.zeros_(p);
        }
    }
}

var optG = optim.Adam(g.parameters(), 1e-4, 0.9, 0.999, 1e-7);
var optD = optim.Adam(d.parameters(), 1e-4, 0.9, 0.999, 1e-7);
var ones = torch.ones(batch, 1);
var zeros = torch.zeros(batch, 1);
var order = randperm(images.size(0));
var position = 0L;

void Step()
{
    using var scope = NewDisposeScope();
    if (position + batch > order.size(0))
    {
        order = randperm(images.size(0)).DetachFromDisposeScope();
        position = 0;
    }

    var real = images.index_select(0, order.narrow(0, position, batch));
    position += batch;
    var fake = g.call(randn(batch, 100));
    var lossD = F.binary_cross_entropy_with_logits(d.call(real), ones) + F.binary_cross_entropy_with_logits(d.call(fake.detach()), zeros);
    optD.zero_grad();
    lossD.backward();
    optD.step();
    var lossG = F.binary_cross_entropy_with_logits(d.call(fake), ones);
    optG.zero_grad();
    lossG.backward();
    optG.step();
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
    ["impl"] = "torchsharp", ["arch"] = arch, ["threads"] = get_num_threads(), ["batch"] = batch,
    ["images_per_second"] = batch * steps / median, ["ms_per_step"] = 1000 * median / steps,
    ["peak_rss_mib"] = process.PeakWorkingSet64 / 1048576.0, ["rss_after_load_mib"] = loadedMib, ["libtorch"] = __version__,
}));
