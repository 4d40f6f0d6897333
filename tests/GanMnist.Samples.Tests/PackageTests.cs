using System.IO.Compression;

namespace GanMnist.Samples.Tests;

/// <summary>The design card's used-by line: <c>dotnet add package GanMnist</c>, fluent options, <c>await GanTrainer.TrainAsync</c> from a host app.</summary>
[Collection("Packing")] // dotnet pack of the same projects must not run at once
public sealed class PackageTests
{
    private const string ConsumerProgram = """
        using GanMnist.Data;
        using GanMnist.Training;

        using var mnist = await MnistDataset.LoadAsync(MnistSplit.Train, new MnistDatasetOptions { Directory = args[0], Limit = 1000 });
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(2).Seed(1).OutputTo(args[1]));
        using var result = await trainer.TrainAsync(mnist);
        var last = result.History.Epochs[^1];
        Console.WriteLine($"trained {result.History.Epochs.Count} epochs, D loss {last.DiscriminatorLoss:F3}, G loss {last.GeneratorLoss:F3}");
        """;

    [Fact]
    public async Task PackedPackages_AddedToAFreshConsoleApp_TrainThroughTrainAsync()
    {
        var work = SampleSupport.TempFolder();
        // A version no earlier run used, so that NuGet's global cache cannot hand back a stale package.
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        try
        {
            var feed = Path.Combine(work, "feed");
            var pack = await Dotnet(SampleSupport.RepositoryRoot, "pack", Path.Combine(SampleSupport.RepositoryRoot, "src/GanMnist/GanMnist.csproj"),
                "-c", SampleSupport.Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
            pack.ExitCode.Should().Be(0, pack.Output + pack.Error);

            using (var library = ZipFile.OpenRead(Path.Combine(feed, $"GanMnist.{version}.nupkg")))
            {
                library.Entries.Select(e => e.FullName).Should().Contain(["lib/net10.0/GanMnist.dll", "lib/net10.0/GanMnist.xml", "README.md"]);
                library.Entries.Should().NotContain(e => e.FullName.StartsWith("runtimes/", StringComparison.Ordinal), "the library carries no native code");
                using var nuspec = new StreamReader(library.GetEntry("GanMnist.nuspec")!.Open());
                var text = await nuspec.ReadToEndAsync();
                text.Should().Contain("<dependency id=\"TorchSharp\" version=\"0.107.0\"").And.Contain("<license type=\"expression\">MIT</license>");
                text.Should().NotContain("TorchSharp-cpu", "the application picks the runtime");
            }

            File.Exists(Path.Combine(feed, $"GanMnist.{version}.snupkg")).Should().BeTrue("symbols ship beside the package");

            var app = Path.Combine(work, "app");
            (await Dotnet(work, "new", "console", "-o", app)).ExitCode.Should().Be(0);
            var add = await Dotnet(app, "add", "package", "GanMnist", "--version", version, "--source", feed);
            add.ExitCode.Should().Be(0, add.Output + add.Error);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ConsumerProgram);
            var output = Path.Combine(work, "out");

            // Without a runtime package TorchSharp has no native library: one line says which package to add. TorchSharp
            // also looks for libtorch in the NuGet package folder (NUGET_PACKAGES, else ~/.nuget/packages), which holds it
            // on any machine that built this repository; the built app runs with a package folder of its own, empty, so
            // that it really lacks the runtime wherever this test runs.
            var build = await Dotnet(app, "build", "-c", "Release", "-o", Path.Combine(work, "bin"));
            build.ExitCode.Should().Be(0, build.Output + build.Error);
            var emptyPackages = Directory.CreateDirectory(Path.Combine(work, "empty-nuget-packages")).FullName;
            var withoutRuntime = await SampleSupport.RunAsync("dotnet", [Path.Combine(work, "bin", "app.dll"), SampleSupport.MnistDirectory, output], app,
                TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["NUGET_PACKAGES"] = emptyPackages });
            withoutRuntime.ExitCode.Should().NotBe(0);
            withoutRuntime.Error.Should().Contain("InvalidOperationException: TorchSharp's native runtime is not part of this application")
                .And.Contain("dotnet add package TorchSharp-cpu").And.NotContain("TypeInitializationException");

            add = await Dotnet(app, "add", "package", "TorchSharp-cpu", "--version", "0.107.0");
            add.ExitCode.Should().Be(0, add.Output + add.Error);
            var run = await Dotnet(app, "run", "--", SampleSupport.MnistDirectory, output);

            run.ExitCode.Should().Be(0, run.Output + run.Error);
            run.Output.Should().Contain("trained 2 epochs");
            foreach (var file in new[] { "generator.safetensors", "history.csv", "report.html", "samples/epoch_0002.png" })
            {
                File.Exists(Path.Combine(output, file)).Should().BeTrue($"{file} is written by a run");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            foreach (var id in new[] { "ganmnist" })
            {
                var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), id, version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> Dotnet(string workingDirectory, params string[] arguments) =>
        SampleSupport.RunAsync("dotnet", arguments, workingDirectory, TimeSpan.FromMinutes(5),
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
}
