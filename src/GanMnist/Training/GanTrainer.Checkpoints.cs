using System.Globalization;
using System.Text.Json;
using GanMnist.Checkpoints;
using GanMnist.IO;
using TorchSharp;
using TorchSharp.Modules;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

public sealed partial class GanTrainer
{
    /// <summary>
    /// Opens the checkpoint to resume from: the file itself, or the newest valid checkpoint of a run folder
    /// (falling back past corrupt ones with a warning, unless told to fail).
    /// </summary>
    private SafeTensorsContent OpenCheckpoint(string from, out string path)
    {
        if (File.Exists(from))
        {
            path = from;
            return TrainingCheckpoint.Read(from);
        }

        if (!Directory.Exists(from))
        {
            throw new FileNotFoundException($"{nameof(GanOutputOptions.ResumeFrom)}: '{from}' is neither a checkpoint file nor a run folder.", from);
        }

        var run = new RunFolder(from);
        var newest = TrainingCheckpoint.OpenNewest(run, Options.Output.FailOnCorruptCheckpoint ? null : (candidate, e) => LogCorruptCheckpoint(_logger, candidate, e.Message));
        if (newest is not { } found)
        {
            throw new FileNotFoundException($"{nameof(GanOutputOptions.ResumeFrom)}: '{from}' holds no valid checkpoint " +
                $"(looked for {run.CheckpointPattern}; {run.FindCheckpoints().Count} found).", from);
        }

        path = found.Path;
        return found.Content;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint {Path} is unusable, trying the previous one: {Reason}")]
    private static partial void LogCorruptCheckpoint(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed from {Path} at epoch {Epoch}, step {Step} (global step {GlobalStep})")]
    private static partial void LogResumed(ILogger logger, string path, int epoch, int step, long globalStep);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint written: {Path}")]
    private static partial void LogCheckpoint(ILogger logger, string path);

    private sealed partial class Run
    {
        private int _startEpoch = 1;
        private int _startBatch;

        /// <summary>Writes the whole training state, to continue where the run is now (<c>_next</c>).</summary>
        private string SaveCheckpoint()
        {
            var (nextEpoch, batch) = _next;
            using var scope = NewDisposeScope();
            var tensors = new List<KeyValuePair<string, Tensor>>();
            tensors.AddRange(_g.Module.state_dict().Select(p => KeyValuePair.Create("generator." + p.Key, p.Value)));
            tensors.AddRange(_d.Module.state_dict().Select(p => KeyValuePair.Create("discriminator." + p.Key, p.Value)));
            if (_average is not null)
            {
                tensors.AddRange(_average.Average.Module.state_dict().Select(p => KeyValuePair.Create("ema." + p.Key, p.Value)));
            }

            AddOptimizer(tensors, "optimizer.generator", _gOptimizer);
            AddOptimizer(tensors, "optimizer.discriminator", _dOptimizer);
            tensors.Add(KeyValuePair.Create("rng.run", _random.get_state()));
            tensors.Add(KeyValuePair.Create("rng.default", get_rng_state()));
            if (_epochValues.Count > 0)
            {
                tensors.Add(KeyValuePair.Create("history.partial_epoch", tensor(_epochValues.SelectMany(r => r).ToArray(), _epochValues.Count, _epochValues[0].Length)));
            }

            var metadata = new Dictionary<string, string>
            {
                ["library_version"] = GeneratorFile.LibraryVersion,
                ["next_epoch"] = nextEpoch.ToString(CultureInfo.InvariantCulture),
                ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
                ["global_step"] = _globalStep.ToString(CultureInfo.InvariantCulture),
                ["images"] = _images.ToString(CultureInfo.InvariantCulture),
                ["seed"] = _context.Seed.ToString(CultureInfo.InvariantCulture),
                ["shuffling"] = "order of epoch e = randperm under Generator(seed XOR e * 0x9E3779B97F4A7C15)",
                ["loss"] = _loss.Name,
                ["architecture"] = _trainer._components.Generator is null ? _options.Model.Architecture.ToString() : "custom",
                ["options"] = JsonSerializer.Serialize(_options, JsonSettings.Options),
                ["history"] = JsonSerializer.Serialize(History.Epochs, JsonSettings.Options),
                ["value_names"] = JsonSerializer.Serialize(_valueNames ?? [], JsonSettings.Options),
            };
            if (_dataset is not null)
            {
                metadata["dataset"] = _dataset.Name;
            }

            var path = TrainingCheckpoint.Write(Folder, _globalStep, tensors, metadata, _options.Output.KeepCheckpoints);
            LogCheckpoint(_trainer._logger, path);
            return path;
        }

        private static void AddOptimizer(List<KeyValuePair<string, Tensor>> tensors, string prefix, Adam optimizer)
        {
            var states = AdamStates(optimizer);
            for (var i = 0; i < states.Count; i++)
            {
                tensors.Add(KeyValuePair.Create($"{prefix}.{i}.exp_avg", states[i].exp_avg));
                tensors.Add(KeyValuePair.Create($"{prefix}.{i}.exp_avg_sq", states[i].exp_avg_sq));
            }

            tensors.Add(KeyValuePair.Create($"{prefix}.step", tensor(states.Select(p => p.step).ToArray())));
        }

        /// <summary>TorchSharp's Adam keeps one state per parameter, in the order of its parameters.</summary>
        private static List<Adam.State> AdamStates(Adam optimizer) => optimizer.state_dict().State.Cast<Adam.State>().ToList();

        /// <summary>
        /// Refuses a checkpoint whose models were built with other options than this run's. Options such as the LeakyReLU slope or
        /// the transposed convolutions' padding change no tensor's shape, so loading would succeed and silently train another model
        /// (e.g. a run of the dcgan preset from before it followed the seeds' padding and slope, resumed with today's preset).
        /// </summary>
        private void RequireSameModels(SafeTensorsContent content, string path)
        {
            if (!content.Metadata.TryGetValue("options", out var json))
            {
                return;
            }

            var then = CheckpointFile.ReadOptions(json, path);
            var differences = TrainerModels.Shape(then).Zip(TrainerModels.Shape(_options), (t, n) => (t.Name, Then: t.Value, Now: n.Value))
                .Where(d => !Equals(d.Then, d.Now)).ToList();
            if (differences.Count > 0)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' holds models built with {string.Join(", ", differences.Select(d => $"{d.Name} {d.Then}"))}, not this run's " +
                    $"{string.Join(", ", differences.Select(d => $"{d.Name} {d.Now}"))}: resume with the same model options " +
                    $"(CLI: {string.Join(" ", differences.Select(d => $"--set {d.Name}={d.Then}"))})."));
            }
        }

