using GanMnist.Cli;
using GanMnist.Data;
using GanMnist.Training;

namespace GanMnist.Samples.Tests;

public sealed class CliTests
{
    private static async Task<(int ExitCode, string Output, string Error)> Cli(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(new[] { "train", "--epochs", "zero" }, "*'zero'*--epochs*", "*train [options]*train --help*")]
    [InlineData(new[] { "train", "--bogus" }, "*--bogus*", "*train --help*")]
    [InlineData(new[] { "frobnicate" }, "*frobnicate*", "*--help*")]
    [InlineData(new[] { "generate" }, "*--checkpoint*required*", "*generate --help*")]
    [InlineData(new[] { "train", "--set", "Bogus=1" }, "*no option 'Bogus'*Epochs*", "*train --help*")]
    [InlineData(new[] { "train", "--set", "Epochs=many" }, "*--set*Epochs*", "*train --help*")]
    [InlineData(new[] { "train", "--set", "Preset=Quick" }, "*preset is chosen with --preset*", "*train --help*")]
    [InlineData(new[] { "evaluate" }, "*either --checkpoint or --idx*", "*evaluate --help*")]
    [InlineData(new[] { "train", "--precision", "fp8" }, "*--precision: 'fp8' is not a precision; it is 32-true or bf16-mixed.*", "*train --help*")]
    [InlineData(new[] { "train", "--dataset", "fashon" }, "*--dataset: Unknown dataset 'fashon'. Did you mean 'fashion-mnist'? Datasets are mnist, fashion-mnist,*", "*train --help*")]
    public async Task BadArguments_ExitWithCode2AndAUsageHint(string[] args, string problem, string hint)
    {
        var (code, _, error) = await Cli(args);

        code.Should().Be(CliApp.BadArguments);
        error.Should().Match(problem).And.Match(hint);
    }

    [Theory]
    [InlineData("Model:LatentSize=64")]
    [InlineData("Model.LatentSize=64")]
    [InlineData("LatentSize=64")]
    [InlineData("model:latentsize=64")]
    public void ApplySettings_TakesAnOptionsKeyOrItsNameAlone(string setting)
    {
        var options = new GanTrainerOptions();

        TrainCommand.ApplySettings(options, [setting, "Output:SampleGridSize=2", "EmaDecay=0.99", "Epochs=3"]);

        (options.Model.LatentSize, options.Output.SampleGridSize, options.Schedule.EmaDecay, options.Epochs).Should().Be((64, 2, (double?)0.99, 3));
    }

    [Fact]
    public void ApplySettings_AnUnknownName_IsRefusedListingTheKeys()
    {
        var act = () => TrainCommand.ApplySettings(new GanTrainerOptions(), ["Model:Bogus=1"]);

        act.Should().Throw<UsageException>().WithMessage("--set: GanTrainerOptions has no option 'Model:Bogus'; options are Epochs, *, Model:Architecture, *, Health:HealthWindowSteps.");
    }

    [Fact]
    public async Task TrainSummary_PrintsBothModelsTables_AndTrainsNothing()
    {
        var (code, output, error) = await Cli("train", "--preset", "dcgan", "--summary", "--out", Path.Combine(Path.GetTempPath(), "ganmnist-summary-never-written"));

        (code, error).Should().Be((0, ""));
        output.Should().Contain("Model: \"DcganGenerator\"").And.Contain("Model: \"DcganDiscriminator\"");
        output.Should().Contain("Total params: 2,330,944").And.Contain("Non-trainable params: 25,472").And.Contain("Total params: 212,865");
        Directory.Exists(Path.Combine(Path.GetTempPath(), "ganmnist-summary-never-written")).Should().BeFalse();
    }

    [Theory]
    [InlineData("bf16-mixed", Precision.BFloat16Mixed)]
    [InlineData("BF16-Mixed", Precision.BFloat16Mixed)]
    [InlineData("BFloat16Mixed", Precision.BFloat16Mixed)]
    [InlineData("32-true", Precision.Float32)]
    [InlineData("32", Precision.Float32)]
    public void ParsePrecision_TakesLightningsNamesAndTheOptionsOwn(string name, Precision expected) =>
        TrainCommand.ParsePrecision(name).Should().Be(expected);

