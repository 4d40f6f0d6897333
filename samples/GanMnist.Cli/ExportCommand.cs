using System.CommandLine;
using GanMnist.Checkpoints;
using GanMnist.Training;

namespace GanMnist.Cli;

/// <summary><c>ganmnist export</c>: a run's generator (or discriminator) as a PyTorch state dict or plain safetensors, the format from the extension.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = GenerateCommand.CheckpointOption();
        var architecture = GenerateCommand.ArchitectureOption();
        var padding = GenerateCommand.PaddingOption();
        var slope = GenerateCommand.SlopeOption();
        var target = new Option<string>("--out") { Description = "The file to write: .pt or .pth (PyTorch's torch.save format) or .safetensors (plain).", Required = true };
        var discriminator = new Option<bool>("--discriminator") { Description = "Export the discriminator (from a training checkpoint or a run folder's newest one)." };
        var command = new Command("export", "Export a generator or discriminator for PyTorch (torch.load + load_state_dict) or as plain safetensors.")
        {
            checkpoint, architecture, padding, slope, target, discriminator,
        };
        command.SetAction(parse =>
        {
            var (from, to) = (parse.GetValue(checkpoint)!, parse.GetValue(target)!);
            if (Path.GetExtension(to).ToLowerInvariant() is not (".pt" or ".pth" or ".safetensors"))
            {
                throw new UsageException($"--out '{to}': the format follows the extension, .pt, .pth or .safetensors.");
            }

            if (parse.GetValue(discriminator))
            {
                var d = CheckpointFile.LoadDiscriminator(from, out var source);
                using (d.Module)
                {
                    StateDictFile.Save(d.Module, to);
                    output.WriteLine($"Wrote the discriminator of {source.Description} to {Path.GetFullPath(to)}");
                }
            }
            else
            {
                var (g, _) = GenerateCommand.Load(from, parse.GetValue(architecture), parse.GetValue(padding), parse.GetValue(slope), output);
                using (g.Module)
                {
                    GeneratorFile.Export(g, to);
                    output.WriteLine($"Wrote the generator ({g.Module.GetName()}) to {Path.GetFullPath(to)}");
                }
            }

            return CliApp.Success;
        });
        return command;
    }
}
