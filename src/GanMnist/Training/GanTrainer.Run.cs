using System.Diagnostics;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.Data;
using GanMnist.Evaluation;
using GanMnist.Health;
using GanMnist.IO;
using GanMnist.Losses;
using GanMnist.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

public sealed partial class GanTrainer
{
    /// <summary>
    /// One training run: the loop, the step, the losses read back from the device and the training state a checkpoint holds.
    /// Everything else a run does (samples, history files, report, TensorBoard, evaluation, checkpoints, the generator file,
    /// learning-rate schedules, memory trimming) is a callback (<see cref="Callbacks.DefaultCallbacks"/>).
    /// </summary>
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
        private readonly IReadOnlyList<ITrainingCallback> _owned;
        private readonly GeneratorAverage? _average;
        private readonly DataLoader _loader;
        private readonly TorchSharp.Modules.Adam _gOptimizer;
        private readonly TorchSharp.Modules.Adam _dOptimizer;
        private readonly TrainingStep _step;
        private readonly Tensor _fixedNoise;
        private readonly Tensor? _fixedLabels;
        private readonly TrainingContext _context;
        private readonly DatasetInfo? _dataset;
        private readonly List<Tensor> _pending = []; // per-step values still on the device
        private readonly List<double[]> _epochValues = [];
        private readonly List<string> _sampleFiles = [];
        private readonly HealthMonitor? _health;
        private readonly List<HealthWarning> _epochWarnings = [];
        private readonly Stopwatch _clock = new();
        private RunFolderLock? _folderLock;
        private string[]? _valueNames;
        private double[]? _lastMeans;
        private long _globalStep;
        private long _images;
        private (int Epoch, int Batch) _next = (1, 0); // where a checkpoint written now resumes

        public Run(GanTrainer trainer, GanTrainerOptions options, IImageDataset dataset, IGenerator g, IDiscriminator d, IGanLoss loss,
            Device device, ulong seed, Generator random, IProgress<TrainingProgress>? progress, IReadOnlyList<ITrainingCallback> callbacks,
            GeneratorAverage? average, IReadOnlyList<ITrainingCallback> owned)
        {
            (_trainer, _options, _g, _d, _loss, _random, _progress, _callbacks, _average, _owned) = (trainer, options, g, d, loss, random, progress, callbacks, average, owned);
            _dataset = (dataset as MnistDataset)?.Info;
            var conditional = g.ClassCount > 0;
            _loader = new DataLoader(dataset, options.Optimization.BatchSize, shuffle: true, seed, options.Optimization.DropLast, device, withLabels: conditional);
            _gOptimizer = optim.Adam(g.Module.parameters(), options.Optimization.GeneratorLearningRate, options.Optimization.Beta1, options.Optimization.Beta2, options.Optimization.AdamEpsilon);
            _dOptimizer = optim.Adam(d.Module.parameters(), options.Optimization.DiscriminatorLearningRate, options.Optimization.Beta1, options.Optimization.Beta2, options.Optimization.AdamEpsilon);
            _step = new TrainingStep(g, d, loss, _gOptimizer, _dOptimizer, random, options.Optimization.DiscriminatorSteps, schedule: options.Optimization.UpdateSchedule,
                precision: options.Precision, autocastGenerator: options.AutocastGenerator);
            var samples = options.Output.SampleGridSize * options.Output.SampleGridSize;
            using (var sampleRandom = new Generator(seed ^ 0x5EED5A3B1E5UL))
            using (NewDisposeScope())
            {
                _fixedNoise = randn([samples, g.LatentSize], generator: sampleRandom).to(device).DetachFromDisposeScope();
                _fixedLabels = conditional
                    ? tensor(Enumerable.Range(0, samples).Select(i => (long)(i % g.ClassCount)).ToArray()).to(device).DetachFromDisposeScope()
                    : null;
            }

            // D(x) and D(G(z)) are probabilities only for the cross-entropy losses; the outright-win check needs them.
            var probabilities = trainer._components.Loss is null && options.Objective.Loss is GanLossKind.NonSaturating or GanLossKind.Minimax;
            var bounded = trainer._components.Loss is null && options.Objective.Loss is not GanLossKind.WassersteinGp;
            _health = options.Health.MonitorHealth
                ? new HealthMonitor(options.Health.DivergenceBound, options.Health.DivergenceFactor, options.Health.HealthWindowSteps, probabilities, bounded)
                : null;
            Folder = new RunFolder(options.Output.OutputDirectory);
            Directory.CreateDirectory(Folder.Path);
            _context = new TrainingContext(options.Clone(), g, d, device, seed, _fixedNoise, Folder.Path)
            {
                SamplingGenerator = Sampler,
                FixedLabels = _fixedLabels,
                Loss = loss,
                Dataset = _dataset,
                Logger = trainer._logger,
                History = History,
                StepsPerEpoch = _loader.BatchesPerEpoch,
                BuiltInModels = trainer._components.Generator is null,
                CheckpointWriter = SaveCheckpoint,
                LearningRateSetter = SetLearningRates,
                SampleListener = OnSampleWritten,
            };
        }

