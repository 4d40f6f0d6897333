using System.Runtime.InteropServices;
using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>
    /// How the CPU work is done: the BLAS in use and the binding's own CPU kernels ("fast paths"), which replace
    /// slow libtorch kernels with the same mathematics (docs/performance.md). Each fast path is on by default and
    /// can be switched off, process-wide, to use libtorch's own kernel.
    /// </summary>
    public static class backends
    {
        /// <summary>
        /// The kernel set OpenBLAS picked for this processor (e.g. <c>Haswell</c>, <c>SkylakeX</c>), or an empty
        /// string when libtorch's BLAS is not OpenBLAS (<c>OPENBLAS_CORETYPE</c> in the environment overrides
        /// OpenBLAS's choice).
        /// </summary>
        public static string blas_core => Marshal.PtrToStringUTF8(NativeMethods.gmt_blas_core_name()) ?? "";

        /// <summary>
        /// Whether the binding's memory settings were applied when it loaded: the caching CPU allocator (see
        /// <see cref="cpu"/>) and fixed glibc malloc thresholds for smaller blocks. Off with
        /// <c>GANMNIST_NATIVE_TUNING=0</c>; the malloc thresholds are also left alone when <c>GLIBC_TUNABLES</c> or
        /// <c>MALLOC_*_</c> variables set them.
        /// </summary>
        public static bool memory_tuned
        {
            get
            {
                _ = blas_core; // loads the shim, which applies the settings
                return NativeRuntimeDefaults.CachingAllocator;
            }
        }

        /// <summary>The binding's CPU kernels; each can be switched off to use libtorch's own.</summary>
        public static class fast_paths
        {
            /// <summary>
            /// <c>conv_transpose2d</c> on the CPU in float32 computed by oneDNN, as the input gradient of a convolution
            /// (libtorch 1.13 has no oneDNN transposed convolution and uses slow im2col kernels); its backward is a
            /// oneDNN convolution and weight gradient. Used where oneDNN is available and the output padding is below
            /// the stride. <value>On by default.</value>
            /// </summary>
            public static bool conv_transpose2d
            {
                get => Get(FastPath.ConvTranspose);
                set => Set(FastPath.ConvTranspose, value);
            }

            /// <summary>
            /// Training-mode dropout on the CPU with counter-based random numbers (a SplitMix64 hash of each element's
            /// index) drawn in parallel and in vector registers, seeded by one draw from the default generator (so
            /// <see cref="manual_seed"/> still makes runs repeatable, whatever the thread count), keeping a byte mask for
            /// the backward instead of a float one. The same distribution as libtorch's, not the same draws.
            /// <value>On by default.</value>
            /// </summary>
            public static bool dropout
            {
                get => Get(FastPath.Dropout);
                set => Set(FastPath.Dropout, value);
            }

            /// <summary>
            /// The Adam update in one pass over each float32 CPU parameter, with the same arithmetic as
            /// torch.optim.Adam's seven tensor operations. <value>On by default.</value>
            /// </summary>
            public static bool adam
            {
                get => Get(FastPath.Adam);
                set => Set(FastPath.Adam, value);
            }

            /// <summary>How many transposed convolutions went through <see cref="conv_transpose2d"/> in this process.</summary>
            public static long conv_transpose2d_uses => NativeMethods.gmt_fast_path_uses((int)FastPath.ConvTranspose);

            /// <summary>How many dropouts went through <see cref="dropout"/> in this process.</summary>
            public static long dropout_uses => NativeMethods.gmt_fast_path_uses((int)FastPath.Dropout);

            /// <summary>How many parameter updates went through <see cref="adam"/> in this process.</summary>
            public static long adam_uses => NativeMethods.gmt_fast_path_uses((int)FastPath.Adam);

            /// <summary>The names of the fast paths that are on (<c>conv_transpose2d</c>, <c>dropout</c>, <c>adam</c>).</summary>
            public static IReadOnlyList<string> enabled() =>
                [.. new[] { (nameof(conv_transpose2d), conv_transpose2d), (nameof(dropout), dropout), (nameof(adam), adam) }.Where(p => p.Item2).Select(p => p.Item1)];

            private static bool Get(FastPath path)
            {
                NativeErrors.Check(NativeMethods.gmt_fast_path_get((int)path, out var enabled));
                return enabled != 0;
            }

            private static void Set(FastPath path, bool value) => NativeErrors.Check(NativeMethods.gmt_fast_path_set((int)path, value ? 1 : 0));
        }

        // Mirrors gmt::FastPath (native/src/internal.h).
        private enum FastPath
        {
            ConvTranspose = 0,
            Dropout = 1,
            Adam = 2,
        }
    }

    /// <summary>
    /// The CPU device's memory. Unless <c>GANMNIST_NATIVE_TUNING=0</c>, CPU tensors of 1 MiB or more come from a
    /// caching allocator (as GPU memory does in PyTorch): a freed block is kept and handed to the next tensor of its
    /// size, so a training step reuses the previous step's memory instead of faulting in fresh pages.
    /// </summary>
    public static class cpu
    {
        /// <summary>Bytes held by live CPU tensors of 1 MiB or more (0 without the caching allocator).</summary>
        public static long memory_allocated()
        {
            NativeErrors.Check(NativeMethods.gmt_cpu_allocator_stats(out var live, out _));
            return live;
        }

        /// <summary>Bytes of freed blocks the caching allocator keeps for reuse (0 without it).</summary>
        public static long memory_cached()
        {
            NativeErrors.Check(NativeMethods.gmt_cpu_allocator_stats(out _, out var cached));
            return cached;
        }

        /// <summary>
        /// Returns the memory kept for reuse to the operating system: the caching allocator's free blocks and the C
        /// library's free heap (glibc's <c>malloc_trim</c>), e.g. after training, as <c>torch.cuda.empty_cache()</c>
        /// does for a GPU.
        /// </summary>
        /// <returns>The bytes of cached blocks given back (the heap's share is not counted).</returns>
        public static long empty_cache()
        {
            var cached = NativeMethods.gmt_cpu_allocator_empty_cache();
            NativeMethods.gmt_malloc_trim();
            return cached;
        }
    }
}
