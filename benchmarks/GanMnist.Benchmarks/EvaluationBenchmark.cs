// Evaluation timings:
//   dotnet run --project benchmarks/GanMnist.Benchmarks -c Release -- classifier [--data <mnist folder>] [--json out.json]
// trains the MNIST classifier from scratch (not from the cache) and reports its time and test accuracy.
//   dotnet run --project benchmarks/GanMnist.Benchmarks -c Release -- evaluate [--arch dcgan|mlp] [--generator file.safetensors] [--samples N]
// times an evaluation (generation + features + statistics) once the classifier is cached, median of 3.
using System.Diagnostics;
using System.Text.Json;
using GanMnist.Data;
using GanMnist.Evaluation;
using static TorchSharp.torch;

internal static class EvaluationBenchmark
{
    public static int RunClassifier(string[] args)
    {
        var data = new MnistDatasetOptions { Directory = Option(args, "--data"), AllowDownload = false };
        using var train = MnistDataset.LoadAsync(MnistSplit.Train, data).GetAwaiter().GetResult();
        using var test = MnistDataset.LoadAsync(MnistSplit.Test, data).GetAwaiter().GetResult();
        var options = new MnistClassifierOptions();
        if (Option(args, "--epochs") is { } epochs)
        {
            options.Epochs = int.Parse(epochs, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Option(args, "--batch") is { } batch)
        {
            options.BatchSize = int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Option(args, "--lr") is { } lr)
        {
            options.LearningRate = double.Parse(lr, System.Globalization.CultureInfo.InvariantCulture);
        }

        var clock = Stopwatch.StartNew();
        using var classifier = MnistClassifier.Train(train, test, options);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"MNIST classifier: {options.Epochs} epochs (batch {options.BatchSize}, lr {options.LearningRate}) in {seconds:F1} s with {get_num_threads()} threads, test accuracy {classifier.TestAccuracy:P2}");
        Console.WriteLine($"train accuracy {classifier.Accuracy(train):P2}");
        Write(args, new { seconds, accuracy = classifier.TestAccuracy, epochs = options.Epochs, threads = get_num_threads() });
        return 0;
    }

    public static int RunEvaluate(string[] args)
    {
        var data = new MnistDatasetOptions { Directory = Option(args, "--data"), AllowDownload = false };
        var samples = int.Parse(Option(args, "--samples") ?? "10000", System.Globalization.CultureInfo.InvariantCulture);
        set_num_threads(Environment.ProcessorCount);
        var clock = Stopwatch.StartNew();
        using var evaluator = GanEvaluator.CreateAsync(new GanEvaluatorOptions { SampleCount = samples, Classifier = { Data = data } }).GetAwaiter().GetResult();
        var createSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"evaluator ready in {createSeconds:F1} s (classifier cached: {evaluator.Classifier.Path}); real test images: {evaluator.Real}");
        var arch = Enum.Parse<GanMnist.Models.GanArchitecture>(Option(args, "--arch") ?? "dcgan", ignoreCase: true);
        using var random = new Generator(7);
        var generator = Option(args, "--generator") is { } file
            ? GanMnist.Checkpoints.GeneratorFile.Load(file)
            : GanMnist.Models.GanModels.CreateGenerator(arch, 100, 0.2, GanMnist.Models.WeightInitialization.Keras, GanMnist.Models.MlpActivation.LeakyRelu, random);
        var times = new List<double>();
        EvaluationResult? result = null;
        for (var i = 0; i < 3; i++)
        {
            clock.Restart();
            result = evaluator.Evaluate(generator);
            times.Add(clock.Elapsed.TotalSeconds);
        }

        times.Sort();
        Console.WriteLine($"evaluate {samples} samples ({(Option(args, "--generator") ?? arch.ToString())}): median {times[1]:F2} s (runs {string.Join(", ", times.Select(t => t.ToString("F2")))}); {result}");
        generator.Module.Dispose();
        Write(args, new { samples, createSeconds, evaluateSeconds = times[1], real = evaluator.Real?.ToMetrics(), generated = result!.ToMetrics() });
        return 0;
    }

    private static void Write(string[] args, object result)
    {
        if (Option(args, "--json") is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