    [Fact]
    public async Task Train_InvalidOptionValues_AreAllListedWithCode2()
    {
        var (code, _, error) = await Cli("train", "--epochs", "0", "--batch-size", "-2", "--loss", "Hinge", "--label-smoothing", "0.9", "--device", "gpu7");

        code.Should().Be(CliApp.BadArguments);
        error.Should().Contain("Epochs").And.Contain("BatchSize").And.Contain("LabelSmoothing").And.Contain("'gpu7' is not a device");
    }

    [Fact]
    public async Task Failures_ExitWithCode1AndOneLineReason()
    {
        var (code, _, error) = await Cli("report", "/nonexistent/run");

        code.Should().Be(CliApp.Failure);
        error.Trim().Should().Be("error: The run folder '/nonexistent/run' does not exist.");
    }

    [Fact]
    public async Task Train_CudaWithOnlyTheCpuRuntime_ExitsWithCode1NamingThePackageToAdd()
    {
        if (cuda.is_available())
        {
            return; // a machine with a CUDA runtime and a GPU: nothing to refuse
        }

        var run = SampleSupport.TempFolder();
        try
        {
            var (code, _, error) = await Cli("train", "--preset", "quick", "--epochs", "1", "--device", "cuda", "--data", SampleSupport.MnistDirectory, "--out", run);

            code.Should().Be(CliApp.Failure);
            error.Trim().Should().StartWith("error: Device 'cuda:0' was requested, but the application has no CUDA runtime: add the package TorchSharp-cuda-linux")
                .And.NotContain("\n");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task Generate_FromAPyTorchStateDictOfTheDcganPreset_MatchesTheLibraryOnlyWithItsPaddingAndSlope()
    {
        var folder = SampleSupport.TempFolder();
        try
        {
            using var scope = NewDisposeScope();
            using var random = new Generator(2);
            var generator = GanMnist.Models.GanModels.CreateGenerator(GanMnist.Models.GanArchitecture.Dcgan, leakyReluSlope: 0.3, generator: random,
                padding: GanMnist.Models.TransposedConvolutionPadding.KerasSame); // the dcgan preset's model
            generator.Module.eval();
            var pt = Path.Combine(folder, "g.pt");
            GanMnist.Checkpoints.GeneratorFile.Export(generator, pt);
            var expected = Path.Combine(folder, "expected-idx3-ubyte");
            IdxFile.WriteImages(expected, GanMnist.Checkpoints.GeneratorFile.Generate(generator, 4, 7));

            var keras = Path.Combine(folder, "keras-idx3-ubyte");
            var (code, _, error) = await Cli("generate", "--checkpoint", pt, "--architecture", "Dcgan", "--padding", "KerasSame", "--slope", "0.3", "--count", "4", "--seed", "7", "--idx", keras);
            code.Should().Be(0, error);
            var symmetric = Path.Combine(folder, "symmetric-idx3-ubyte");
            (code, _, error) = await Cli("generate", "--checkpoint", pt, "--architecture", "Dcgan", "--slope", "0.3", "--count", "4", "--seed", "7", "--idx", symmetric);
            code.Should().Be(0, error);

            File.ReadAllBytes(keras).Should().Equal(File.ReadAllBytes(expected));
            File.ReadAllBytes(symmetric).Should().NotEqual(File.ReadAllBytes(expected), "PyTorch's padding places the same weights one pixel away");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TrainGenerateEvaluateReport_EndToEnd_WritesFilesThatTheLibraryReadsBack()
    {
        var run = SampleSupport.TempFolder();
        try
        {
            var (code, output, error) = await Cli("train", "--preset", "quick", "--epochs", "1", "--seed", "5", "--data", SampleSupport.MnistDirectory,
                "--out", run, "--evaluate-every", "1", "--evaluation-samples", "500", "--set", "SampleGridSize=3");
            code.Should().Be(0, error);
            output.Should().Contain("Done (seed 5)").And.Contain("Evaluation: FID");
            File.Exists(Path.Combine(run, "report.html")).Should().BeTrue();

            var idx = Path.Combine(run, "generated-idx3-ubyte");
            var png = Path.Combine(run, "generated.png");
            (code, _, error) = await Cli("generate", "--checkpoint", run, "--count", "20", "--seed", "7", "--idx", idx, "--png", png);
            code.Should().Be(0, error);
            using (var images = IdxFile.ReadImages(idx))
            {
                images.shape.Should().Equal(20, 1, 28, 28);
                images.amin().ToSingle().Should().BeGreaterThanOrEqualTo(-1);
            }

            File.ReadAllBytes(png)[..8].Should().Equal(137, 80, 78, 71, 13, 10, 26, 10);
            (code, _, _) = await Cli("generate", "--checkpoint", run, "--count", "20", "--seed", "7", "--idx", idx + "2");
            File.ReadAllBytes(idx + "2").Should().Equal(File.ReadAllBytes(idx), "the same seed gives the same images");

            (code, output, error) = await Cli("evaluate", "--idx", idx, "--data", SampleSupport.MnistDirectory);
            code.Should().Be(0, error);
            output.Should().Contain("FID").And.Contain("real test images").And.Contain("20 images measured");

            File.Delete(Path.Combine(run, "report.html"));
            (code, output, _) = await Cli("report", run);
            code.Should().Be(0);
            File.ReadAllText(Path.Combine(run, "report.html")).Should().Contain("id=\"metrics\"");
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task ConditionalTrainOnEmnistLetters_GenerateByClassName_UsesTheDatasetsTwentySixClasses()
    {
        var data = SampleSupport.TempFolder();
        var run = SampleSupport.TempFolder();
        try
        {
            // EMNIST Letters' layout: labels 1..26, four tiny images per letter.
            var labels = Enumerable.Range(0, 104).Select(i => (byte)(1 + (i % 26))).ToArray();
            var images = new byte[16 + (104 * 784)];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 104);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
            for (var i = 16; i < images.Length; i++)
            {
                images[i] = (byte)(i * 13);
            }

            byte[] header = [0, 0, 8, 1, 0, 0, 0, 104];
            File.WriteAllBytes(Path.Combine(data, "emnist-letters-train-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(data, "emnist-letters-train-labels-idx1-ubyte"), [.. header, .. labels]);

            var (code, output, error) = await Cli("train", "--preset", "quick", "--dataset", "emnist-letters", "--data", data, "--no-download", "--epochs", "1",
                "--seed", "3", "--out", run, "--evaluate-every", "0", "--set", "Architecture=ConditionalMlp", "--set", "SampleGridSize=2");
            code.Should().Be(0, error);
            output.Should().Contain("on 104 EMNIST Letters images");

            var png = Path.Combine(run, "l.png");
            (code, output, error) = await Cli("generate", "--checkpoint", run, "--class", "L", "--count", "4", "--png", png);
            code.Should().Be(0, error);
            File.Exists(png).Should().BeTrue();
            (code, _, error) = await Cli("generate", "--checkpoint", run, "--digit", "25", "--count", "4", "--png", png);
            code.Should().Be(0, error);

            (code, _, error) = await Cli("generate", "--checkpoint", run, "--class", "sharp-s", "--count", "4", "--png", png);
            code.Should().Be(CliApp.BadArguments);
            error.Should().Contain("--class 'sharp-s' is not a class of this generator; give 0..25 or one of the classes of EMNIST Letters: 'a', 'b',").And.Contain("'z'.");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task RunKilledMidTraining_GenerateAndExport_UseAndNameItsNewestCheckpoint()
    {
        var data = SampleSupport.TempFolder();
        var run = SampleSupport.TempFolder();
        try
        {
            await SampleSupport.WriteSmallTrainingSetAsync(data, 640); // epochs (and their checkpoints) of a second

            var (code, _, _) = await SampleSupport.InterruptAsync("GanMnist.Cli.dll", ["train", "--preset", "quick", "--epochs", "400", "--data", data,
                "--no-download", "--out", run, "--evaluate-every", "0", "--set", "CheckpointEveryEpochs=1"], run, marker: "Checkpoint written", signal: "KILL");
            code.Should().Be(137, "SIGKILL ends the process at once: no generator.safetensors is written");
            File.Exists(Path.Combine(run, "generator.safetensors")).Should().BeFalse();
            var checkpoint = Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors").Order(StringComparer.Ordinal).Last();

            var png = Path.Combine(run, "from-checkpoint.png");
            (code, var output, var error) = await Cli("generate", "--checkpoint", run, "--count", "4", "--png", png);
            code.Should().Be(0, error);
            output.Should().Contain($"Using {checkpoint}, the run's newest checkpoint (the run folder has no generator.safetensors: training did not finish)");
            File.Exists(png).Should().BeTrue();

            (code, output, error) = await Cli("generate", "--checkpoint", checkpoint, "--count", "4", "--png", png);
            code.Should().Be(0, error);
            output.Should().Contain($"Using {checkpoint}, a training checkpoint");

            (code, output, error) = await Cli("export", "--checkpoint", run, "--discriminator", "--out", Path.Combine(run, "d.safetensors"));
            code.Should().Be(0, error);
            output.Should().Contain("Wrote the discriminator of " + checkpoint);

            (code, output, error) = await Cli("train", "--preset", "quick", "--epochs", "1", "--data", data, "--no-download", "--out", run, "--evaluate-every", "0");
            code.Should().Be(0, "the killed run's lock went with its process: " + error);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task Train_IntoAFolderAnotherProcessIsTrainingIn_ExitsWithCode1NamingTheFolderAndThatProcess()
    {
        var run = SampleSupport.TempFolder();
        using var other = SampleSupport.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "GanMnist.Cli.dll"), "train", "--preset", "dcgan", "--epochs", "1",
            "--data", SampleSupport.MnistDirectory, "--out", run, "--evaluate-every", "0", "--set", "LogEverySteps=1"], run);
        try
        {
            string? line;
            while ((line = await other.StandardOutput.ReadLineAsync()) is not null && !line.Contains("step 1/", StringComparison.Ordinal))
            {
            }

            line.Should().NotBeNull("the other training started");
            var (code, _, error) = await Cli("train", "--preset", "quick", "--epochs", "1", "--data", SampleSupport.MnistDirectory, "--out", run, "--evaluate-every", "0");

            code.Should().Be(CliApp.Failure);
            error.Trim().Should().StartWith($"error: The run folder '{run}' is in use by another training (process {other.Id} on ");
        }
        finally
        {
            other.Kill(entireProcessTree: true);
            await other.WaitForExitAsync();
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task LongRunOnAFewImages_KeepsItsResidentMemoryFlat()
    {
        // The soak benchmark's bound at a smaller scale, in a process of its own so that nothing else moves its RSS:
        // 1,000 epochs of 2 steps (2,000 steps), each epoch writing history, charts and report as every run does.
        var data = SampleSupport.TempFolder();
        var run = SampleSupport.TempFolder();
        try
        {
            await SampleSupport.WriteSmallTrainingSetAsync(data, 256);

            using var process = SampleSupport.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "GanMnist.Cli.dll"), "train", "--preset", "quick",
                "--epochs", "1000", "--threads", "1", "--data", data, "--no-download", "--out", run, "--evaluate-every", "0", "--set", "SampleEveryEpochs=0",
                "--set", "CheckpointEveryEpochs=500"], run);
            var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            var samples = new List<(double Seconds, double RssMiB)>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(5))
            {
                try
                {
                    var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                    if (line is not null)
                    {
                        samples.Add((clock.Elapsed.TotalSeconds, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0));
                    }
                }
                catch (IOException)
                {
                    break; // the process ended between the check and the read
                }

                await Task.Delay(250);
            }

            await process.WaitForExitAsync();
            var streams = await drain;
            process.ExitCode.Should().Be(0, $"the run ends normally (stderr: {streams[1]}; stdout's end: {streams[0][^Math.Min(2000, streams[0].Length)..]})");
            samples.Count.Should().BeGreaterThan(20, "the run lasts long enough to be sampled");
            var secondHalf = samples.Skip(samples.Count / 2).ToList();
            var (first, last) = (secondHalf.Take(secondHalf.Count / 4).Average(s => s.RssMiB), secondHalf.Skip(3 * secondHalf.Count / 4).Average(s => s.RssMiB));
            (last - first).Should().BeLessThan(25, $"the resident set after warm-up stays flat (second half: {first:F0} MiB at its start, {last:F0} MiB at its end; " +
                $"peak {samples.Max(s => s.RssMiB):F0} MiB)");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task Train_SigInt_StopsAfterAStepWritesACheckpointAndSaysHowToResume()
    {
        if (SampleSupport.SignalIgnoredByThisProcess(2))
        {
            return; // started from a non-interactive shell's background job (`cmd &`): SIGINT is ignored and every child inherits that
        }

        var run = SampleSupport.TempFolder();
        try
        {
            var (code, output, error) = await SampleSupport.InterruptAsync("GanMnist.Cli.dll", ["train", "--preset", "dcgan", "--epochs", "1",
                "--data", SampleSupport.MnistDirectory, "--out", run, "--evaluate-every", "0", "--set", "LogEverySteps=1"], run, marker: "step 2/", signal: "INT");

            code.Should().Be(CliApp.Failure);
            error.Should().Contain("Stopped on request after writing a checkpoint").And.Contain("--resume");
            output.Should().Contain("Checkpoint written");
            Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors").Should().ContainSingle();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
