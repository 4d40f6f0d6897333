using System.CommandLine;
using GanMnist.Training.Reporting;

namespace GanMnist.Cli;

/// <summary><c>ganmnist report</c>: rebuilds a run folder's report.html from its files.</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter output)
    {
        var run = new Argument<string>("run") { Description = "The run folder." };
        var command = new Command("report", "Rebuild the HTML report of a run folder.") { run };
        command.SetAction(parse =>
        {
            output.WriteLine($"Wrote {TrainingReport.Write(parse.GetValue(run)!)}");
            return CliApp.Success;
        });
        return command;
    }
}
