using GanMnist.HostedTraining;

namespace GanMnist.Samples.Tests;

public sealed class HostedTrainingTests
{
    [Fact]
    public async Task InvalidConfiguration_FailsAtStartUpListingEveryProblem()
    {
        using var error = new StringWriter();

        var code = await HostedTrainingApp.RunAsync(
            ["--GanMnist:Epochs=0", "--GanMnist:BatchSize=-1", "--GanMnist:Device=gpu7", "--GanMnist:Loss=Hinge", "--GanMnist:LabelSmoothing=0.9"], error);

        code.Should().Be(2);
        var text = error.ToString();
        text.Should().Contain("Invalid configuration (4 problem(s))").And.Contain("Epochs").And.Contain("BatchSize").And.Contain("gpu7").And.Contain("LabelSmoothing");
    }

    [Fact]
    public async Task ValidConfiguration_TrainsAndStopsTheHost()
    {
        var run = SampleSupport.TempFolder();
        try
        {
            using var error = new StringWriter();

            var code = await HostedTrainingApp.RunAsync(
                ["--GanMnist:Epochs=1", $"--GanMnist:Output:OutputDirectory={run}", "--GanMnist:Evaluation:EvaluateEveryEpochs=0", $"--Mnist:Directory={SampleSupport.MnistDirectory}",
                 "--Mnist:AllowDownload=false"], error);

            code.Should().Be(0, error.ToString());
            File.Exists(Path.Combine(run, "generator.safetensors")).Should().BeTrue();
            File.Exists(Path.Combine(run, "report.html")).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public async Task SigTerm_StopsGracefullyAfterWritingACheckpoint()
    {
        var run = SampleSupport.TempFolder();
        try
        {
            var (code, output, error) = await SampleSupport.InterruptAsync("GanMnist.HostedTraining.dll", ["--GanMnist:Preset=Dcgan", "--GanMnist:Epochs=1",
                "--GanMnist:Output:LogEverySteps=1", $"--GanMnist:Output:OutputDirectory={run}", "--GanMnist:Evaluation:EvaluateEveryEpochs=0", $"--Mnist:Directory={SampleSupport.MnistDirectory}"],
                AppContext.BaseDirectory, marker: "step 2/", signal: "TERM");

            code.Should().Be(1, $"the run did not complete; output after the signal: {output} {error}");
            output.Should().Contain("Stopped on request after writing a checkpoint").And.Contain("--GanMnist:Output:ResumeFrom=");
            Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors").Should().ContainSingle();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
