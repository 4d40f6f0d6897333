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
        var digit = new Option<int?>("--digit") { Description = "The digit to generate (conditional generators only)." };
        var command = new Command("generate", "Generate images from a trained generator.") { checkpoint, count, seed, png, idx, digit };
        command.SetAction(parse =>
        {
            var (n, pngPath, idxPath, wanted) = (parse.GetValue(count), parse.GetValue(png), parse.GetValue(idx), parse.GetValue(digit));
            if (n < 1)
            {
                throw new UsageException($"--count must be at least 1 (was {n}).");
            }

            if (pngPath is null && idxPath is null)
            {
                pngPath = "samples.png";
            }

            var generator = Load(parse.GetValue(checkpoint)!);
            try
            {
                if (wanted is { } d && (generator.ClassCount == 0 || d < 0 || d >= generator.ClassCount))
                {
                    throw new UsageException(generator.ClassCount == 0
                        ? "--digit needs a conditional generator; this one is unconditional."
                        : $"--digit must be in 0..{generator.ClassCount - 1} (was {d}).");
                }

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

    /// <summary>A generator file, or a run folder's <c>generator.safetensors</c>.</summary>
    internal static IGenerator Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "generator.safetensors") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"The run folder '{path}' has no generator.safetensors (it is written when training finishes)."
                : $"The generator file '{path}' does not exist.");
        }

        return GeneratorFile.Load(file);
    }
}