        public TrainingHistory History { get; } = new();

        /// <summary>The generator samples, evaluations and the export use: the weight average when kept, else the trained one.</summary>
        private IGenerator Sampler => _average?.Average ?? _g;

        /// <summary>The run folder: every file the run writes is named by it.</summary>
        public RunFolder Folder { get; }

        public string OutputDirectory => Folder.Path;

        public IReadOnlyList<string> SampleFiles => _sampleFiles;

        /// <summary>The loop: for each epoch, for each batch, the step; the callbacks around each step and epoch.</summary>
        public void Execute(CancellationToken cancellationToken)
        {
            Start();
            for (var epoch = _startEpoch; epoch <= _options.Epochs; epoch++)
            {
                var step = epoch == _startEpoch ? _startBatch : 0;
                StopIfCancelled(epoch, step, cancellationToken);
                Each(c => c.OnEpochStart(_context, epoch));
                var (epochClock, epochImages) = (Stopwatch.StartNew(), _images);
                foreach (var batch in _loader.Epoch(epoch - 1, step))
                {
                    var info = new StepInfo(epoch, step + 1, _globalStep + 1);
                    Each(c => c.OnStepStart(_context, info));
                    using (batch)
                    {
                        Step(batch);
                        _images += batch.Size;
                    }

                    (step, _globalStep, _context.GlobalStep, _next) = (info.Step, info.GlobalStep, info.GlobalStep, (epoch, info.Step));
                    Each(c => c.OnStepEnd(_context, info));
                    if (step % _options.Output.LogEverySteps == 0)
                    {
                        Report(epoch, step, Flush(epoch, step));
                    }

                    StopIfCancelled(epoch, step, cancellationToken);
                }

                EndEpoch(epoch, step, epochClock, _images - epochImages);
            }

            Each(c => c.OnTrainingEnd(_context, History));
        }

        /// <summary>Takes the run folder, writes what the run is (options, seed, device, dataset) and starts the callbacks.</summary>
        private void Start()
        {
            _folderLock = RunFolderLock.Acquire(Folder); // before anything is written: one training per folder
            _clock.Start();
            AtomicFile.WriteAllText(Folder.OptionsFile, JsonSerializer.Serialize(_options, JsonSettings.Options));
            AtomicFile.WriteAllText(Folder.RunFile,
                JsonSerializer.Serialize(new RunInfo(_dataset?.DisplayName, _context.Seed, _context.Device.ToString()), JsonSettings.Options));
            (_context.GlobalStep, _next) = (_globalStep, (_startEpoch, _startBatch));
            Each(c => c.OnTrainingStart(_context));
        }

