using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Health;
using GanMnist.Imaging;
using GanMnist.IO;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

/// <summary>
/// Trains a generator against a discriminator, as pytorch/examples' DCGAN reads: per batch (1) update
/// D on real images and detached fakes, (2) update G through D. Every step runs inside a dispose scope;
/// losses are read back to the host once per logging interval. Samples, history and chart are written to
/// <see cref="GanTrainerOptions.OutputDirectory"/>.
/// </summary>
public sealed partial class GanTrainer
{
    private readonly ILogger _logger;
    private readonly IReadOnlyList<ITrainingCallback> _callbacks;
    private readonly GanComponents _components;

    /// <summary>Creates a trainer from options (validated now: every problem is reported at once).</summary>
    /// <exception cref="OptionsValidationException">An option is invalid; the failures name each option.</exception>
    public GanTrainer(GanTrainerOptions options, ILogger? logger = null, IEnumerable<ITrainingCallback>? callbacks = null)
        : this(options, logger, callbacks, new GanComponents())
    {
    }

    /// <summary>Creates a trainer from dependency injection.</summary>
    public GanTrainer(IOptions<GanTrainerOptions> options, ILogger<GanTrainer>? logger = null, IEnumerable<ITrainingCallback>? callbacks = null)
        : this(options.Value, logger, callbacks)
    {
    }

    internal GanTrainer(GanTrainerOptions options, ILogger? logger, IEnumerable<ITrainingCallback>? callbacks, GanComponents components)
    {
        ArgumentNullException.ThrowIfNull(options);
        GanTrainerOptionsValidator.ThrowIfInvalid(options);
        Options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _callbacks = [.. callbacks ?? [], .. components.Callbacks];
        _components = components;
    }

    /// <summary>The options of this trainer (a copy; later changes to the original do not apply).</summary>
    public GanTrainerOptions Options { get; }

    /// <summary>Configures a trainer fluently, e.g. <c>GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(5))</c>.</summary>
    /// <exception cref="OptionsValidationException">The resulting options are invalid.</exception>
    public static GanTrainer Create(Action<GanTrainerBuilder> configure, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new GanTrainerBuilder();
        configure(builder);
        return builder.Build(logger);
    }

