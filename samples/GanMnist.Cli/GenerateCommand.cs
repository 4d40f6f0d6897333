using System.CommandLine;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Imaging;
using GanMnist.Models;
using GanMnist.Training;
using static TorchSharp.torch;

namespace GanMnist.Cli;

/// <summary><c>ganmnist generate</c>: N seeded images from a saved generator, as a PNG grid and/or an IDX file (MNIST's own format).</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = CheckpointOption();
        var architecture = ArchitectureOption();
        var padding = PaddingOption();
        var slope = SlopeOption();
        var count = new Option<int>("--count") { Description = "How many images.", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "The noise seed (the same seed gives the same images).", DefaultValueFactory = _ => 0 };
        var png = new Option<string?>("--png") { Description = "Write the images as a PNG grid to this file." };
        var idx = new Option<string?>("--idx") { Description = "Write the images as an idx3-ubyte file (MNIST's format)." };
        var classOption = new Option<string?>("--class", "--digit")
        {
            Description = "The class to generate, by index (0-based) or name, e.g. 7 or 'Ankle boot' (conditional generators only).",
        };
        var command = new Command("generate", "Generate images from a trained generator.") { checkpoint, architecture, padding, slope, count, seed, png, idx, classOption };
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

            var (generator, dataset) = Load(parse.GetValue(checkpoint)!, parse.GetValue(architecture), parse.GetValue(padding), parse.GetValue(slope), output);
            try
            {
                int? wanted = asked is null ? null : ClassIndex(asked, generator, dataset);

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

    /// <summary>The <c>--checkpoint</c> option of generate, evaluate and export.</summary>
    internal static Option<string> CheckpointOption(bool required = true) => new("--checkpoint")
    {
        Description = $"A run folder (its {Checkpoints.RunFolder.GeneratorFileName}, else its newest checkpoint), a generator file, a training checkpoint, " +
            "or with --architecture a PyTorch .pt/.pth or plain .safetensors state dict.",
        Required = required,
    };

    /// <summary>The <c>--architecture</c> option: how to read a plain state dict.</summary>
    internal static Option<GanArchitecture?> ArchitectureOption() => new("--architecture")
    {
        Description = "The architecture of a plain state dict given as --checkpoint (Dcgan, Mlp, ConditionalDcgan, ConditionalMlp, InfoGan, ConditionalInfoGan; default sizes).",
    };

    /// <summary>The <c>--padding</c> option: how a plain DCGAN state dict's transposed convolutions pad (generator files record it).</summary>
    internal static Option<TransposedConvolutionPadding> PaddingOption() => new("--padding")
    {
        Description = "With --architecture Dcgan or ConditionalDcgan: Symmetric (PyTorch's, the default) or KerasSame (the dcgan preset's).",
        DefaultValueFactory = _ => TransposedConvolutionPadding.Symmetric,
    };

    /// <summary>The <c>--slope</c> option: the LeakyReLU slope a plain state dict's model was built with (no weight depends on it; the images do).</summary>
    internal static Option<double> SlopeOption() => new("--slope")
    {
        Description = "With --architecture: the LeakyReLU slope of the model (default 0.2; the dcgan preset's is 0.3).",
        DefaultValueFactory = _ => 0.2,
    };

    /// <summary>
    /// The generator <c>--checkpoint</c> names, and the dataset it was trained on when recorded; says which file it used when that
    /// is not the one given (a run folder, a checkpoint of an unfinished run).
    /// </summary>
    internal static (IGenerator Generator, DatasetInfo? Dataset) Load(string path, GanArchitecture? architecture, TransposedConvolutionPadding padding, double slope,
        TextWriter output)
    {
        if (architecture is { } kind)
        {
            return (GeneratorFile.Import(path, kind, leakyReluSlope: slope, padding: padding), null);
        }

        var generator = CheckpointFile.LoadGenerator(path, out var source);
        if (source.Description != path)
        {
            output.WriteLine($"Using {source.Description}");
        }

        return (generator, source.Path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? GeneratorFile.ReadDataset(source.Path) : null);
    }
}