        /// <summary>Stops between steps when asked: the state is consistent, and checkpointed first unless told not to.</summary>
        private void StopIfCancelled(int epoch, int step, CancellationToken cancellationToken)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (_options.Output.CheckpointOnCancel)
            {
                Flush(epoch, step);
                SaveCheckpoint();
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        /// <summary>One training step inside its own dispose scope; its values stay on the device until the next flush.</summary>
        private void Step(ImageBatch batch)
        {
            using var scope = NewDisposeScope();
            if (_options.Objective.InstanceNoise > 0)
            {
                _step.InstanceNoise = Schedules.InstanceNoise(_options.Objective.InstanceNoise, (long)_options.Objective.InstanceNoiseAnnealEpochs * _loader.BatchesPerEpoch, _globalStep);
            }

            var (dOut, gOut) = _step.Run(batch.Images, batch.Labels);
            _average?.Update();
            Record(dOut, gOut);
        }

        /// <summary>The epoch's last values, its evaluation, its summary in the history; then the callbacks' epoch end.</summary>
        private void EndEpoch(int epoch, int step, Stopwatch epochClock, long images)
        {
            var last = Flush(epoch, step); // on CUDA the host waits here for the epoch's queued work, so the epoch's time includes it
            var seconds = epochClock.Elapsed.TotalSeconds;
            var evaluation = Evaluate(epoch);
            if (last is not null || evaluation is not null)
            {
                Report(epoch, step, last ?? _lastMeans);
            }

            var width = 2 + _valueNames!.Length;
            var means = Enumerable.Range(0, width).Select(c => _epochValues.Count == 0 ? double.NaN : _epochValues.Average(row => row[c])).ToArray();
            _epochValues.Clear();
            var values = _valueNames.Select((n, i) => (n, means[2 + i])).ToDictionary(p => p.n, p => p.Item2);
            var summary = new EpochSummary(epoch, means[0], means[1], Value(means, LossValues.RealScore), Value(means, LossValues.FakeScore),
                seconds, images / Math.Max(seconds, 1e-9), values, evaluation, _epochWarnings.Count > 0 ? [.. _epochWarnings] : null);
            _epochWarnings.Clear();
            History.Add(summary);
            LogEpoch(_trainer._logger, epoch, _options.Epochs, summary.DiscriminatorLoss, summary.GeneratorLoss, summary.RealScore, summary.FakeScore, seconds, summary.ImagesPerSecond);
            _next = (epoch + 1, 0);
            Each(c => c.OnEpochEnd(_context, summary));
        }

        /// <summary>Both optimizers' learning rates from the next step on (<see cref="TrainingContext.SetLearningRates"/>).</summary>
        private (double Generator, double Discriminator) SetLearningRates(double generator, double discriminator)
        {
            _gOptimizer.ParamGroups.First().LearningRate = generator;
            _dOptimizer.ParamGroups.First().LearningRate = discriminator;
            return (_gOptimizer.ParamGroups.First().LearningRate, _dOptimizer.ParamGroups.First().LearningRate);
        }

        /// <summary>A grid a callback wrote: the result lists it, and every callback hears of it.</summary>
        private void OnSampleWritten(int epoch, string path)
        {
            _sampleFiles.Add(path);
            Each(c => c.OnSampleWritten(_context, epoch, path));
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
                OnHealthWarning(warning);
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
        private void OnHealthWarning(HealthWarning warning)
        {
            LogHealthWarning(_trainer._logger, warning.Message);
            _epochWarnings.Add(warning);
            Each(c => c.OnHealthWarning(_context, warning));
            if (_options.Health.StopOnHealthWarning)
            {
                throw new TrainingHealthException(warning, _options.Output.CheckpointEveryEpochs > 0 ? SaveCheckpoint() : null);
            }
        }

        /// <summary>Where the run stands, to the log, the progress reporter and the callbacks.</summary>
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
                elapsed, remaining, _context.Evaluation)
            {
                HealthWarnings = [.. History.Epochs.SelectMany(e => e.HealthWarnings ?? []), .. _epochWarnings],
            };
            LogProgress(_trainer._logger, epoch, _options.Epochs, step, _loader.BatchesPerEpoch, means[0], means[1], real, fakeScore, rate);
            _progress?.Report(report);
            Each(c => c.OnProgress(_context, report));
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

            _context.Evaluation = result ?? _context.Evaluation;
            return result;
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

            try
            {
                foreach (var callback in _owned.OfType<IDisposable>())
                {
                    callback.Dispose();
                }
            }
            finally
            {
                _gOptimizer.Dispose();
                _dOptimizer.Dispose();
                _fixedNoise.Dispose();
                _fixedLabels?.Dispose();
                _folderLock?.Dispose();
            }
        }
    }
}