    /// <summary>
    /// Trains on <paramref name="dataset"/>. Runs on a dedicated thread; progress is reported through
    /// <paramref name="progress"/>, the logger and the callbacks. Cancellation takes effect within one step
    /// and surfaces as <see cref="OperationCanceledException"/> after the step has completed.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's images do not fit the models.</exception>
    /// <exception cref="NonFiniteLossException">A loss became NaN or infinite.</exception>
    /// <exception cref="Health.TrainingHealthException">A health warning was raised and <see cref="GanTrainerOptions.StopOnHealthWarning"/> is set (a checkpoint was written first).</exception>
    /// <exception cref="InvalidOperationException">The checkpoint resumed from has already trained <see cref="GanTrainerOptions.Epochs"/> epochs (the total); the message says how to ask for more.</exception>
    /// <exception cref="IOException">Another training holds <see cref="GanTrainerOptions.OutputDirectory"/> (the message names it and that process), or a file could not be written.</exception>
    public Task<TrainingResult> TrainAsync(IImageDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentNullException.ThrowIfNull(dataset);
        return Task.Factory.StartNew(() => Train(dataset, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Keras-style summaries (<see cref="ModelSummary"/>) of the generator and discriminator this trainer would train: the
    /// built-in models its options describe, or those given to the builder (<see cref="GanTrainerBuilder"/>). Builds them on the
    /// CPU, summarises and frees them; trains nothing.
    /// </summary>
    /// <param name="classCount">The dataset's classes, for conditional models (MNIST's 10 by default).</param>
    public (ModelSummary Generator, ModelSummary Discriminator) Summarize(int classCount = GanModels.ClassCount)
    {
        TorchRuntime.EnsureLoaded();
        using var random = new Generator(Options.Seed ?? 0);
        var generator = _components.Generator?.Invoke(Options, random) ?? TrainerModels.Generator(Options, classCount);
        using var g = generator.Module;
        var discriminator = _components.Discriminator?.Invoke(Options, random) ?? TrainerModels.Discriminator(Options, classCount);
        using var d = discriminator.Module;
        return (ModelSummary.Of(generator), ModelSummary.Of(discriminator));
    }

    private TrainingResult Train(IImageDataset dataset, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var options = Options;
        string? resumePath = null;
        using var resume = options.ResumeFrom is { } from ? OpenCheckpoint(from, out resumePath) : null;
        var seed = resume is not null ? TrainingCheckpoint.Seed(resume, resumePath!) : options.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        MallocSettings.EnsureApplied();
        var device = TorchRuntime.ParseDevice(options.Device);
        TorchRuntime.EnsureAvailable(device);
        using var evaluator = options.EvaluateEveryEpochs > 0 ? CreateEvaluator(options, dataset, device, cancellationToken) : null;
        set_num_threads(options.Threads ?? Environment.ProcessorCount);
        LogStart(_logger, seed, device.ToString(), get_num_threads(), __version__, NativeSettings());
        manual_seed(unchecked((long)seed)); // dropout and anything else drawing from the default generator
        using var random = new Generator(seed);
        var classes = dataset.ClassCount >= 2 ? dataset.ClassCount : GanModels.ClassCount; // conditional models take the dataset's classes
        // The built-in models initialise from the default generator (seeded just above), the stream every measured run
        // has used; the run's own generator is left to the noise.
        var generator = _components.Generator?.Invoke(options, random)
            ?? TrainerModels.Generator(options, classes);
        var discriminator = _components.Discriminator?.Invoke(options, random)
            ?? TrainerModels.Discriminator(options, classes);
        GeneratorAverage? average = null;
        try
        {
            CheckShapes(dataset, generator, discriminator);
            generator.Module.to(device).train();
            discriminator.Module.to(device).train();
            ApplyPrecision(options, device, generator, discriminator);
            if (options.EmaDecay is { } decay)
            {
                using var copyRandom = new Generator(seed); // its weights are overwritten by the generator's
                var copy = _components.Generator?.Invoke(options, copyRandom)
                    ?? TrainerModels.Generator(options, classes);
                copy.Module.to(device);
                average = new GeneratorAverage(generator, copy, decay);
            }

            var loss = _components.Loss ?? CreateLoss(options);
            var callbacks = evaluator is null ? _callbacks : [.. _callbacks, evaluator.AsTrainingCallback(options.EvaluateEveryEpochs)];
            var run = new Run(this, options, dataset, generator, discriminator, loss, device, seed, random, progress, callbacks, average);
            try
            {
                if (resume is not null)
                {
                    run.Restore(resume, resumePath!);
                }

                run.Execute(cancellationToken);
            }
            finally
            {
                run.Dispose();
            }

            return new TrainingResult(generator, discriminator, run.History, run.OutputDirectory, seed, run.SampleFiles, average?.Average);
        }
        catch
        {
            generator.Module.Dispose();
            discriminator.Module.Dispose();
            average?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The evaluator behind <see cref="GanTrainerOptions.EvaluateEveryEpochs"/>: for an <see cref="MnistDataset"/>, its own
    /// dataset (classifier, reference and test images) found with the options it was loaded with; for other datasets, MNIST
    /// where <see cref="MnistDatasetOptions"/> looks by default.
    /// </summary>
    private GanEvaluator CreateEvaluator(GanTrainerOptions options, IImageDataset dataset, Device device, CancellationToken cancellationToken)
    {
        var evaluatorOptions = new GanEvaluatorOptions { SampleCount = options.EvaluationSamples };
        if (dataset is MnistDataset mnist)
        {
            // Found and fetched as the training split was (places, downloads, cache, mirrors), whole.
            var data = mnist.LoadOptions.Clone();
            (data.Dataset, data.Limit, data.PerClass, data.Balanced) = (mnist.Info.Name, null, null, false);
            evaluatorOptions.Classifier.Data = data;
        }

        LogEvaluatorLoading(_logger, options.EvaluateEveryEpochs, options.EvaluationSamples);
        var evaluator = GanEvaluator.CreateAsync(evaluatorOptions, _logger, cancellationToken).GetAwaiter().GetResult();
        return device.type == DeviceType.CPU ? evaluator : evaluator.To(device);
    }

    /// <summary>
    /// TF32 on CUDA when asked; under bf16-mixed, logs whether the device computes bfloat16 natively and which layers of
    /// the models are TorchSharp's own (they compute in float32: <see cref="Autocast"/> says how to change that).
    /// </summary>
    private void ApplyPrecision(GanTrainerOptions options, Device device, IGenerator generator, IDiscriminator discriminator)
    {
        if (device.type == DeviceType.CUDA && options.AllowTf32)
        {
            backends.cuda.matmul.allow_tf32 = true;
        }

        if (options.Precision != Precision.BFloat16Mixed)
        {
            return;
        }

        LogMixedPrecision(_logger, BFloat16Hardware.Describe(device));
        string[] float32 = [.. Autocast.Float32Layers(generator.Module).Select(n => "generator." + n), .. Autocast.Float32Layers(discriminator.Module).Select(n => "discriminator." + n)];
        if (float32.Length > 0)
        {
            LogFloat32Layers(_logger, float32.Length, string.Join(", ", float32));
        }
    }

    internal static IGanLoss CreateLoss(GanTrainerOptions options)
    {
        IGanLoss loss = options.Loss switch
        {
            GanLossKind.NonSaturating => GanLosses.NonSaturating,
            GanLossKind.Minimax => GanLosses.Minimax,
            GanLossKind.LeastSquares => GanLosses.LeastSquares,
            GanLossKind.Hinge => GanLosses.Hinge,
            GanLossKind.WassersteinGp => GanLosses.WassersteinGp(options.GradientPenaltyWeight),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Loss, "unknown loss"),
        };
        loss = options.LabelSmoothing is { } target ? loss.WithLabelSmoothing(target) : loss;
        if (options.R1Weight > 0)
        {
            loss = loss.WithR1Penalty(options.R1Weight);
        }

        return options.FeatureMatchingOnly ? Regularisers.FeatureMatching(loss)
            : options.FeatureMatchingWeight > 0 ? loss.WithFeatureMatching(options.FeatureMatchingWeight)
            : loss;
    }

    private static void CheckShapes(IImageDataset dataset, IGenerator generator, IDiscriminator discriminator)
    {
        if (!dataset.ImageShape.SequenceEqual(generator.ImageShape) || !dataset.ImageShape.SequenceEqual(discriminator.ImageShape))
        {
            throw new ArgumentException(
                $"The dataset's images are [{string.Join(", ", dataset.ImageShape)}] but the generator makes [{string.Join(", ", generator.ImageShape)}] " +
                $"and the discriminator takes [{string.Join(", ", discriminator.ImageShape)}].", nameof(dataset));
        }

        if (generator.ClassCount > 0 && dataset.ClassCount != generator.ClassCount)
        {
            throw new ArgumentException($"The generator is conditioned on {generator.ClassCount} classes but the dataset has {dataset.ClassCount}.", nameof(dataset));
        }
    }

    /// <summary>The state of one training run.</summary>
    private sealed partial class Run : IDisposable
    {
        private readonly GanTrainer _trainer;
        private readonly GanTrainerOptions _options;
        private readonly IGenerator _g;
        private readonly IDiscriminator _d;
        private readonly IGanLoss _loss;
        private readonly Generator _random;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly IReadOnlyList<ITrainingCallback> _callbacks;
        private readonly GeneratorAverage? _average;
        private readonly DataLoader _loader;
        private readonly TorchSharp.Modules.Adam _gOptimizer;
        private readonly TorchSharp.Modules.Adam _dOptimizer;
        private readonly TrainingStep _step;
        private readonly Tensor _fixedNoise;
        private readonly Tensor? _fixedLabels;
        private readonly TrainingContext _context;
        private readonly DatasetInfo? _dataset;
        private TensorBoardWriter? _tensorBoard;
        private RunFolderLock? _folderLock;
        private readonly List<Tensor> _pending = []; // per-step values still on the device
        private readonly List<double[]> _epochValues = [];
        private readonly List<string> _sampleFiles = [];
        private readonly HealthMonitor? _health;
        private readonly List<HealthWarning> _epochWarnings = [];
        private readonly Stopwatch _clock = new();
        private string[]? _valueNames;
        private double[]? _lastMeans;
        private EvaluationResult? _evaluation;
        private long _globalStep;
        private long _images;

        public Run(GanTrainer trainer, GanTrainerOptions options, IImageDataset dataset, IGenerator g, IDiscriminator d, IGanLoss loss,
            Device device, ulong seed, Generator random, IProgress<TrainingProgress>? progress, IReadOnlyList<ITrainingCallback> callbacks,
            GeneratorAverage? average)
        {
            (_trainer, _options, _g, _d, _loss, _random, _progress, _callbacks, _average) = (trainer, options, g, d, loss, random, progress, callbacks, average);
            _dataset = (dataset as MnistDataset)?.Info;
            var conditional = g.ClassCount > 0;
            _loader = new DataLoader(dataset, options.BatchSize, shuffle: true, seed, options.DropLast, device, withLabels: conditional);
            _gOptimizer = optim.Adam(g.Module.parameters(), options.GeneratorLearningRate, options.Beta1, options.Beta2, options.AdamEpsilon);
            _dOptimizer = optim.Adam(d.Module.parameters(), options.DiscriminatorLearningRate, options.Beta1, options.Beta2, options.AdamEpsilon);
            _step = new TrainingStep(g, d, loss, _gOptimizer, _dOptimizer, random, options.DiscriminatorSteps, schedule: options.UpdateSchedule,
                precision: options.Precision);
            var samples = options.SampleGridSize * options.SampleGridSize;
            using (var sampleRandom = new Generator(seed ^ 0x5EED5A3B1E5UL))
            using (NewDisposeScope())
            {
                _fixedNoise = randn([samples, g.LatentSize], generator: sampleRandom).to(device).DetachFromDisposeScope();
                _fixedLabels = conditional
                    ? tensor(Enumerable.Range(0, samples).Select(i => (long)(i % g.ClassCount)).ToArray()).to(device).DetachFromDisposeScope()
                    : null;
            }

            // D(x) and D(G(z)) are probabilities only for the cross-entropy losses; the outright-win check needs them.
            var probabilities = trainer._components.Loss is null && options.Loss is GanLossKind.NonSaturating or GanLossKind.Minimax;
            var bounded = trainer._components.Loss is null && options.Loss is not GanLossKind.WassersteinGp;
            _health = options.MonitorHealth
                ? new HealthMonitor(options.DivergenceBound, options.DivergenceFactor, options.HealthWindowSteps, probabilities, bounded)
                : null;
            Folder = new RunFolder(options.OutputDirectory);
            Directory.CreateDirectory(Folder.Path);
            _context = new TrainingContext(options.Clone(), g, d, device, seed, _fixedNoise, OutputDirectory) { SamplingGenerator = Sampler };
        }

        public TrainingHistory History { get; } = new();

        /// <summary>The generator samples, evaluations and the export use: the weight average when kept, else the trained one.</summary>
        private IGenerator Sampler => _average?.Average ?? _g;

        /// <summary>The run folder: every file the run writes is named by it.</summary>
        public RunFolder Folder { get; }

        public string OutputDirectory => Folder.Path;

        public IReadOnlyList<string> SampleFiles => _sampleFiles;

        public void Execute(CancellationToken cancellationToken)
        {
            _folderLock = RunFolderLock.Acquire(Folder); // before anything is written: one training per folder
            _clock.Start();
            AtomicFile.WriteAllText(Folder.OptionsFile, JsonSerializer.Serialize(_options, JsonSettings.Options));
            AtomicFile.WriteAllText(Folder.RunFile,
                JsonSerializer.Serialize(new TrainingReport.RunInfo(_dataset?.DisplayName, _context.Seed, _context.Device.ToString()), JsonSettings.Options));
            if (_callbacks.OfType<GanEvaluator.EvaluationCallback>().Select(c => c.Evaluator.Real).LastOrDefault(r => r is not null) is { } real)
            {
                AtomicFile.WriteAllText(Folder.RealEvaluationFile, JsonSerializer.Serialize(real, JsonSettings.Options));
            }

            if (_options.TensorBoardDirectory is { } board)
            {
                _tensorBoard = new TensorBoardWriter(Path.GetFullPath(board, OutputDirectory), _options, JsonSettings.Options);
                LogTensorBoard(_trainer._logger, _tensorBoard.LogDirectory);
            }

            SetLearningRates(); // a resumed run's callbacks see the rates of the step it resumes at
            Each(c => c.OnTrainingStart(_context));
            for (var epoch = _startEpoch; epoch <= _options.Epochs; epoch++)
            {
                var first = epoch == _startEpoch ? _startBatch : 0;
                StopIfCancelled(epoch, first, cancellationToken);
                Each(c => c.OnEpochStart(_context, epoch));
                var epochClock = Stopwatch.StartNew();
                var epochImages = _images;
                var step = first;
                foreach (var batch in _loader.Epoch(epoch - 1, first))
                {
                    using (batch)
                    {
                        Step(batch);
                        _images += batch.Size;
                    }

                    step++;
                    _globalStep++;
                    MallocSettings.AfterStep(_globalStep);
                    var info = new StepInfo(epoch, step, _globalStep);
                    Each(c => c.OnStepEnd(_context, info));
                    if (step % _options.LogEverySteps == 0)
                    {
                        Report(epoch, step, Flush(epoch, step));
                    }

                    StopIfCancelled(epoch, step, cancellationToken);
                }

                var last = Flush(epoch, step);
                var seconds = epochClock.Elapsed.TotalSeconds;
                var evaluation = Evaluate(epoch);
                if (last is not null || evaluation is not null)
                {
                    Report(epoch, step, last ?? _lastMeans);
                }

                EndEpoch(epoch, seconds, _images - epochImages, evaluation);
                if (_options.CheckpointEveryEpochs > 0 && (epoch % _options.CheckpointEveryEpochs == 0 || epoch == _options.Epochs))
                {
                    SaveCheckpoint(epoch + 1, 0);
                }
            }

            WriteFiles();
            GeneratorFile.Save(Sampler, Folder.GeneratorFile,
                _trainer._components.Generator is null ? _options.Architecture : null, _options.LeakyReluSlope, _options.MlpActivation,
                _dataset);
            Each(c => c.OnTrainingEnd(_context, History));
        }

        /// <summary>Stops between steps when asked: the state is consistent, and checkpointed first unless told not to.</summary>
        private void StopIfCancelled(int epoch, int step, CancellationToken cancellationToken)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (_options.CheckpointOnCancel)
            {
                Flush(epoch, step);
                SaveCheckpoint(epoch, step);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        /// <summary>One training step inside its own dispose scope; its values stay on the device until the next flush.</summary>
        private void Step(ImageBatch batch)
        {
            using var scope = NewDisposeScope();
            if (_options.InstanceNoise > 0)
            {
                _step.InstanceNoise = Schedules.InstanceNoise(_options.InstanceNoise, (long)_options.InstanceNoiseAnnealEpochs * _loader.BatchesPerEpoch, _globalStep);
            }

            SetLearningRates();
            var (dOut, gOut) = _step.Run(batch.Images, batch.Labels);
            _average?.Update();
            Record(dOut, gOut);
        }

        /// <summary>Both optimizers' learning rates for the coming step (<see cref="GanTrainerOptions.LearningRateDecayEpochs"/>), and the context's copy read back from them.</summary>
        private void SetLearningRates()
        {
            if (_options.LearningRateDecayEpochs > 0)
            {
                var factor = Schedules.LearningRateFactor(_globalStep, (long)_options.Epochs * _loader.BatchesPerEpoch, (long)_options.LearningRateDecayEpochs * _loader.BatchesPerEpoch);
                _gOptimizer.ParamGroups.First().LearningRate = _options.GeneratorLearningRate * factor;
                _dOptimizer.ParamGroups.First().LearningRate = _options.DiscriminatorLearningRate * factor;
            }

            (_context.GeneratorLearningRate, _context.DiscriminatorLearningRate) = (_gOptimizer.ParamGroups.First().LearningRate, _dOptimizer.ParamGroups.First().LearningRate);
        }

        /// <summary>Keeps this step's values on the device (one small tensor) until the next flush.</summary>
        private void Record(LossOutput d, LossOutput g)
        {
            _valueNames ??= [.. d.Values.Keys.Union(g.Values.Keys).Order(StringComparer.Ordinal)];
            var values = new List<Tensor> { d.Loss.detach(), g.Loss.detach() };
            // D(G(z)) is taken from D's step (before G's update), as the seeds report it; other values from whichever loss has them.
            values.AddRange(_valueNames.Select(n => d.Values.TryGetValue(n, out var v) ? v : g.Values[n]));
            _pending.Add(stack(values).to(ScalarType.Float64).DetachFromDisposeScope());
        }

        /// <summary>Reads the pending values (one device round-trip), checks them, and returns their means.</summary>
        private double[]? Flush(int epoch, int step)
        {
            if (_pending.Count == 0)
            {
                return null;
            }

            double[] all;
            using (var rows = stack(_pending))
            {
                all = rows.ToArray<double>();
            }

            var width = 2 + _valueNames!.Length;
            var firstStep = step - _pending.Count + 1;
            foreach (var t in _pending)
            {
                t.Dispose();
            }

            _pending.Clear();
            var rowCount = all.Length / width;
            var (realColumn, fakeColumn) = (Array.IndexOf(_valueNames, LossValues.RealScore), Array.IndexOf(_valueNames, LossValues.FakeScore));
            var raised = new List<HealthWarning>();
            for (var r = 0; r < rowCount; r++)
            {
                for (var c = 0; c < width; c++)
                {
                    var value = all[(r * width) + c];
                    if (!double.IsFinite(value))
                    {
                        var name = c == 0 ? "discriminator loss" : c == 1 ? "generator loss" : _valueNames[c - 2];
                        throw new NonFiniteLossException(epoch, firstStep + r, name, value);
                    }
                }

                var row = all.AsSpan(r * width, width).ToArray();
                _epochValues.Add(row);
                var (real, fake) = (realColumn < 0 ? double.NaN : row[2 + realColumn], fakeColumn < 0 ? double.NaN : row[2 + fakeColumn]);
                if (_health?.Observe(epoch, _globalStep - rowCount + 1 + r, row[0], row[1], real, fake) is { } warning)
                {
                    raised.Add(warning);
                }
            }

            foreach (var warning in raised)
            {
                OnHealthWarning(warning, epoch, step);
            }

            var means = new double[width];
            for (var c = 0; c < width; c++)
            {
                double sum = 0;
                for (var r = 0; r < rowCount; r++)
                {
                    sum += all[(r * width) + c];
                }

                means[c] = sum / rowCount;
            }

            return means;
        }

        /// <summary>Reports a health warning everywhere a user looks, and stops the run (after a checkpoint) when asked to.</summary>
        private void OnHealthWarning(HealthWarning warning, int epoch, int step)
        {
            LogHealthWarning(_trainer._logger, warning.Message);
            _epochWarnings.Add(warning);
            _tensorBoard?.Health(warning);
            if (_options.StopOnHealthWarning)
            {
                throw new TrainingHealthException(warning, _options.CheckpointEveryEpochs > 0 ? SaveCheckpoint(epoch, step) : null);
            }
        }

        private void Report(int epoch, int step, double[]? means)
        {
            if (means is null)
            {
                return;
            }

            _lastMeans = means;
            var elapsed = _clock.Elapsed;
            var rate = _images / Math.Max(elapsed.TotalSeconds, 1e-9);
            var stepsTotal = (long)_options.Epochs * _loader.BatchesPerEpoch;
            var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(_globalStep, 1) * (stepsTotal - _globalStep));
            var (real, fakeScore) = (Value(means, LossValues.RealScore), Value(means, LossValues.FakeScore));
            var report = new TrainingProgress(epoch, _options.Epochs, step, _loader.BatchesPerEpoch, _globalStep, rate, means[0], means[1], real, fakeScore,
                elapsed, remaining, _evaluation)
            {
                HealthWarnings = [.. History.Epochs.SelectMany(e => e.HealthWarnings ?? []), .. _epochWarnings],
            };
            LogProgress(_trainer._logger, epoch, _options.Epochs, step, _loader.BatchesPerEpoch, means[0], means[1], real, fakeScore, rate);
            _progress?.Report(report);
            _tensorBoard?.Step(report);
        }

        private double Value(double[] means, string name)
        {
            var i = Array.IndexOf(_valueNames!, name);
            return i < 0 ? double.NaN : means[2 + i];
        }

        /// <summary>Asks the callbacks for an evaluation of the generator at this epoch's end; the last result given wins.</summary>
        private EvaluationResult? Evaluate(int epoch)
        {
            EvaluationResult? result = null;
            foreach (var callback in _callbacks)
            {
                result = callback.OnEvaluate(_context, epoch) ?? result;
            }

            if (result is not null)
            {
                LogEvaluation(_trainer._logger, epoch, result.ToString());
                if (result.ModeCollapseReason is { } reason)
                {
                    LogModeCollapse(_trainer._logger, epoch, reason);
                }
            }

            _evaluation = result ?? _evaluation;
            return result;
        }

        private void EndEpoch(int epoch, double seconds, long images, EvaluationResult? evaluation)
        {
            var width = 2 + _valueNames!.Length;
            var means = Enumerable.Range(0, width).Select(c => _epochValues.Count == 0 ? double.NaN : _epochValues.Average(row => row[c])).ToArray();
            _epochValues.Clear();
            var values = _valueNames.Select((n, i) => (n, means[2 + i])).ToDictionary(p => p.n, p => p.Item2);
            var summary = new EpochSummary(epoch, means[0], means[1], Value(means, LossValues.RealScore), Value(means, LossValues.FakeScore),
                seconds, images / Math.Max(seconds, 1e-9), values, evaluation, _epochWarnings.Count > 0 ? [.. _epochWarnings] : null);
            _epochWarnings.Clear();
            History.Add(summary);
            LogEpoch(_trainer._logger, epoch, _options.Epochs, summary.DiscriminatorLoss, summary.GeneratorLoss, summary.RealScore, summary.FakeScore, seconds, summary.ImagesPerSecond);
            WriteFiles();
            _tensorBoard?.Epoch(summary);
            Each(c => c.OnEpochEnd(_context, summary));
            if (_options.SampleEveryEpochs > 0 && (epoch % _options.SampleEveryEpochs == 0 || epoch == _options.Epochs))
            {
                var path = Folder.SampleFile(epoch);
                WriteSamples(path, Folder.LargeSampleFile(epoch));
                _sampleFiles.Add(path);
                _tensorBoard?.Samples(path, epoch);

                Each(c => c.OnSampleWritten(_context, epoch, path));
            }

            TrainingReport.Write(Folder);
            MallocSettings.AfterEpoch();
        }

        /// <summary>Samples from the fixed noise in evaluation mode (batch-norm running statistics), as the seeds do; writes the raw-size grid and the enlarged one.</summary>
        private void WriteSamples(string path, string largePath)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var sampler = Sampler;
            var training = sampler.Module.training;
            sampler.Module.eval();
            try
            {
                var images = sampler.Generate(_fixedNoise, _fixedLabels);
                ImageGrid.Save(images, _options.SampleGridSize, path);
                ImageGrid.Save(images, _options.SampleGridSize, largePath, ImageGrid.LargeScale);
            }
            finally
            {
                sampler.Module.train(training);
            }
        }

        private void WriteFiles()
        {
            AtomicFile.WriteAllText(Folder.HistoryCsvFile, History.BuildCsv());
            AtomicFile.Write(Folder.HistoryJsonFile, History.WriteJson);
            if (History.Epochs.Count > 0)
            {
                var x = History.Epochs.Select(e => (double)e.Epoch).ToArray();
                AtomicFile.WriteAllText(Folder.LossChartFile, LossChart.Svg($"GanMnist losses ({_loss.Name})", x,
                [
                    ("discriminator", History.Epochs.Select(e => e.DiscriminatorLoss).ToArray()),
                    ("generator", History.Epochs.Select(e => e.GeneratorLoss).ToArray()),
                ]));
            }

            var evaluated = History.Epochs.Where(e => e.Evaluation is not null).ToList();
            if (evaluated.Count > 0)
            {
                AtomicFile.WriteAllText(Folder.FidChartFile, LossChart.Svg("Fréchet distance to MNIST (classifier features)",
                    evaluated.Select(e => (double)e.Epoch).ToArray(), [("FID", evaluated.Select(e => e.Evaluation!.FrechetDistance).ToArray())]));
            }
        }

        private void Each(Action<ITrainingCallback> action)
        {
            foreach (var callback in _callbacks)
            {
                action(callback);
            }
        }

        public void Dispose()
        {
            foreach (var t in _pending)
            {
                t.Dispose();
            }

            _gOptimizer.Dispose();
            _dOptimizer.Dispose();
            _fixedNoise.Dispose();
            _fixedLabels?.Dispose();
            _tensorBoard?.Dispose();
            _folderLock?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Precision bf16-mixed: linear and convolution layers compute in bfloat16, everything else in float32; {Hardware}")]
    private static partial void LogMixedPrecision(ILogger logger, string hardware);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Precision bf16-mixed: {Count} layers are TorchSharp's own and compute in float32 ({Layers}); build them with GanMnist.Models.Autocast.Linear/Conv2d/ConvTranspose2d to compute in bfloat16")]
    private static partial void LogFloat32Layers(ILogger logger, int count, string layers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health warning: {Message}")]
    private static partial void LogHealthWarning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluation at epoch {Epoch}: {Result}")]
    private static partial void LogEvaluation(ILogger logger, int epoch, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mode-collapse alarm at epoch {Epoch}: {Reason}")]
    private static partial void LogModeCollapse(ILogger logger, int epoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evaluating every {Every} epochs on {Samples} samples; loading the evaluation classifier and reference")]
    private static partial void LogEvaluatorLoading(ILogger logger, int every, int samples);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training with seed {Seed} on {Device} ({Threads} intra-op threads, libtorch {Version}; {Native})")]
    private static partial void LogStart(ILogger logger, ulong seed, string device, int threads, string version, string native);

    // What docs/performance.md's measurements depend on: the engine's versions.
    private static string NativeSettings() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version}, malloc " +
        (MallocSettings.EnsureApplied() ? $"thresholds set and heap trimmed every {MallocSettings.TrimEverySteps} steps" : "left alone");

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs} step {Step}/{Steps}: D loss {DLoss:F4}, G loss {GLoss:F4}, D(x) {Real:F3}, D(G(z)) {Fake:F3}, {Rate:F0} images/s")]
    private static partial void LogProgress(ILogger logger, int epoch, int epochs, int step, int steps, double dLoss, double gLoss, double real, double fake, double rate);

    [LoggerMessage(Level = LogLevel.Information, Message = "TensorBoard event files go to {Directory} (tensorboard --logdir {Directory})")]
    private static partial void LogTensorBoard(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch}/{Epochs} done: D loss {DLoss:F4}, G loss {GLoss:F4}, D(x) {Real:F3}, D(G(z)) {Fake:F3} in {Seconds:F1} s ({Rate:F0} images/s)")]
    private static partial void LogEpoch(ILogger logger, int epoch, int epochs, double dLoss, double gLoss, double real, double fake, double seconds, double rate);
}

/// <summary>Models, loss and callbacks supplied through the builder instead of the options.</summary>
internal sealed class GanComponents
{
    public Func<GanTrainerOptions, Generator, IGenerator>? Generator { get; set; }

    public Func<GanTrainerOptions, Generator, IDiscriminator>? Discriminator { get; set; }

    public IGanLoss? Loss { get; set; }

    public List<ITrainingCallback> Callbacks { get; } = [];
}
