using System.Text.Json;

namespace GanMnist.Samples.Tests;

/// <summary>
/// The notebooks in docs/notebooks run headless (dotnet-repl, the repository's .NET tool, hosting .NET Interactive's C#
/// kernel) against the packages packed from this build, as a user would run them from a feed; any cell error fails.
/// </summary>
[Trait("Category", "Slow")]
[Collection("Packing")] // dotnet pack of the same projects must not run at once
public sealed class NotebookTests
{
    /// <summary>The folder and version the notebooks' first cell names (<c>#i "nuget: /tmp/ganmnist-feed"</c>, <c>0.1.0-local</c>).</summary>
    private const string Feed = "/tmp/ganmnist-feed";
    private const string Version = "0.1.0-local";

    [Fact]
    public async Task DcganNotebook_RunsEveryCell_AndShowsSummariesGridsAndCharts()
    {
        var outputs = await RunNotebookAsync("dcgan.ipynb");

        outputs.Should().Contain(o => o.Contains("Total params: 2,330,944", StringComparison.Ordinal) && o.Contains("Non-trainable params: 25,472", StringComparison.Ordinal),
            "the generator's summary has seed 003's totals");
        outputs.Should().Contain(o => o.Contains("Total params: 212,865", StringComparison.Ordinal));
        outputs.Count(o => o.Contains("<img src=\"data:image/png;base64,", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(3,
            "the real digits, the grid after the epoch and the final grid are pictures");
        outputs.Should().Contain(o => o.Contains("<svg", StringComparison.Ordinal) && o.Contains("Losses", StringComparison.Ordinal), "the history is drawn as charts");
        outputs.Should().Contain(o => o.Contains("<progress", StringComparison.Ordinal), "training shows a progress bar");
        outputs.Should().Contain(o => o.Contains("True", StringComparison.Ordinal), "the loaded generator makes the same digits");
    }

    [Fact]
    public async Task ConditionalNotebook_RunsEveryCell_AndShowsTheChosenDigit()
    {
        var outputs = await RunNotebookAsync("conditional.ipynb");

        outputs.Count(o => o.Contains("<img src=\"data:image/png;base64,", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(2, "the chosen digit and the 10-row grid");
    }

    /// <summary>Packs the two packages into <see cref="Feed"/>, runs the notebook with one short epoch, and returns every output's text; fails on a cell error.</summary>
    private static async Task<List<string>> RunNotebookAsync(string name)
    {
        var work = SampleSupport.TempFolder();
        try
        {
            ForgetCachedPackages();
            foreach (var project in new[] { "src/GanMnist/GanMnist.csproj", "src/GanMnist.Interactive/GanMnist.Interactive.csproj" })
            {
                var pack = await SampleSupport.RunAsync("dotnet", ["pack", Path.Combine(SampleSupport.RepositoryRoot, project), "-c", SampleSupport.Configuration, "--no-build",
                    "-o", Feed, $"-p:Version={Version}"], SampleSupport.RepositoryRoot, TimeSpan.FromMinutes(3));
                pack.ExitCode.Should().Be(0, pack.Output + pack.Error);
            }

            var notebooks = Path.Combine(SampleSupport.RepositoryRoot, "docs", "notebooks");
            var executed = Path.Combine(work, name);
            var run = await SampleSupport.RunAsync("dotnet", ["tool", "run", "dotnet-repl", "--", "--run", name, "--exit-after-run", "--output-path", executed, "--output-format", "ipynb"],
                notebooks, TimeSpan.FromMinutes(10), new Dictionary<string, string>
                {
                    ["GANMNIST_DATA"] = SampleSupport.MnistDirectory,
                    ["GANMNIST_NOTEBOOK_EPOCHS"] = "1",
                    ["GANMNIST_NOTEBOOK_IMAGES"] = "512",
                });
            File.Exists(executed).Should().BeTrue($"dotnet-repl writes the executed notebook (exit {run.ExitCode}): {run.Output}{run.Error}");
            using var notebook = JsonDocument.Parse(await File.ReadAllTextAsync(executed));
            var outputs = new List<string>();
            var errors = new List<string>();
            foreach (var cell in notebook.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.TryGetProperty("outputs", out _)))
            {
                foreach (var output in cell.GetProperty("outputs").EnumerateArray())
                {
                    var text = TextOf(output);
                    outputs.Add(text);
                    if (output.GetProperty("output_type").GetString() == "error")
                    {
                        errors.Add(text);
                    }
                }
            }

            errors.Should().BeEmpty($"every cell of {name} runs");
            run.ExitCode.Should().Be(0, run.Output + run.Error);
            return outputs;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            ForgetCachedPackages();
        }
    }

    /// <summary>An output's text: every MIME type's lines (<c>data</c>), a stream's <c>text</c>, an error's <c>evalue</c>, joined.</summary>
    private static string TextOf(JsonElement output)
    {
        var text = new System.Text.StringBuilder();
        void Add(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var line in value.EnumerateArray())
                {
                    text.Append(line.GetString());
                }
            }
            else if (value.ValueKind == JsonValueKind.String)
            {
                text.Append(value.GetString());
            }
        }

        if (output.TryGetProperty("data", out var data))
        {
            foreach (var mime in data.EnumerateObject())
            {
                Add(mime.Value);
            }
        }

        foreach (var key in new[] { "text", "evalue" })
        {
            if (output.TryGetProperty(key, out var value))
            {
                Add(value);
            }
        }

        return text.ToString();
    }

    /// <summary>NuGet's global cache keeps a version once extracted: removing 0.1.0-local makes each run take this build's packages.</summary>
    private static void ForgetCachedPackages()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "ganmnist", "ganmnist.interactive" })
        {
            var cached = Path.Combine(packages, id, Version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
    }
}
