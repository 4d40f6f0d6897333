using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanMnist.IO;

/// <summary>The JSON settings of every file GanMnist writes or reads (run folders, checkpoint metadata, TensorBoard text).</summary>
internal static class JsonSettings
{
    /// <summary>Indented; enums by name; NaN and infinities as the named literals JSON lacks (a diverged loss is still written).</summary>
    internal static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}
