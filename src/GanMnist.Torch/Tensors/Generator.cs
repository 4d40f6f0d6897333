using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>
    /// libtorch's CPU default generator, the one <see cref="manual_seed"/> seeds and random ops use
    /// when no generator is passed.
    /// </summary>
    public static Generator default_generator { get; } = new(new GeneratorHandle(NativeErrors.Check(NativeMethods.gmt_generator_default((int)DeviceType.CPU, -1))));

    /// <summary>Seeds every default generator (CPU and each CUDA device), as <c>torch.manual_seed</c>.</summary>
    public static void manual_seed(ulong seed) => NativeErrors.Check(NativeMethods.gmt_manual_seed(seed));

    /// <summary>The CPU default generator's state (a uint8 tensor), for exact resumption.</summary>
    public static Tensor get_rng_state() => default_generator.get_state();

    /// <summary>Restores a state returned by <see cref="get_rng_state"/>.</summary>
    public static void set_rng_state(Tensor state) => default_generator.set_state(state);

    /// <summary>A pseudo-random number generator (Philox/MT19937 as libtorch's CPU generator).</summary>
    public sealed class Generator : IDisposable
    {
        internal Generator(GeneratorHandle handle) => Handle = handle;

        /// <summary>Creates an independent CPU generator with the given seed.</summary>
        public Generator(ulong seed) : this(new GeneratorHandle(NativeErrors.Check(NativeMethods.gmt_generator_new_cpu(seed)))) { }

        internal GeneratorHandle Handle { get; }

        /// <summary>Reseeds the generator.</summary>
        public Generator manual_seed(ulong seed)
        {
            NativeErrors.Check(NativeMethods.gmt_generator_set_seed(Handle, seed));
            return this;
        }

        /// <summary>The seed last set.</summary>
        public ulong initial_seed()
        {
            NativeErrors.Check(NativeMethods.gmt_generator_get_seed(Handle, out var seed));
            return seed;
        }

        /// <summary>The full state as a uint8 tensor (the caller owns it).</summary>
        public Tensor get_state() => new(NativeErrors.Check(NativeMethods.gmt_generator_get_state(Handle)));

        /// <summary>Restores a state from <see cref="get_state"/>; the next draws repeat exactly.</summary>
        /// <exception cref="TorchException">The tensor is not a valid state for this generator.</exception>
        public void set_state(Tensor state)
        {
            ArgumentNullException.ThrowIfNull(state);
            NativeErrors.Check(NativeMethods.gmt_generator_set_state(Handle, state.Handle));
        }

        /// <summary>Releases the native generator (the default generator's native object lives on).</summary>
        public void Dispose() => Handle.Dispose();

        internal static GeneratorHandle HandleOf(Generator? generator) => generator?.Handle ?? GeneratorHandle.Null;
    }
}
