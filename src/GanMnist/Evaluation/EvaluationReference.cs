using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GanMnist.Checkpoints;
using static TorchSharp.torch;

namespace GanMnist.Evaluation;

/// <summary>
/// What an evaluator measures generated images against: the reference images' classifier features, their k-NN radii and
/// class shares, and the real test images' metrics. Computing it classifies 20,000 images (about 23 s on 2 cores, every
/// run that evaluates), so <see cref="GanEvaluator.CreateAsync"/> caches it beside the classifier, in a file named by a
/// SHA-256 of everything it depends on: the classifier's weights, the reference and test images, and the options that
/// change a measurement. A changed input makes another name, so a stale file is never read; a damaged file is
/// recomputed and replaced with a warning.
/// </summary>
internal sealed class EvaluationReference(Tensor features, double[] shares, Tensor? radii, EvaluationResult? real) : IDisposable
{
    private const string Format = "ganmnist-evaluation-reference-v1";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The reference images' features (N, <see cref="MnistClassifier.FeatureSize"/>), float32.</summary>
    public Tensor Features { get; private set; } = features;

    /// <summary>Each class's share among the reference images as the classifier sees them (sums to 1).</summary>
    public double[] Shares { get; } = shares;

    /// <summary>The squared k-NN radii of the reference features (N), or null without precision and recall.</summary>
    public Tensor? Radii { get; private set; } = radii;

    /// <summary>The real test images' metrics, or null when none were measured.</summary>
    public EvaluationResult? Real { get; set; } = real;

    /// <summary>The hex SHA-256 of what the reference depends on.</summary>
    public static string Key(MnistClassifier classifier, Tensor referenceImages, Tensor? realImages, GanEvaluatorOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        void Bytes(Tensor t)
        {
            Text($"{t.dtype} [{string.Join(",", t.shape)}]");
            hash.AppendData(t.detach().cpu().contiguous().bytes);
        }

        Text(Format);
        Text(string.Create(CultureInfo.InvariantCulture,
            $"k={options.NearestNeighbours} pr={options.PrecisionRecall} batch={options.BatchSize} covered={options.CoveredClassRatio:R} min={options.MinClassRatio:R} max={options.MaxClassRatio:R}"));
        Text(string.Join(",", classifier.ClassNames));
        using (var scope = NewDisposeScope())
        {
            foreach (var (name, tensor) in classifier.StateDict())
            {
                Text(name);
                Bytes(tensor);
            }

            Bytes(referenceImages);
            if (realImages is null)
            {
                Text("no real images");
            }
            else
            {
                Bytes(realImages);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The cache file of a key: <c>{dataset}-reference-{first 16 hex digits}.safetensors</c> in the classifier's cache folder.</summary>
    public static string PathOf(GanEvaluatorOptions options, string key) =>
        Path.Combine(options.Classifier.ResolvedCacheDirectory, $"{options.Classifier.Data.ResolvedDataset.Name}-reference-{key[..16]}.safetensors");

    /// <summary>Reads a cached reference; null when the file is missing.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or belongs to another key; the message names it.</exception>
    public static EvaluationReference? Read(string path, string key, int classCount)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var content = SafeTensorsFile.Read(path);
        if (content.Require("format", path) != Format || content.Require("key", path) != key)
        {
            throw new InvalidDataException($"'{path}' is not the evaluation reference it is named for (another format or key).");
        }

        var tensors = content.Tensors;
        if (!tensors.TryGetValue("features", out var features) || features.dim() != 2 || features.size(1) != MnistClassifier.FeatureSize
            || features.dtype != ScalarType.Float32 || !tensors.TryGetValue("shares", out var shares) || shares.dtype != ScalarType.Float64
            || shares.shape is not [var classes] || classes != classCount)
        {
            throw new InvalidDataException($"'{path}' lacks the reference features (N, {MnistClassifier.FeatureSize}) float32 or the {classCount} class shares float64.");
        }

        Tensor? radii = null;
        if (tensors.TryGetValue("radii", out var r))
        {
            if (r.shape is not [var n] || n != features.size(0) || r.dtype != ScalarType.Float32)
            {
                throw new InvalidDataException($"'{path}' holds radii that do not match its {features.size(0)} features.");
            }

            radii = r.clone().DetachFromDisposeScope();
        }

        EvaluationResult? real;
        try
        {
            real = content.Metadata.TryGetValue("real", out var json) ? JsonSerializer.Deserialize<EvaluationResult>(json, Json) : null;
        }
        catch (JsonException e)
        {
            radii?.Dispose();
            throw new InvalidDataException($"'{path}' holds unreadable real-image metrics: {e.Message}", e);
        }

        return new EvaluationReference(features.clone().DetachFromDisposeScope(), shares.to(ScalarType.Float64).data<double>().ToArray(), radii, real);
    }

    /// <summary>Writes the reference atomically (a failed write leaves no partial file under the name).</summary>
    public void Write(string path, string key)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var shares = tensor(Shares);
        var tensors = new List<KeyValuePair<string, Tensor>> { new("features", Features), new("shares", shares) };
        if (Radii is not null)
        {
            tensors.Add(new("radii", Radii));
        }

        var metadata = new Dictionary<string, string> { ["format"] = Format, ["key"] = key };
        if (Real is not null)
        {
            metadata["real"] = JsonSerializer.Serialize(Real, Json);
        }

        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Moves the tensors to a device (in place).</summary>
    public void To(Device device)
    {
        var features = Features.to(device).DetachFromDisposeScope();
        Features.Dispose();
        Features = features;
        if (Radii is not null)
        {
            var radii = Radii.to(device).DetachFromDisposeScope();
            Radii.Dispose();
            Radii = radii;
        }
    }

    public void Dispose()
    {
        Features.Dispose();
        Radii?.Dispose();
    }
}
