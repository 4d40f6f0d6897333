using System.Diagnostics;
using GanMnist.Checkpoints;
using GanMnist.Models;
using GanMnist.Training;
using Xunit.Abstractions;

namespace GanMnist.Tests.Training;

/// <summary>A full disk for real: a tmpfs of a few megabytes mounted for the test (root only; skipped with the reason elsewhere).</summary>
public sealed class DiskFullTests(SmallMnistFixture mnist, ITestOutputHelper output) : IClassFixture<SmallMnistFixture>
{
    [Fact]
    public async Task DiskFullDuringACheckpoint_NamesTheFile_KeepsThePreviousCheckpoint_AndResumeContinues()
    {
        using var disk = TinyDisk.TryMount(megabytes: 20, out var why); // one MLP checkpoint (13.4 MB) fits, a second does not
        if (disk is null)
        {
            output.WriteLine($"Skipped: no tmpfs could be mounted here ({why}).");
            return;
        }

        GanTrainer Trainer(string? resume) => GanTrainer.Create(b => b.UseMlp(MlpActivation.LeakyRelu).Epochs(3).BatchSize(64).Seed(5).OnDevice("cpu")
            .OutputTo(disk.Path).Configure(o => (o.Output.ResumeFrom, o.Threads, o.Output.CheckpointEveryEpochs, o.Output.SampleEveryEpochs) = (resume, 1, 1, 1)));

        var act = () => Trainer(null).TrainAsync(mnist.Data); // 8 steps an epoch

        var error = (await act.Should().ThrowAsync<IOException>()).Which;
        var checkpoints = Path.Combine(disk.Path, "checkpoints");
        error.Message.Should().StartWith($"Could not write '{Path.Combine(checkpoints, "step_0000000016.safetensors")}' (No space left on device")
            .And.EndWith("the file as it was before is unchanged.");
        Directory.GetFiles(checkpoints).Select(Path.GetFileName).Should().Equal(["step_0000000008.safetensors"], "the previous checkpoint survives");
        using (SafeTensorsFile.Read(Path.Combine(checkpoints, "step_0000000008.safetensors")))
        {
        }

        Directory.GetFiles(disk.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("no temporary file is left behind");

        disk.Grow(megabytes: 100);
        using var resumed = await Trainer(disk.Path).TrainAsync(mnist.Data);
        resumed.History.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3);
        Directory.GetFiles(checkpoints).Select(Path.GetFileName).Should().Contain("step_0000000024.safetensors");
    }

    private sealed class TinyDisk : IDisposable
    {
        private TinyDisk(string path) => Path = path;

        public string Path { get; }

        public static TinyDisk? TryMount(int megabytes, out string? why)
        {
            var folder = Directory.CreateTempSubdirectory("ganmnist-tinydisk-").FullName;
            if (Environment.UserName != "root" && !OperatingSystem.IsLinux())
            {
                why = "not root on Linux";
                Directory.Delete(folder);
                return null;
            }

            why = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}M", "tmpfs", folder);
            if (why is not null)
            {
                Directory.Delete(folder);
                return null;
            }

            return new TinyDisk(folder);
        }

        public void Grow(int megabytes) => Run("mount", "-o", $"remount,size={megabytes}M", Path).Should().BeNull();

        public void Dispose()
        {
            Run("umount", Path);
            Directory.Delete(Path, recursive: true);
        }

        /// <summary>Runs a command; null when it succeeded, else why not.</summary>
        private static string? Run(string command, params string[] arguments)
        {
            try
            {
                var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var argument in arguments)
                {
                    start.ArgumentList.Add(argument);
                }

                using var process = Process.Start(start)!;
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                return process.ExitCode == 0 ? null : $"{command} exited with {process.ExitCode}: {error.Trim()}";
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return $"{command}: {e.Message}";
            }
        }
    }
}
