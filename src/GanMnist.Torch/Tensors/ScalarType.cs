namespace GanMnist.Torch;

public static partial class torch
{
    /// <summary>Element types, numbered as libtorch's <c>c10::ScalarType</c> (and TorchSharp's).</summary>
    public enum ScalarType
    {
        /// <summary>8-bit unsigned integer.</summary>
        Byte = 0,
        /// <summary>8-bit signed integer.</summary>
        Int8 = 1,
        /// <summary>16-bit signed integer.</summary>
        Int16 = 2,
        /// <summary>32-bit signed integer.</summary>
        Int32 = 3,
        /// <summary>64-bit signed integer.</summary>
        Int64 = 4,
        /// <summary>IEEE half precision.</summary>
        Float16 = 5,
        /// <summary>IEEE single precision.</summary>
        Float32 = 6,
        /// <summary>IEEE double precision.</summary>
        Float64 = 7,
        /// <summary>Boolean.</summary>
        Bool = 11,
        /// <summary>Brain floating point.</summary>
        BFloat16 = 15,
    }

    /// <summary>32-bit floating point.</summary>
    public const ScalarType float32 = ScalarType.Float32;

    /// <summary>64-bit floating point.</summary>
    public const ScalarType float64 = ScalarType.Float64;

    /// <summary>8-bit unsigned integer.</summary>
    public const ScalarType uint8 = ScalarType.Byte;

    /// <summary>64-bit signed integer.</summary>
    public const ScalarType int64 = ScalarType.Int64;

    /// <summary>Boolean.</summary>
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>The size of one element of <paramref name="type"/> in bytes.</summary>
    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown scalar type"),
    };

    /// <summary>The scalar type that holds elements of the managed type <typeparamref name="T"/>.</summary>
    internal static ScalarType ScalarTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : throw new NotSupportedException($"{typeof(T).Name} has no tensor element type; use float, double, byte, int, long or bool.");
}
