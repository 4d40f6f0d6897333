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
                ["--GanMnist:Epochs=1", $"--GanMnist:OutputDirectory={run}", "--GanMnist:EvaluateEveryEpochs=0", $"--Mnist:Directory={SampleSupport.MnistDirectory}",
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
            var app = Path.Combine(AppContext.BaseDirectory, "GanMnist.HostedTraining.dll");
            using var process = SampleSupport.Start("dotnet", [app, "--GanMnist:Preset=Dcgan", "--GanMnist:Epochs=1", "--GanMnist:LogEverySteps=1",
                $"--GanMnist:OutputDirectory={run}", "--GanMnist:EvaluateEveryEpochs=0", $"--Mnist:Directory={SampleSupport.MnistDirectory}"], AppContext.BaseDirectory);
            var error = process.StandardError.ReadToEndAsync();
            var seen = new System.Text.StringBuilder();
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains("step 2/", StringComparison.Ordinal))
            {
                seen.AppendLine(line);
            }

            if (line is null)
            {
                Assert.Fail($"The worker ended before reporting step 2; output: {seen} {await error}");
            }

            var kill = await SampleSupport.RunAsync("sh", ["-c", $"kill -TERM {process.Id}"], run, TimeSpan.FromSeconds(10));
            kill.ExitCode.Should().Be(0, kill.Error);

            var rest = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);

            var text = await rest;
            process.ExitCode.Should().Be(1, $"the run did not complete; output after the signal: {text} {await error}");
            text.Should().Contain("Stopped on request after writing a checkpoint").And.Contain("--GanMnist:ResumeFrom=");
            Directory.GetFiles(Path.Combine(run, "checkpoints"), "step_*.safetensors").Should().ContainSingle();
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