        /// <summary>Puts the run back in the state a checkpoint recorded; every tensor is checked before it is used.</summary>
        public void Restore(SafeTensorsContent content, string path)
        {
            if (content.Metadata.TryGetValue("dataset", out var trainedOn) && _dataset is not null && trainedOn != _dataset.Name)
            {
                throw new InvalidDataException(
                    $"'{path}' was trained on {trainedOn}, not {_dataset.Name}: resume it on the same dataset (CLI: --dataset {trainedOn}).");
            }

            RequireSameModels(content, path);
            GeneratorFile.LoadInto(_g.Module, content.Tensors, path, "generator.");
            GeneratorFile.LoadInto(_d.Module, content.Tensors, path, "discriminator.");
            if (_average is not null)
            {
                GeneratorFile.LoadInto(_average.Average.Module, content.Tensors, path, "ema.");
            }
            RestoreOptimizer(_gOptimizer, content, "optimizer.generator", path);
            RestoreOptimizer(_dOptimizer, content, "optimizer.discriminator", path);
            try
            {
                _random.set_state(Tensor(content, "rng.run", path));
                set_rng_state(Tensor(content, "rng.default", path));
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                throw new InvalidDataException($"'{path}' holds a random generator state libtorch rejects: {e.Message}", e);
            }

            _startEpoch = Int(content, "next_epoch", path);
            _startBatch = Int(content, "batch", path);
            _globalStep = long.Parse(content.Require("global_step", path), CultureInfo.InvariantCulture);
            _images = long.Parse(content.Require("images", path), CultureInfo.InvariantCulture);
            foreach (var summary in JsonSerializer.Deserialize<List<EpochSummary>>(content.Require("history", path), JsonSettings.Options) ?? [])
            {
                History.Add(summary);
            }

            var names = JsonSerializer.Deserialize<string[]>(content.Require("value_names", path), JsonSettings.Options) ?? [];
            _valueNames = names.Length > 0 ? names : null;
            if (content.Tensors.TryGetValue("history.partial_epoch", out var partial))
            {
                var width = (int)partial.size(1);
                var values = partial.ToArray<double>();
                for (var r = 0; r < values.Length / width; r++)
                {
                    _epochValues.Add(values.AsSpan(r * width, width).ToArray());
                }
            }

            RequireEpochsLeft(path);
            LogResumed(_trainer._logger, path, _startEpoch, _startBatch, _globalStep);
        }

