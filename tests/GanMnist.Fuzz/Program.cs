using GanMnist.Fuzz;
using SharpFuzz;

// dotnet GanMnist.Fuzz.dll TARGET                 the AFL++ persistent loop (run.sh starts it under afl-fuzz)
// dotnet GanMnist.Fuzz.dll replay TARGET FILE...  runs inputs once each, outside AFL++ (triage, regressions)
// dotnet GanMnist.Fuzz.dll seeds FOLDER           writes the starting corpus of every target
if (args is ["seeds", var folder])
{
    Seeds.Write(folder);
    return 0;
}

var scratch = Path.Combine(Environment.GetEnvironmentVariable("GANMNIST_FUZZ_SCRATCH") ?? Path.GetTempPath(), $"ganmnist-fuzz-{Environment.ProcessId}");
try
{
    if (args is ["replay", var target, .. var files])
    {
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                FuzzTargets.Run(target, File.ReadAllBytes(file), scratch);
                Console.WriteLine($"ok      {file}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"FINDING {file}: {e}");
            }
        }

        return failed == 0 ? 0 : 1;
    }

    if (args is [var name] && FuzzTargets.All.ContainsKey(name))
    {
        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            FuzzTargets.Run(name, buffer.ToArray(), scratch);
        });
        return 0;
    }

    Console.Error.WriteLine($"usage: GanMnist.Fuzz TARGET | replay TARGET FILE... | seeds FOLDER   (targets: {string.Join(", ", FuzzTargets.All.Keys)})");
    return 2;
}
finally
{
    if (Directory.Exists(scratch))
    {
        Directory.Delete(scratch, recursive: true);
    }
}
