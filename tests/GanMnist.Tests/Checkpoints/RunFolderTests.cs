using System.Text.RegularExpressions;
using GanMnist.Checkpoints;

namespace GanMnist.Tests.Checkpoints;

public sealed partial class RunFolderTests
{
    [Fact]
    public void Names_AreTheFilesARunWrites()
    {
        var run = new RunFolder("some/run");

        run.Path.Should().Be(Path.GetFullPath("some/run"));
        Path.GetRelativePath(run.Path, run.OptionsFile).Should().Be("options.json");
        Path.GetRelativePath(run.Path, run.RunFile).Should().Be("run.json");
        Path.GetRelativePath(run.Path, run.HistoryCsvFile).Should().Be("history.csv");
        Path.GetRelativePath(run.Path, run.HistoryJsonFile).Should().Be("history.json");
        Path.GetRelativePath(run.Path, run.RealEvaluationFile).Should().Be("evaluation-real.json");
        Path.GetRelativePath(run.Path, run.ReportFile).Should().Be("report.html");
        Path.GetRelativePath(run.Path, run.GeneratorFile).Should().Be("generator.safetensors");
        Path.GetRelativePath(run.Path, run.SampleFile(7)).Should().Be(Path.Combine("samples", "epoch_0007.png"));
        Path.GetRelativePath(run.Path, run.CheckpointFile(469)).Should().Be(Path.Combine("checkpoints", "step_0000000469.safetensors"));
        Path.GetRelativePath(run.Path, run.LockFile).Should().Be(".ganmnist.lock");
    }

    [Fact]
    public void EmptyPath_IsRefusedNamingTheParameter()
    {
        var act = () => new RunFolder(" ");

        act.Should().Throw<ArgumentException>().WithParameterName("path");
    }

    [Fact]
    public void FindCheckpoints_ListsNewestFirst_AndIgnoresOtherFiles()
    {
        using var output = new TempFolder();
        var run = new RunFolder(output.Path);
        run.FindCheckpoints().Should().BeEmpty("there is no checkpoints folder yet");
        Directory.CreateDirectory(run.CheckpointsFolder);
        foreach (var step in new long[] { 9, 1_000, 120 })
        {
            File.WriteAllText(run.CheckpointFile(step), "x");
        }

        File.WriteAllText(Path.Combine(run.CheckpointsFolder, "notes.txt"), "x");

        run.FindCheckpoints().Should().Equal(run.CheckpointFile(1_000), run.CheckpointFile(120), run.CheckpointFile(9));
    }

    [Fact]
    public void FindSampleFiles_ParsesEpochs_InOrder()
    {
        using var output = new TempFolder();
        var run = new RunFolder(output.Path);
        Directory.CreateDirectory(run.SamplesFolder);
        File.WriteAllText(run.SampleFile(10), "x");
        File.WriteAllText(run.SampleFile(2), "x");
        File.WriteAllText(Path.Combine(run.SamplesFolder, "epoch_final.png"), "x");

        run.FindSampleFiles().Should().Equal((2, run.SampleFile(2)), (10, run.SampleFile(10)));
    }

    /// <summary>The rule: a run-folder name is spelled only in RunFolder.cs, so that renaming one is one edit.</summary>
    [Fact]
    public void RunFolderNames_AreSpelledOnlyInRunFolder()
    {
        string[] names = ["options.json", "run.json", "history.csv", "history.json", "evaluation-real.json", "losses.svg", "fid.svg", "report.html",
            "generator.safetensors", "\"checkpoints\"", "step_", "epoch_", ".ganmnist.lock"];
        var offenders = new List<string>();
        foreach (var folder in new[] { "src", "samples" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(TestData.RepositoryRoot, folder), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || Path.GetFileName(file) == "RunFolder.cs")
                {
                    continue;
                }

                // String literals only: doc comments may name the files they describe.
                var code = string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal) && !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
                foreach (Match literal in StringLiteral().Matches(code))
                {
                    offenders.AddRange(names.Where(n => literal.Value.Contains(n.Trim('"'), StringComparison.Ordinal) && (!n.StartsWith('"') || literal.Value == n))
                        .Select(n => $"{Path.GetRelativePath(TestData.RepositoryRoot, file)}: {literal.Value}"));
                }
            }
        }

        offenders.Should().BeEmpty();
    }

    [GeneratedRegex("\"(?:[^\"\\\\\\n]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
