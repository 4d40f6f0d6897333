using System.Collections;
using System.Diagnostics;
using GanMnist.Checkpoints;
using GanMnist.Models;
using TorchSharp.PyBridge;

namespace GanMnist.Tests.Checkpoints;

/// <summary>
/// Round trips through real PyTorch (Debian's python3-torch, which <c>bash .ci/setup --tests</c> installs), with the PyTorch classes of
/// docs/interop/ganmnist_models.py: the same noise gives the same images on both sides, in eval mode.
/// </summary>
public sealed class PyTorchInteropTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly TempFolder _folder = new();

    /// <summary>Null where /usr/bin/python3 imports torch; else the one line that names what to install (checked once).</summary>
    private static readonly Lazy<string?> PyTorchMissing = new(() =>
    {
        const string Install = "install Debian's python3-torch (bash .ci/setup --tests does)";
        if (!File.Exists(Python))
        {
            return $"{Python} is missing: {Install}.";
        }

        var start = new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        error.Wait();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{Python} cannot import torch: {Install}.";
    });

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(GanArchitecture.Dcgan, TransposedConvolutionPadding.Symmetric, "DcganGenerator()")]
    [InlineData(GanArchitecture.Dcgan, TransposedConvolutionPadding.KerasSame, "DcganGenerator(padding='keras-same')")]
    [InlineData(GanArchitecture.Mlp, TransposedConvolutionPadding.Symmetric, "MlpGenerator()")]
    [InlineData(GanArchitecture.InfoGan, TransposedConvolutionPadding.Symmetric, "InfoGanGenerator()")]
    public async Task ExportedGenerator_LoadedInPyTorch_GivesTheSameImagesForTheSameNoise(GanArchitecture architecture, TransposedConvolutionPadding padding, string pythonClass)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        var generator = Trained(GanModels.CreateGenerator(architecture, generator: random, padding: padding), random);
        var noise = randn([8, 100], generator: random);
        var ours = generator.Generate(noise).detach();
        var model = Path.Combine(_folder.Path, "generator.pt");
        var inputs = Path.Combine(_folder.Path, "noise.pt");
        var outputs = Path.Combine(_folder.Path, "images.pt");
        GeneratorFile.Export(generator, model);
        PyTorchPickler.PickleStateDict(inputs, new Hashtable { ["noise"] = noise });

        await RunPython($$"""
            g = {{pythonClass}}
            g.load_state_dict(torch.load(sys.argv[1]))
            g.eval()
            with torch.no_grad():
                images = g(torch.load(sys.argv[2])["noise"])
            torch.save({"images": images}, sys.argv[3])
            """, model, inputs, outputs);

        var theirs = StateDictFile.Read(outputs)["images"];
        theirs.shape.Should().Equal(8, 1, 28, 28);
        (theirs - ours).abs().amax().ToSingle().Should().BeLessThanOrEqualTo(1e-5f);
    }

    [Theory]
    [InlineData(GanArchitecture.Dcgan, TransposedConvolutionPadding.Symmetric, "DcganGenerator()")]
    [InlineData(GanArchitecture.Dcgan, TransposedConvolutionPadding.KerasSame, "DcganGenerator(padding='keras-same')")]
    [InlineData(GanArchitecture.Mlp, TransposedConvolutionPadding.Symmetric, "MlpGenerator()")]
    [InlineData(GanArchitecture.InfoGan, TransposedConvolutionPadding.Symmetric, "InfoGanGenerator()")]
    public async Task GeneratorInitialisedAndSavedByPyTorch_ImportsWithTheSameOutputs(GanArchitecture architecture, TransposedConvolutionPadding padding, string pythonClass)
    {
        var model = Path.Combine(_folder.Path, "from-pytorch.pt");
        var reference = Path.Combine(_folder.Path, "reference.pt");
        await RunPython($$"""
            torch.manual_seed(0)
            g = {{pythonClass}}
            with torch.no_grad():
                for name, buffer in g.named_buffers():   # running statistics other than the defaults, so eval mode uses them
                    if name.endswith("running_mean"): buffer.normal_(0, 0.1)
                    if name.endswith("running_var"): buffer.uniform_(0.5, 1.5)
            g.eval()
            noise = torch.randn(8, 100)
            with torch.no_grad():
                images = g(noise)
            torch.save(g.state_dict(), sys.argv[1])
            torch.save({"noise": noise, "images": images}, sys.argv[2])
            """, model, reference);

        var generator = GeneratorFile.Import(model, architecture, padding: padding);
        using var scope = NewDisposeScope();
        var expected = StateDictFile.Read(reference);
        var ours = generator.Generate(expected["noise"]);

        (ours - expected["images"]).abs().amax().ToSingle().Should().BeLessThanOrEqualTo(1e-5f);
        generator.Module.training.Should().BeFalse("an imported generator is in evaluation mode");
    }

    [Fact]
    public void PlainSafetensorsExport_LoadSaysToImport_AndImportGivesTheSameOutputs()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(4);
        var generator = Trained(GanModels.CreateGenerator(GanArchitecture.Dcgan, generator: random), random);
        var file = Path.Combine(_folder.Path, "plain.safetensors");
        GeneratorFile.Export(generator, file);

        FluentActions.Invoking(() => GeneratorFile.Load(file)).Should().Throw<InvalidDataException>()
            .WithMessage($"'{file}' has no GanMnist metadata (a plain state dict, as safetensors.torch.save_file writes): import it with GeneratorFile.Import(path, architecture)*");
        var imported = GeneratorFile.Import(file, GanArchitecture.Dcgan);
        var noise = randn([4, 100], generator: random);
        (imported.Generate(noise) - generator.Generate(noise)).abs().amax().ToSingle().Should().Be(0);
    }

    [Fact]
    public void StateDictOfAnotherArchitecture_NamesEachTensorAndBothShapes()
    {
        var dcgan = GanModels.CreateGenerator(GanArchitecture.Dcgan);
        var file = Path.Combine(_folder.Path, "dcgan.pt");
        GeneratorFile.Export(dcgan, file);

        var act = () => GeneratorFile.Import(file, GanArchitecture.Mlp);

        act.Should().Throw<InvalidDataException>().WithMessage(
            $"'{file}' does not fit the model: tensor 'main.0.weight' is [12544, 100] Float32, the model needs [128, 100] Float32; tensor 'main.0.bias' is missing;*" +
            "tensor 'main.1.running_mean' is not part of the model*");
    }

    [Fact]
    public void ConditionalStateDict_ImportsWithTheClassCountOfItsEmbedding()
    {
        var letters = GanModels.CreateGenerator(GanArchitecture.ConditionalMlp, classCount: 26);
        var file = Path.Combine(_folder.Path, "letters.safetensors");
        GeneratorFile.Export(letters, file);

        var imported = GeneratorFile.Import(file, GanArchitecture.ConditionalMlp);

        imported.ClassCount.Should().Be(26);
    }

    [Theory]
    [InlineData("infogan.pt", 16)]
    [InlineData("infogan.pt", 32)]
    [InlineData("infogan.safetensors", 16)]
    public void InfoGanStateDict_ImportsWithTheWidthOfItsSmallestBatchNorm(string name, int width)
    {
        // A PyTorch pickle's dictionary is read back in no fixed order, so the width cannot come from the "last" batch norm.
        var infoGan = GanModels.CreateGenerator(GanArchitecture.InfoGan, width: width);
        var file = Path.Combine(_folder.Path, name);
        GeneratorFile.Export(infoGan, file);

        var imported = GeneratorFile.Import(file, GanArchitecture.InfoGan);

        GanModels.WidthOf(imported.Module).Should().Be(width);
    }

    [Fact]
    public void TruncatedPyTorchFile_IsRefusedNamingTheFile()
    {
        var file = Path.Combine(_folder.Path, "generator.pt");
        GeneratorFile.Export(GanModels.CreateGenerator(GanArchitecture.Mlp), file);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var act = () => GeneratorFile.Import(file, GanArchitecture.Mlp);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{file}' cannot be read as a PyTorch state dict (*");
    }

    [Fact]
    public void UnknownExtension_IsRefusedNamingTheFormats()
    {
        var act = () => GeneratorFile.Export(GanModels.CreateGenerator(GanArchitecture.Mlp), Path.Combine(_folder.Path, "g.onnx"));

        act.Should().Throw<ArgumentException>().WithMessage("*the format follows the extension, .pt or .pth (PyTorch) or .safetensors; '.onnx' is neither.*");
    }

    [Theory]
    [InlineData(GanArchitecture.Dcgan, "DcganDiscriminator()")]
    [InlineData(GanArchitecture.Mlp, "MlpDiscriminator()")]
    [InlineData(GanArchitecture.InfoGan, "InfoGanDiscriminator()")]
    public async Task Discriminator_LoadedInPyTorch_GivesTheSameLogits(GanArchitecture architecture, string pythonClass)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(5);
        var discriminator = GanModels.CreateDiscriminator(architecture, generator: random);
        MoveRunningStatistics(discriminator.Module, random);
        var images = (rand([6, 1, 28, 28], generator: random) * 2) - 1;
        var ours = discriminator.Forward(images).detach();
        var model = Path.Combine(_folder.Path, "discriminator.pt");
        var inputs = Path.Combine(_folder.Path, "images.pt");
        var outputs = Path.Combine(_folder.Path, "logits.pt");
        StateDictFile.Save(discriminator.Module, model);
        PyTorchPickler.PickleStateDict(inputs, new Hashtable { ["images"] = images });

        await RunPython($$"""
            d = {{pythonClass}}
            d.load_state_dict(torch.load(sys.argv[1]))
            d.eval()
            with torch.no_grad():
                logits = d(torch.load(sys.argv[2])["images"])
            torch.save({"logits": logits}, sys.argv[3])
            """, model, inputs, outputs);

        var theirs = StateDictFile.Read(outputs)["logits"];
        theirs.shape.Should().Equal(6, 1);
        (theirs - ours).abs().amax().ToSingle().Should().BeLessThanOrEqualTo(1e-4f * Math.Max(1f, ours.abs().amax().ToSingle()));
    }

    /// <summary>Moves the BatchNorm running statistics away from their initial values, as training would, and sets evaluation mode.</summary>
    private static IGenerator Trained(IGenerator generator, Generator random)
    {
        MoveRunningStatistics(generator.Module, random);
        return generator;
    }

    /// <summary>Running statistics other than the initial ones (so that evaluation mode uses them), and evaluation mode.</summary>
    private static void MoveRunningStatistics(nn.Module module, Generator random)
    {
        using (no_grad())
        {
            foreach (var (name, buffer) in module.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal))
                {
                    buffer.copy_(randn(buffer.shape, generator: random) * 0.1);
                }
                else if (name.EndsWith("running_var", StringComparison.Ordinal))
                {
                    buffer.copy_(rand(buffer.shape, generator: random) + 0.5);
                }
            }
        }

        module.eval();
    }

    private static async Task RunPython(string body, params string[] arguments)
    {
        if (PyTorchMissing.Value is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        var script = "import sys\nimport torch\nfrom ganmnist_models import *\n" + body;
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = Path.Combine(TestData.RepositoryRoot, "docs", "interop");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0, $"PyTorch's side failed:\n{output}{await error}");
    }
}
