using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>
/// Dropout (Srivastava et al. 2014) with the same distribution and scaling as <c>nn.Dropout</c> — in training mode each
/// element is zeroed with probability p and the others scaled by 1/(1−p); in evaluation mode it is the identity — whose
/// mask comes from a counter-based hash instead of libtorch's CPU <c>bernoulli_</c>, which draws from a locked Mersenne
/// Twister and took 63 ms of a 4 ms job for one (256, 64, 14, 14) batch here (docs/performance.md). Each element's keep
/// bit is a pure function of (seed, element index): two rounds of the 32-bit "lowbias32" mixer (Chris Wellons' hash
/// prospector, bias 0.17), computed eight lanes at a time, so the mask does not depend on the thread count. The seed is
/// two draws from libtorch's default generator per call, so <c>manual_seed</c> and checkpointed generator states keep
/// runs reproducible. Float32 CPU tensors take this path; others (CUDA, other dtypes) use libtorch's dropout. The output
/// is the tensor product of the input and a multiplier (1/(1−p) where kept, 0 where dropped), so autograd differentiates
/// it to any order with no custom function (gradient penalties differentiate through D).
/// </summary>
internal sealed class CounterBasedDropout : nn.Module<Tensor, Tensor>
{
    private const long Chunk = 1 << 16;

    /// <summary>A dropout layer with drop probability <paramref name="p"/> in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public CounterBasedDropout(double p) : base("Dropout")
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The drop probability must be in [0, 1].");
        }

        P = p;
    }

    /// <summary>The drop probability.</summary>
    public double P { get; }

    /// <summary>How many calls took the counter-based path (for tests).</summary>
    internal static long Uses;

    /// <summary>When set, every call uses libtorch's dropout (the benchmarks measure the lever with it).</summary>
    internal static bool Disabled { get; set; }

    public override Tensor forward(Tensor input)
    {
        if (!training || P == 0)
        {
            return input.alias();
        }

        if (Disabled || P == 1 || input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU || input.numel() >= uint.MaxValue)
        {
            return nn.functional.dropout(input, P, training: true);
        }

        Interlocked.Increment(ref Uses);
        using var scope = NewDisposeScope();
        var multiplier = empty(input.shape, ScalarType.Float32);
        FillMultiplier(multiplier, P, Seed());
        return input.mul(multiplier).MoveToOuterDisposeScope();
    }

    /// <summary>64 bits from libtorch's default CPU generator.</summary>
    private static ulong Seed()
    {
        using var scope = NewDisposeScope();
        var draws = randint(0, 1L << 32, [2], ScalarType.Int64).data<long>();
        return ((ulong)draws[0] << 32) | (ulong)draws[1];
    }

    /// <summary>The keep bits of elements [0, count), one element at a time: the definition the vectorised forward is tested against.</summary>
    internal static byte[] Mask(long count, double p, ulong seed)
    {
        var mask = new byte[count];
        var threshold = Threshold(p);
        for (var i = 0L; i < count; i++)
        {
            mask[i] = Keep((uint)i, (uint)seed, (uint)(seed >> 32), threshold) ? (byte)1 : (byte)0;
        }

        return mask;
    }

    private static uint Threshold(double p) => (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));

    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7feb352du;
        x ^= x >> 15;
        x *= 0x846ca68bu;
        x ^= x >> 16;
        return x;
    }

    private static Vector256<uint> Mix(Vector256<uint> x)
    {
        x ^= x >>> 16;
        x *= Vector256.Create(0x7feb352du);
        x ^= x >>> 15;
        x *= Vector256.Create(0x846ca68bu);
        x ^= x >>> 16;
        return x;
    }

    private static bool Keep(uint index, uint seedLow, uint seedHigh, uint threshold) =>
        Mix(Mix((index * 0x9E3779B9u) + seedLow) ^ seedHigh) >= threshold;

    /// <summary>Writes 1/(1 − p) where an element is kept and 0 where it is dropped, in chunks on the intra-op threads.</summary>
    private static unsafe void FillMultiplier(Tensor multiplier, double p, ulong seed)
    {
        var count = multiplier.numel();
        var threshold = Threshold(p);
        var scale = (float)(1 / (1 - p));
        var (seedLow, seedHigh) = ((uint)seed, (uint)(seed >> 32));
        fixed (byte* m = multiplier.bytes)
        {
            var pm = (nint)m;
            var chunks = (count + Chunk - 1) / Chunk;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) },
                c => FillChunk((float*)pm, c * Chunk, Math.Min(count, (c + 1) * Chunk), seedLow, seedHigh, threshold, scale));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FillChunk(float* m, long start, long end, uint seedLow, uint seedHigh, uint threshold, float scale)
    {
        var i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            var (golden, low, high) = (Vector256.Create(0x9E3779B9u), Vector256.Create(seedLow), Vector256.Create(seedHigh));
            var signedThreshold = Vector256.Create((int)(threshold ^ 0x80000000u)); // unsigned ≥ as signed after flipping the sign bit
            var (flip, factor) = (Vector256.Create(0x80000000u), Vector256.Create(scale));
            for (; i + 8 <= end; i += 8)
            {
                var hash = Mix(Mix(((Vector256.Create((uint)i) + lanes) * golden) + low) ^ high);
                var keep = Vector256.GreaterThanOrEqual((hash ^ flip).AsInt32(), signedThreshold);
                Vector256.Store(factor & keep.AsSingle(), m + i);
            }
        }

        for (; i < end; i++)
        {
            m[i] = Keep((uint)i, seedLow, seedHigh, threshold) ? scale : 0;
        }
    }
}