        /// <summary>
        /// Refuses a resume that would train nothing: <see cref="GanTrainerOptions.Epochs"/> is the run's total, and a
        /// checkpoint that already reached it would otherwise end at once as if it had trained (Lightning #3580).
        /// </summary>
        private void RequireEpochsLeft(string path)
        {
            if (_startEpoch <= _options.Epochs)
            {
                return;
            }

            var done = _startBatch > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{_startEpoch - 1} epochs and {_startBatch} steps of epoch {_startEpoch}")
                : string.Create(CultureInfo.InvariantCulture, $"{_startEpoch - 1} epochs");
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Nothing to train: '{path}' has already trained {done}, and {nameof(GanTrainerOptions.Epochs)} is {_options.Epochs}. " +
                $"Epochs is the run's total, not a number to add: to train on, set it higher (e.g. {nameof(GanTrainerOptions.Epochs)} = {_startEpoch - 1 + 10}; CLI: --epochs {_startEpoch - 1 + 10})."));
        }

        private static void RestoreOptimizer(Adam optimizer, SafeTensorsContent content, string prefix, string path)
        {
            var states = AdamStates(optimizer);
            var steps = Tensor(content, $"{prefix}.step", path).ToArray<long>();
            if (steps.Length != states.Count)
            {
                throw new InvalidDataException($"'{path}': tensor '{prefix}.step' has {steps.Length} entries, the optimizer has {states.Count} parameters.");
            }

            // Every tensor is checked before any is copied: the optimizer is never left half-restored.
            var moments = new List<(Tensor ExpAvg, Tensor ExpAvgSq)>(states.Count);
            for (var i = 0; i < states.Count; i++)
            {
                moments.Add((Moment(content, $"{prefix}.{i}.exp_avg", states[i].exp_avg, path), Moment(content, $"{prefix}.{i}.exp_avg_sq", states[i].exp_avg_sq, path)));
            }

            using var noGrad = no_grad();
            for (var i = 0; i < states.Count; i++)
            {
                states[i].step = steps[i];
                states[i].exp_avg.copy_(moments[i].ExpAvg);
                states[i].exp_avg_sq.copy_(moments[i].ExpAvgSq);
            }
        }

        private static Tensor Moment(SafeTensorsContent content, string name, Tensor target, string path)
        {
            var t = Tensor(content, name, path);
            return t.dtype == target.dtype && t.shape.SequenceEqual(target.shape) ? t
                : throw new InvalidDataException($"'{path}': tensor '{name}' is {t.dtype} [{string.Join(", ", t.shape)}], " +
                    $"the optimizer's state is {target.dtype} [{string.Join(", ", target.shape)}].");
        }

        private static Tensor Tensor(SafeTensorsContent content, string name, string path) =>
            content.Tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"'{path}' lacks tensor '{name}'.");

        private static int Int(SafeTensorsContent content, string key, string path) =>
            int.TryParse(content.Require(key, path), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v : throw new InvalidDataException($"'{path}' has a '{key}' that is not a number.");
    }
}
