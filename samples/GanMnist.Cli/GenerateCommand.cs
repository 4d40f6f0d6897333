using System.CommandLine;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Imaging;
using GanMnist.Models;
using static TorchSharp.torch;

namespace GanMnist.Cli;

/// <summary><c>ganmnist generate</c>: N seeded images from a saved generator, as a PNG grid and/or an IDX file (MNIST's own format).</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A generator.safetensors file, or a run folder holding one.", Required = true };
        var count = new Option<int>("--count") { Description = "How many images.", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "The noise seed (the same seed gives the same images).", DefaultValueFactory = _ => 0 };
        var png = new Option<string?>("--png") { Description = "Write the images as a PNG grid to this file." };
        var idx = new Option<string?>("--idx") { Description = "Write the images as an idx3-ubyte file (MNIST's format)." };
        var classOption = new Option<string?>("--class", "--digit")
        {
            Description = "The class to generate, by index (0-based) or name, e.g. 7 or 'Ankle boot' (conditional generators only).",
        };
        var command = new Command("generate", "Generate images from a trained generator.") { checkpoint, count, seed, png, idx, classOption };
        command.SetAction(parse =>
        {
            var (n, pngPath, idxPath, asked) = (parse.GetValue(count), parse.GetValue(png), parse.GetValue(idx), parse.GetValue(classOption));
            if (n < 1)
            {
                throw new UsageException($"--count must be at least 1 (was {n}).");
            }

            if (pngPath is null && idxPath is null)
            {
                pngPath = "samples.png";
            }

            var file = ResolveFile(parse.GetValue(checkpoint)!);
            var generator = GeneratorFile.Load(file);
            try
            {
                int? wanted = asked is null ? null : ClassIndex(asked, generator, GeneratorFile.ReadDataset(file));

                using var scope = NewDisposeScope();
                var labels = generator.ClassCount == 0 ? null
                    : tensor(Enumerable.Range(0, n).Select(i => (long)(wanted ?? (i % generator.ClassCount))).ToArray());
                var images = generator.Generate(n, parse.GetValue(seed), labels);
                if (pngPath is not null)
                {
                    ImageGrid.Save(images, (int)Math.Ceiling(Math.Sqrt(n)), pngPath);
                    output.WriteLine($"Wrote {n} images as a grid to {Path.GetFullPath(pngPath)}");
                }

                if (idxPath is not null)
                {
                    IdxFile.WriteImages(idxPath, images);
                    output.WriteLine($"Wrote {n} images in IDX format to {Path.GetFullPath(idxPath)}");
                }
            }
            finally
            {
                generator.Module.Dispose();
            }

            return CliApp.Success;
        });
        return command;
    }

    /// <summary>The class <c>--class</c> names, by index or by the dataset's class name.</summary>
    private static int ClassIndex(string asked, IGenerator generator, DatasetInfo? dataset)
    {
        if (generator.ClassCount == 0)
        {
            throw new UsageException("--class needs a conditional generator; this one is unconditional.");
        }

        var index = dataset is not null && dataset.ClassCount == generator.ClassCount ? dataset.ClassIndex(asked)
            : int.TryParse(asked, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < generator.ClassCount ? i : -1;
        if (index < 0)
        {
            var names = dataset is not null && dataset.ClassCount == generator.ClassCount
                ? $" or one of the classes of {dataset.DisplayName}: {string.Join(", ", dataset.ClassNames.Select(c => $"'{c}'"))}"
                : string.Empty;
            throw new UsageException($"--class '{asked}' is not a class of this generator; give 0..{generator.ClassCount - 1}{names}.");
        }

        return index;
    }

    /// <summary>A generator file, or a run folder's <c>generator.safetensors</c>.</summary>
    internal static IGenerator Load(string path) => GeneratorFile.Load(ResolveFile(path));

    /// <summary>The generator file a <c>--checkpoint</c> names: the file itself, or a run folder's <c>generator.safetensors</c>.</summary>
    internal static string ResolveFile(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "generator.safetensors") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"The run folder '{path}' has no generator.safetensors (it is written when training finishes)."
                : $"The generator file '{path}' does not exist.");
        }

        return file;
    }
}
