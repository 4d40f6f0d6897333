using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Runtime;

/// <summary>Whether this machine computes bfloat16 in hardware, for the trainer's log under bf16-mixed precision.</summary>
internal static class BFloat16Hardware
{
    /// <summary>The x86 CPU flags (as /proc/cpuinfo spells them) that give oneDNN native bfloat16 kernels.</summary>
    internal static readonly string[] CpuFlags = ["amx_bf16", "avx512_bf16"];

    /// <summary>One sentence on bfloat16 speed on <paramref name="device"/>: whether it is native or emulated (and so slower than float32).</summary>
    public static string Describe(Device device) =>
        device.type == DeviceType.CUDA
            ? "bfloat16 on CUDA runs on tensor cores from compute capability 8.0 (Ampere) on; older GPUs emulate it"
            : DescribeCpu(ReadCpuFlags());

    /// <summary>The sentence for a CPU with <paramref name="flags"/> (null: unknown, e.g. not Linux).</summary>
    /// <remarks>
    /// AMX multiplies bfloat16 tiles many times faster than float32 FMAs. AVX512-BF16 alone (vdpbf16ps: two bfloat16 products
    /// a 32-bit lane) is faster than float32 FMAs on CPUs that issue it at full rate and no faster on others, where the casts
    /// around each layer make bf16-mixed slower than float32 (docs/performance.md, "Mixed precision").
    /// </remarks>
    internal static string DescribeCpu(IReadOnlySet<string>? flags)
    {
        if (flags is null)
        {
            return "bfloat16 hardware unknown (no /proc/cpuinfo): bf16-mixed may be slower than float32 here";
        }

        if (flags.Contains("amx_bf16"))
        {
            return "this CPU computes bfloat16 matrix products with AMX (amx_bf16): bf16-mixed should be faster than float32";
        }

        return flags.Contains("avx512_bf16")
            ? "this CPU computes bfloat16 with AVX512-BF16 but has no AMX (no amx_bf16 in /proc/cpuinfo): bf16-mixed is faster than float32 on some such CPUs and slower on others (the step benchmark tells: docs/performance.md, \"Mixed precision\")"
            : "this CPU has no bfloat16 hardware (neither amx_bf16 nor avx512_bf16 in /proc/cpuinfo): bfloat16 is emulated and bf16-mixed will be slower than float32";
    }

    /// <summary>The flags of the first processor in /proc/cpuinfo, or null where it cannot be read.</summary>
    internal static IReadOnlySet<string>? ReadCpuFlags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? null : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
