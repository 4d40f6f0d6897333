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

    /// <summary>
    /// The version of the measurement code a cached reference was computed by (FID statistics, k-NN radii, histogram, score):
    /// bump it with any change to them. It is hashed into the key with the library's version.
    /// </summary>
    private const int MeasurementVersion = 1;

    /// <summary>The newest reference files kept per dataset; older ones are deleted when a new one is written.</summary>
    internal const int KeepFiles = 4;

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

        Text($"{Format} measurement v{MeasurementVersion} library {GeneratorFile.LibraryVersion}");
        Text(string.Create(CultureInfo.InvariantCulture,
            $"k={options.NearestNeighbours} pr={options.PrecisionRecall} covered={options.CoveredClassRatio:R} min={options.MinClassRatio:R} max={options.MaxClassRatio:R}"));
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

    /// <summary>Reads a cached reference of <paramref name="count"/> images; null when the file is missing.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, belongs to another key or holds values no measurement gives; the message names it.</exception>
    public static EvaluationReference? Read(string path, string key, long count, int classCount)
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

        using var scope = NewDisposeScope();
        var tensors = content.Tensors;
        if (!tensors.TryGetValue("features", out var features) || features.shape is not [var rows, MnistClassifier.FeatureSize] || rows != count
            || features.dtype != ScalarType.Float32 || !features.isfinite().all().item<bool>())
        {
            throw new InvalidDataException($"'{path}' lacks the finite float32 features ({count}, {MnistClassifier.FeatureSize}) of the reference images.");
        }

        if (!tensors.TryGetValue("shares", out var sharesTensor) || sharesTensor.dtype != ScalarType.Float64 || sharesTensor.shape is not [var classes] || classes != classCount)
        {
            throw new InvalidDataException($"'{path}' lacks the {classCount} class shares (float64).");
        }

        var shares = sharesTensor.data<double>().ToArray();
        if (shares.Any(v => !(v >= 0 && v <= 1)) || Math.Abs(shares.Sum() - 1) > 1e-6)
        {
            throw new InvalidDataException($"'{path}' holds class shares that are not a distribution (each in [0, 1], summing to 1).");
        }

        Tensor? radii = null;
        if (tensors.TryGetValue("radii", out var r))
        {
            if (r.shape is not [var n] || n != count || r.dtype != ScalarType.Float32 || !(r >= 0).all().item<bool>())
            {
                throw new InvalidDataException($"'{path}' holds radii that are not {count} squared distances (float32, non-negative).");
            }

            radii = r.clone().DetachFromDisposeScope();
        }

        EvaluationResult? real;
        try
        {
            real = content.Metadata.TryGetValue("real", out var json) ? JsonSerializer.Deserialize<EvaluationResult>(json, IO.JsonSettings.Options) : null;
        }
        catch (JsonException e)
        {
            radii?.Dispose();
            throw new InvalidDataException($"'{path}' holds unreadable real-image metrics: {e.Message}", e);
        }

        return new EvaluationReference(features!.clone().DetachFromDisposeScope(), shares, radii, real);
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
            metadata["real"] = JsonSerializer.Serialize(Real, IO.JsonSettings.Options);
        }

        SafeTensorsFile.Write(path, tensors, metadata);
        // One file per classifier, image set and options: keep the newest few of the dataset (each about 5 MB).
        var prefix = Path.GetFileName(path)[..(Path.GetFileName(path).LastIndexOf('-') + 1)];
        foreach (var old in new DirectoryInfo(Path.GetDirectoryName(path)!).GetFiles(prefix + "*.safetensors")
            .OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeepFiles))
        {
            old.Delete();
        }
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
