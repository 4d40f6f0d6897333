using System.Text.Json;
using CsCheck;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Fuzz;
using GanMnist.Training;

namespace GanMnist.Tests.Fuzzing;

/// <summary>
/// The readers of outside data in the normal test run: the fuzzers' seeds are read (not refused), every input
/// AFL++ ever found is replayed (tests/GanMnist.Fuzz/regressions/TARGET/), and CsCheck mutates the seeds of
/// every target (overwritten, truncated, inserted bytes and extreme integers), holding each to the targets'
/// oracle: read, or refused with the library's own exception naming the file.
/// </summary>
public sealed class ReaderFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _seeds;

    public ReaderFuzzTests()
    {
        _seeds = Path.Combine(_folder.Path, "seeds");
        Seeds.Write(_seeds);
    }

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Keys];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Seeds_AreReadNotRefused()
    {
        using (var images = IdxReader.ReadImages(Seed("idx", "images-idx3-ubyte")))
        {
            images.Count.Should().Be(2);
        }

        using (var images = IdxReader.ReadImages(Seed("idx-gz", "images-idx3-ubyte.gz")))
        {
            images.Count.Should().Be(2);
        }

        IdxReader.ReadLabels(Seed("idx", "labels-idx1-ubyte")).Should().Equal(7, 2, 9);
        IdxReader.ReadLabels(Seed("idx-gz", "labels-idx2-int.gz"), LabelFormat.Idx2Int, 1, 10).Should().Equal(2, 9);
        NpzReader.Read(Seed("npz", "mnist.npz"), MnistSplit.Test, 10).Labels.Should().Equal(3, 9);
        using (var content = SafeTensorsFile.Read(Seed("safetensors", "generator.safetensors")))
        {
            content.Metadata["architecture"].Should().Be("Mlp");
        }

        GeneratorFile.ReadDataset(Seed("safetensors", "generator.safetensors"))!.Name.Should().Be("mnist");
        var stateDict = StateDictFile.Read(Seed("state-dict", "linear.pt"));
        stateDict.Keys.Should().BeEquivalentTo("weight", "bias");
        foreach (var tensor in stateDict.Values)
        {
            tensor.Dispose();
        }

        CheckpointFile.ReadOptions(File.ReadAllText(Seed("options-json", "options.json")), "c").Epochs.Should().Be(2);
        TrainingHistory.FromJson(File.ReadAllText(Seed("history-json", "history.json"))).Epochs.Should().HaveCount(2);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryFoundInputAndSeed_IsReadOrRefusedByName(string target)
    {
        var regressions = Path.Combine(TestData.RepositoryRoot, "tests", "GanMnist.Fuzz", "regressions", target);
        var inputs = Directory.GetFiles(Path.Combine(_seeds, target))
            .Concat(Directory.Exists(regressions) ? Directory.GetFiles(regressions) : []);
        foreach (var input in inputs)
        {
            var run = () => FuzzTargets.Run(target, File.ReadAllBytes(input), Path.Combine(_folder.Path, "scratch"));
            run.Should().NotThrow($"'{input}' must be read or refused with an exception naming the file");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedSeeds_AreReadOrRefusedByName(string target)
    {
        var seeds = Directory.GetFiles(Path.Combine(_seeds, target)).Select(File.ReadAllBytes).ToArray();
        var scratch = Path.Combine(_folder.Path, "mutations");
        Gen.Select(Gen.Int[0, seeds.Length - 1], Edit.Array[1, 4])
            .Select((seed, edits) => edits.Aggregate(seeds[seed], (bytes, edit) => edit(bytes)))
            .Sample(input => FuzzTargets.Run(target, input, scratch), iter: 150, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void SafeTensors_RoundTripsAnyTensors()
    {
        var dtypes = new[] { torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.uint8, torch.int8, torch.@bool };
        var shape = Gen.Long[0, 3].Array[0, 3];
        var entry = Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 8], Gen.Int[0, dtypes.Length - 1], shape);
        var metadata = Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 6], Gen.String)[0, 3];
        var path = Path.Combine(_folder.Path, "round-trip.safetensors");
        Gen.Select(entry.Array[0, 4], metadata).Sample((entries, meta) =>
        {
            using var scope = torch.NewDisposeScope();
            var tensors = entries.DistinctBy(e => e.Item1).ToDictionary(e => e.Item1,
                e => (torch.randn(e.Item3, torch.float64) * 100).to(dtypes[e.Item2]));
            SafeTensorsFile.Write(path, tensors, meta);
            using var read = SafeTensorsFile.Read(path);
            read.Tensors.Keys.Should().BeEquivalentTo(tensors.Keys);
            foreach (var (name, tensor) in tensors)
            {
                read.Tensors[name].dtype.Should().Be(tensor.dtype);
                read.Tensors[name].shape.Should().Equal(tensor.shape);
                read.Tensors[name].eq(tensor).all().item<bool>().Should().BeTrue(name);
            }

            foreach (var (key, value) in meta)
            {
                read.Metadata.Should().ContainKey(key).WhoseValue.Should().Be(value);
            }
        }, iter: 60, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void History_RoundTripsAnyFiniteOrNonFiniteValues()
    {
        var value = Gen.OneOf<double>(Gen.Double, Gen.OneOf(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon));
        var epoch = Gen.Select(value, value, value, value, Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 5], value)[0, 3])
            .Select((d, g, r, f, values) => (d, g, r, f, values));
        epoch.Array[0, 5].Sample(epochs =>
        {
            var history = new TrainingHistory();
            for (var i = 0; i < epochs.Length; i++)
            {
                var (d, g, r, f, values) = epochs[i];
                history.Add(new EpochSummary(i + 1, d, g, r, f, 1, 2, values));
            }

            var read = TrainingHistory.FromJson(history.ToJson());
            read.Epochs.Should().HaveCount(epochs.Length);
            for (var i = 0; i < epochs.Length; i++)
            {
                Same(read.Epochs[i].DiscriminatorLoss, epochs[i].d);
                Same(read.Epochs[i].GeneratorLoss, epochs[i].g);
                Same(read.Epochs[i].RealScore, epochs[i].r);
                Same(read.Epochs[i].FakeScore, epochs[i].f);
                read.Epochs[i].Values.Keys.Should().BeEquivalentTo(epochs[i].values.Keys);
            }
        }, iter: 200, threads: 1, seed: "0N0XIzNsQ0O2");

        static void Same(double read, double written) => BitConverter.DoubleToInt64Bits(read == 0 ? Math.Abs(read) : read)
            .Should().Be(BitConverter.DoubleToInt64Bits(written == 0 ? Math.Abs(written) : written));
    }

    [Fact]
    public void OptionsConfiguration_AnyValueOfAnyOption_IsBoundOrRefusedByName()
    {
        // Flat names (as configuration was written before the options were grouped) and grouped keys as nested objects.
        var names = GanTrainerOptionKeys.All.Select(o => o.Name).ToArray();
        var keys = GanTrainerOptionKeys.All.Select(o => o.Key).ToArray();
        var scalar = Gen.OneOf<string>(
            Gen.Int.Select(i => JsonSerializer.Serialize(i)),
            Gen.Double.Select(d => double.IsFinite(d) ? JsonSerializer.Serialize(d) : $"\"{d}\""),
            Gen.String.Select(s => JsonSerializer.Serialize(s)),
            Gen.OneOf("true", "false", "null", "\"NaN\"", "\"-1\"", "\"1e400\"", "\"Dcgan\"", "\"cuda:99\"", "[]", "{}", "[1, 2]"));
        var setting = Gen.Select(Gen.Int[0, names.Length - 1], scalar, Gen.Bool);
        var scratch = Path.Combine(_folder.Path, "options");
        setting.Array[1, 6].Sample(settings =>
        {
            // A grouped setting goes into its group's one object, so that two of a group make one "Model": { ... }.
            var members = settings.Where(s => s.Item3 && keys[s.Item1].Contains(':'))
                .GroupBy(s => keys[s.Item1].Split(':')[0], s => $"\"{names[s.Item1]}\": {s.Item2}")
                .Select(g => $"\"{g.Key}\": {{ {string.Join(", ", g)} }}");
            var flat = settings.Where(s => !(s.Item3 && keys[s.Item1].Contains(':'))).Select(s => $"\"{names[s.Item1]}\": {s.Item2}");
            FuzzTargets.Run("options-json", System.Text.Encoding.UTF8.GetBytes("{" + string.Join(", ", flat.Concat(members)) + "}"), scratch);
        },
            iter: 150, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    /// <summary>One edit of a file: overwrite, truncate, insert, or an extreme 32-bit integer (big- or little-endian) at a position.</summary>
    private static readonly Gen<Func<byte[], byte[]>> Edit =
        Gen.Select(Gen.Int[0, 4], Gen.Double.Unit, Gen.Byte.Array[1, 8], Gen.OneOf(0, -1, 1, int.MaxValue, int.MinValue, 0x7fff, 60000))
            .Select<int, double, byte[], int, Func<byte[], byte[]>>((kind, where, bytes, extreme) => file =>
            {
                var at = (int)(where * file.Length);
                switch (kind)
                {
                    case 0:
                        var copy = file.ToArray();
                        bytes.AsSpan(0, Math.Min(bytes.Length, copy.Length - at)).CopyTo(copy.AsSpan(at));
                        return copy;
                    case 1:
                        return file[..at];
                    case 2:
                        return [.. file[..at], .. bytes, .. file[at..]];
                    default:
                        var value = file.ToArray();
                        if (at + 4 <= value.Length)
                        {
                            if (kind == 3)
                            {
                                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(at), extreme);
                            }
                            else
                            {
                                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(at), extreme);
                            }
                        }

                        return value;
                }
            });

    private string Seed(string target, string name) => Path.Combine(_seeds, target, name);
}
