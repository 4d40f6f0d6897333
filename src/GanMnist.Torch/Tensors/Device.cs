using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>Kinds of device, numbered as libtorch's <c>c10::DeviceType</c>.</summary>
    public enum DeviceType
    {
        /// <summary>The host processor.</summary>
        CPU = 0,
        /// <summary>An NVIDIA GPU.</summary>
        CUDA = 1,
    }

    /// <summary>The CPU device.</summary>
    public static Device CPU { get; } = new(DeviceType.CPU, -1);

    /// <summary>The first CUDA device.</summary>
    public static Device CUDA { get; } = new(DeviceType.CUDA, 0);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when available, else CPU).</summary>
    public static Device device(string description) => Device.Parse(description);

    /// <summary>A device of the given type and index.</summary>
    public static Device device(DeviceType type, int index = -1) => new(type, index);

    /// <summary>Where a tensor lives: the CPU or a CUDA device.</summary>
    public sealed class Device : IEquatable<Device>
    {
        /// <summary>Creates a device description; nothing is checked until a tensor is placed on it.</summary>
        public Device(DeviceType type, int index = -1)
        {
            if (type == DeviceType.CUDA && index < 0)
            {
                index = 0;
            }

            this.type = type;
            this.index = type == DeviceType.CPU ? -1 : index;
        }

        /// <summary>The kind of device.</summary>
        public DeviceType type { get; }

        /// <summary>The device ordinal (-1 for the CPU).</summary>
        public int index { get; }

        /// <summary>CUDA device 0 when the loaded libtorch has CUDA and a device is present, else the CPU.</summary>
        public static Device Auto => cuda.is_available() ? CUDA : CPU;

        /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>, ignoring case.</summary>
        /// <exception cref="FormatException">The text is none of those.</exception>
        public static Device Parse(string description)
        {
            ArgumentNullException.ThrowIfNull(description);
            var text = description.Trim().ToLowerInvariant();
            if (text == "auto")
            {
                return Auto;
            }

            if (text == "cpu")
            {
                return CPU;
            }

            if (text == "cuda")
            {
                return CUDA;
            }

            if (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out var n) && n >= 0)
            {
                return new Device(DeviceType.CUDA, n);
            }

            throw new FormatException($"'{description}' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'.");
        }

        /// <summary>Throws when this device cannot hold tensors with the loaded libtorch.</summary>
        /// <exception cref="TorchException">CUDA was asked of a CPU-only libtorch, or the device is absent.</exception>
        public void EnsureAvailable()
        {
            if (type == DeviceType.CPU)
            {
                return;
            }

            if (cuda.runtime_version() < 0)
            {
                throw new TorchException(
                    $"Device '{this}' was requested, but the loaded libtorch {__version__} is a CPU-only build. " +
                    "Rebuild GanMnist.Torch's native shim against a CUDA libtorch with -p:LibTorchDir=<dir> " +
                    "(see docs/gpu.md), or use device 'cpu' or 'auto'.");
            }

            var count = cuda.device_count();
            if (index >= count)
            {
                throw new TorchException(
                    $"Device '{this}' was requested, but the loaded libtorch {__version__} (CUDA) sees {count} CUDA device(s). " +
                    "Check the driver and CUDA_VISIBLE_DEVICES, or use device 'cpu' or 'auto'.");
            }
        }

        /// <inheritdoc />
        public bool Equals(Device? other) => other is not null && other.type == type && other.index == index;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as Device);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(type, index);

        /// <summary>Same type and index.</summary>
        public static bool operator ==(Device? left, Device? right) => left?.Equals(right) ?? right is null;

        /// <summary>Different type or index.</summary>
        public static bool operator !=(Device? left, Device? right) => !(left == right);

        /// <summary><c>cpu</c> or <c>cuda:N</c>.</summary>
        public override string ToString() => type == DeviceType.CPU ? "cpu" : $"cuda:{index}";
    }

    /// <summary>CUDA queries. Every answer is about the loaded libtorch and the devices it can see.</summary>
    public static class cuda
    {
        private static int? _runtimeVersion;

        /// <summary>True when the loaded libtorch has CUDA and at least one device is present.</summary>
        public static bool is_available() => device_count() > 0;

        /// <summary>The number of CUDA devices libtorch sees (0 for a CPU-only libtorch).</summary>
        public static int device_count() => NativeMethods.gmt_cuda_device_count();

        /// <summary>The CUDA runtime version libtorch was built with (e.g. 12040), or -1 for a CPU-only build.</summary>
        public static int runtime_version() => _runtimeVersion ??= NativeMethods.gmt_cuda_runtime_version();

        /// <summary>Waits for all work queued on a CUDA device to finish.</summary>
        public static void synchronize(int device = 0) => NativeErrors.Check(NativeMethods.gmt_cuda_synchronize(device));
    }
}
