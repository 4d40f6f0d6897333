using System.Text.RegularExpressions;

namespace GanMnist.Tests.Architecture;

/// <summary>docs/architecture.md's folder picture, held: no two top-level folders of the library use each other.</summary>
public sealed partial class FolderDependencyTests
{
    [Fact]
    public void LibraryFolders_UsingEachOther_NeverGoBothWays()
    {
        var library = Path.Combine(TestData.RepositoryRoot, "src", "GanMnist");
        var folders = Directory.GetDirectories(library).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToHashSet();
        var uses = folders.ToDictionary(f => f!, f => Directory.GetFiles(Path.Combine(library, f!), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => Reference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(used => used != f && folders.Contains(used))
            .ToHashSet());

        var bothWays = uses.SelectMany(p => p.Value.Where(used => uses[used].Contains(p.Key)).Select(used => string.Join(" <-> ", new[] { p.Key, used }.Order(StringComparer.Ordinal))))
            .Distinct().ToList();

        bothWays.Should().BeEmpty("a folder may use the ones below it only (docs/architecture.md, 'Which folder uses which')");
        uses["Training"].Should().Contain(["Checkpoints", "Evaluation", "Models"], "the check must see real references");
    }

    // `using GanMnist.X`, `GanMnist.X.Member` and doc references `cref="X.Member"`: code and documentation alike.
    [GeneratedRegex(@"(?:\bGanMnist\.|cref=""(?:GanMnist\.)?)([A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();
}
