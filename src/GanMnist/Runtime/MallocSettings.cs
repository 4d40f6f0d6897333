using System.Runtime.InteropServices;

namespace GanMnist.Runtime;

/// <summary>
/// glibc malloc settings for training, made from managed code (no native code of ours; measured in docs/performance.md).
/// libtorch allocates CPU tensors with malloc, and a training step frees and asks again for the same tens of megabytes
/// every step:
/// <list type="bullet">
/// <item>Thresholds: above glibc's mmap threshold each such block is a fresh mapping whose pages the kernel faults in and
/// zeroes again; with the threshold at 32 MiB and the trim threshold at 256 MiB they are reused from the heap.</item>
/// <item>Trimming: with glibc's per-thread arenas, memory freed by one step is not always reused by the next, and the
/// resident set grew by about 3 MB a step in a plain TorchSharp training loop here (1.3 GB after 300 MLP steps);
/// <c>malloc_trim(0)</c> every <see cref="TrimEverySteps"/> steps gives the free pages back (547 MB), at no measurable
/// cost in speed. <c>MALLOC_ARENA_MAX=2</c> in the environment of the process avoids it too, but a library cannot set it.</item>
/// </list>
/// Left alone when <c>GANMNIST_NATIVE_TUNING=0</c>, when <c>GLIBC_TUNABLES</c> or <c>MALLOC_*_</c> variables are set (the
/// user tunes malloc), and off glibc.
/// </summary>
internal static partial class MallocSettings
{
    internal const string OptOutVariable = "GANMNIST_NATIVE_TUNING";
    internal const int MmapThreshold = 32 << 20;
    internal const int TrimThreshold = 256 << 20;
    private const int MTrimThreshold = -1; // glibc's M_TRIM_THRESHOLD
    private const int MMmapThreshold = -3; // glibc's M_MMAP_THRESHOLD
    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>How many training steps pass between two trims of the heap.</summary>
    internal static int TrimEverySteps { get; set; } = 20;

    /// <summary>Sets the thresholds once per process; true when the settings are in force (and trimming is on).</summary>
    public static bool EnsureApplied() => Applied.Value;

    /// <summary>Gives the heap's free pages back to the system every <see cref="TrimEverySteps"/> steps, when the settings are in force.</summary>
    /// <param name="step">The global step just finished, from 1.</param>
    public static void AfterStep(long step)
    {
        if (Applied.Value && TrimEverySteps > 0 && step % TrimEverySteps == 0)
        {
            MallocTrim(0);
        }
    }

    /// <summary>
    /// A generation-1 collection at each epoch's end. A run's steps leave garbage the GC would otherwise collect only as
    /// its budget (which grows with the CPU's cache) fills, and part of it is finalizable (TorchSharp's scalars and
    /// tensor wrappers), holding native memory until a collection finds it, so a long run's peak resident set kept
    /// rising with its length (docs/performance.md, "Memory over long runs"). With the small live heap of a training run
    /// the collection takes about a millisecond.
    /// </summary>
    public static void AfterEpoch() => GC.Collect(1, GCCollectionMode.Forced, blocking: true);

    /// <summary>Whether the environment leaves malloc to the user (an opt-out or glibc's own settings).</summary>
    internal static bool LeftToTheUser(Func<string, string?> environment) =>
        environment(OptOutVariable) == "0" || environment("GLIBC_TUNABLES") is { Length: > 0 }
        || environment("MALLOC_MMAP_THRESHOLD_") is not null || environment("MALLOC_TRIM_THRESHOLD_") is not null
        || environment("MALLOC_ARENA_MAX") is not null;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux() || LeftToTheUser(Environment.GetEnvironmentVariable))
        {
            return false;
        }

        try
        {
            return Mallopt(MMmapThreshold, MmapThreshold) == 1 && Mallopt(MTrimThreshold, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // not glibc (musl has no mallopt)
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
