using System.Runtime.InteropServices;

namespace GanMnist;

/// <summary>
/// glibc malloc thresholds for training: libtorch allocates its CPU tensors with malloc, and a training step frees and
/// asks again for the same tens of megabytes every step. Above glibc's mmap threshold each such block is a fresh
/// mapping whose pages the kernel faults in and zeroes again; with the threshold at 32 MiB and the trim threshold at
/// 256 MiB they are reused from the heap. Set through <c>mallopt</c> from managed code (no native code of ours);
/// measured in docs/performance.md. Left alone when <c>GLIBC_TUNABLES</c> or <c>MALLOC_*_</c> variables set them,
/// when <c>GANMNIST_NATIVE_TUNING=0</c>, and off glibc.
/// </summary>
internal static partial class MallocSettings
{
    internal const string OptOutVariable = "GANMNIST_NATIVE_TUNING";
    internal const int MmapThreshold = 32 << 20;
    internal const int TrimThreshold = 256 << 20;
    private const int MTrimThreshold = -1; // glibc's M_TRIM_THRESHOLD
    private const int MMmapThreshold = -3; // glibc's M_MMAP_THRESHOLD
    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Sets the thresholds once per process; true when they are in force.</summary>
    public static bool EnsureApplied() => Applied.Value;

    /// <summary>Whether the environment leaves malloc to the user (an opt-out or glibc's own settings).</summary>
    internal static bool LeftToTheUser(Func<string, string?> environment) =>
        environment(OptOutVariable) == "0" || environment("GLIBC_TUNABLES") is { Length: > 0 }
        || environment("MALLOC_MMAP_THRESHOLD_") is not null || environment("MALLOC_TRIM_THRESHOLD_") is not null;

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
}
