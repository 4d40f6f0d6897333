// GanMnist.Cli: train, sample, evaluate and report GANs on MNIST from the command line.
//   ganmnist train [--preset quick|best|dcgan|mlp] [--dataset mnist|fashion-mnist|kmnist|emnist-letters|...] [--epochs N] ... [--set Option=Value]... [--resume PATH] [--device D] [--data DIR] [--out DIR]
//   ganmnist generate --checkpoint RUN_OR_FILE [--architecture A [--padding Symmetric|KerasSame] [--slope S]] [--count N] [--seed S] [--png FILE] [--idx FILE] [--class C]
//   ganmnist export --checkpoint RUN_OR_FILE --out FILE.pt|FILE.safetensors [--discriminator] [--architecture A [--padding P] [--slope S]]
//   ganmnist evaluate (--checkpoint RUN_OR_FILE | --idx FILE) [--samples N] [--dataset NAME] [--data DIR] [--json FILE]
//   ganmnist report RUN_DIR
// Exit codes: 0 success, 1 failure (one-line reason on stderr), 2 bad arguments (with a usage hint).
namespace GanMnist.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, Console.Out, Console.Error);
}
