using System.Runtime.InteropServices;

namespace GanMnist.Torch.PInvoke;

/// <summary>
/// Process-wide memory settings applied once, when the shim is loaded, because they measured faster and
/// smaller (docs/performance.md); <c>GANMNIST_NATIVE_TUNING=0</c> leaves the process as it was:
/// <list type="bullet">
/// <item>the caching CPU allocator (native/src/allocator.cpp) for blocks of at least <see cref="CachedBlockMin"/>;</item>
/// <item>glibc's malloc thresholds for the smaller ones (<see cref="MmapThreshold"/>, <see cref="TrimThreshold"/>),
/// unless <c>GLIBC_TUNABLES</c> or <c>MALLOC_*_</c> variables set them already.</item>
/// </list>
/// </summary>
internal static class NativeRuntimeDefaults
{
    /// <summary>Set to <c>0</c> (or <c>false</c>) to leave the process's allocators alone.</summary>
    internal const string OptOutVariable = "GANMNIST_NATIVE_TUNING";

    /// <summary>CPU tensors of at least this size go through the caching allocator.</summary>
    internal const long CachedBlockMin = 1L << 20;

    /// <summary>The caching allocator keeps at most this much free memory for reuse.</summary>
    internal const long CachedBytesMax = 1L << 30;

    /// <summary>malloc: blocks up to this size come from the heap and are reused; larger ones are mapped and unmapped.</summary>
    internal const long MmapThreshold = 32L << 20;

    /// <summary>malloc: free memory at the heap's top is returned to the system beyond this size.</summary>
    internal const long TrimThreshold = 256L << 20;

    /// <summary>Whether the defaults apply (the opt-out variable is not set to 0 or false).</summary>
    internal static bool Enabled =>
        Environment.GetEnvironmentVariable(OptOutVariable)?.Trim().ToLowerInvariant() is not ("0" or "false" or "off" or "no");

    /// <summary>Whether the caching allocator was installed by <see cref="AfterLoad"/>.</summary>
    internal static bool CachingAllocator { get; private set; }

    /// <summary>Runs once the shim is loaded (before any P/Invoke into it can run).</summary>
    internal static unsafe void AfterLoad(IntPtr library)
    {
        if (!Enabled)
        {
            return;
        }

        if (NativeLibrary.TryGetExport(library, "gmt_cpu_allocator_install", out var install))
        {
            CachingAllocator = ((delegate* unmanaged<long, long, int>)install)(CachedBlockMin, CachedBytesMax) == 0;
        }

        if (!UserSetMalloc() && NativeLibrary.TryGetExport(library, "gmt_malloc_configure", out var configure))
        {
            ((delegate* unmanaged<long, long, int>)configure)(MmapThreshold, TrimThreshold);
        }
    }

    private static bool UserSetMalloc() =>
        (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) ?? false)
        || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
        || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null;
}
