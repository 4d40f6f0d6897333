// A Generic Host worker that trains a GAN: options bound from appsettings.json, environment variables and
// the command line (e.g. --GanMnist:Epochs=5), validated at start-up with every problem listed, and a
// graceful stop on SIGTERM or Ctrl+C that writes a checkpoint (resume with --GanMnist:Output:ResumeFrom=<run folder>).
//   dotnet run --project samples/GanMnist.HostedTraining -c Release [-- --GanMnist:Epochs=5 --Mnist:Directory=../shared/mnist]
namespace GanMnist.HostedTraining;

internal static class Program
{
    public static Task<int> Main(string[] args) => HostedTrainingApp.RunAsync(args, Console.Error);
}
