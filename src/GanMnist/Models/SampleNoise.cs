using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Models;

/// <summary>
/// Latent noise in which sample i depends only on the seed and i: each sample's vector comes from its own generator,
/// seeded with a SplitMix64 mix of the seed and the index (Steele, Lea and Flood 2014, "Fast splittable pseudorandom
/// number generators"). One generator for the whole batch would not do: libtorch's CPU <c>randn</c> fills tensors of
/// 16 or more values with a vectorised Box-Muller in blocks of 16 and shorter ones one by one, so the first sample's
/// noise would change with the count drawn (soumith/dcgan.torch #19 is the same report).
/// </summary>
internal static class SampleNoise
{
    /// <summary>The noise of samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1: (count, latentSize), float32, on the CPU.</summary>
    internal static Tensor Draw(ulong seed, long first, int count, long latentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var values = new float[count * latentSize];
        for (var i = 0; i < count; i++)
        {
            using var random = new Generator(SeedOf(seed, first + i));
            using var row = randn([latentSize], generator: random);
            row.ToArray<float>().CopyTo(values, i * latentSize);
        }

        return tensor(values, [count, latentSize]);
    }

    /// <summary>The seed of sample <paramref name="index"/>: SplitMix64's output for the state seed + (index + 1)·γ.</summary>
    internal static ulong SeedOf(ulong seed, long index)
    {
        unchecked
        {
            var z = seed + ((ulong)(index + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
