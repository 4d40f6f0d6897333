using System.ComponentModel.DataAnnotations;
using GanMnist.Models;
using Microsoft.Extensions.Options;

namespace GanMnist.Training;

/// <summary>The built-in objectives, by name (for configuration files).</summary>
public enum GanLossKind
{
    /// <summary>Non-saturating cross-entropy (the seeds' loss).</summary>
    NonSaturating,
    /// <summary>The original minimax objective.</summary>
    Minimax,
    /// <summary>Least squares (LSGAN).</summary>
    LeastSquares,
    /// <summary>Hinge.</summary>
    Hinge,
    /// <summary>Wasserstein with gradient penalty.</summary>
    WassersteinGp,
}

/// <summary>Named starting points for <see cref="GanTrainerOptions"/>; explicit settings override them.</summary>
public enum GanPreset
{
    /// <summary>No preset: the defaults below (the DCGAN seeds' recipe with pytorch/examples' step, padding and slope 0.2).</summary>
    None,
    /// <summary>
    /// The DCGAN seeds' recipe as the TensorFlow tutorial runs it: Keras init, padding and LeakyReLU slope (0.3), the
    /// simultaneous update schedule, non-saturating loss, Adam 1e-4 (β₁ 0.9, β₂ 0.999, ε 1e-7), batch 256, 50 epochs.
    /// </summary>
    Dcgan,
    /// <summary>Seed 004's MLP recipe: ReLU, Adam 1e-4, batch 256, 50 epochs (learns slowly; kept for comparison).</summary>
    Mlp,
    /// <summary>
    /// Clean digits of every class in under 5 minutes on a 2-core CPU: the conditional MLP (<see cref="GanArchitecture.ConditionalMlp"/>,
    /// LeakyReLU), Adam 2e-4/0.5, batch 128, label smoothing 0.9, an EMA of the generator (β 0.999), 18 epochs. Its
    /// generator makes the class asked for (classes in turn when none is). Measured: docs/training.md.
    /// </summary>
    Quick,
    /// <summary>
    /// The best digits in 30 minutes on a 2-core CPU: <see cref="Quick"/>'s recipe (conditional MLP, EMA of the generator
    /// β 0.999) trained for 100 epochs: more varied digits than <see cref="Quick"/>'s. Measured, and the other recipes
    /// tried: docs/training.md.
    /// </summary>
    Best,
    /// <summary>
    /// A convolutional recipe: <see cref="Quick"/>'s (Adam 2e-4/0.5, batch 128, label smoothing 0.9, an EMA of the
    /// generator β 0.999) on the InfoGAN networks conditioned on the digit (<see cref="GanArchitecture.ConditionalInfoGan"/>)
    /// at width 32, for 20 epochs, both learning rates falling linearly to zero over the last 10. Measured: docs/training.md
    /// ("A convolutional preset").
    /// </summary>
    Conv,
}

/// <summary>How the discriminator's and the generator's updates of one training step are ordered.</summary>
public enum UpdateSchedule
{
    /// <summary>
    /// pytorch/examples' DCGAN step: D is updated on real and detached generated images
    /// (<see cref="GanOptimizationOptions.DiscriminatorSteps"/> times), then G is trained against the updated D,
    /// which scores the last D step's generated images again.
    /// </summary>
    Alternating,

    /// <summary>
    /// The TensorFlow DCGAN tutorial's <c>train_step</c> (the seeds): one forward pass of G and D (real and
    /// generated images), both losses and both gradients from it (two gradient tapes), then both updates; G's
    /// gradient is taken through the D that scored the images, before D's update. One D step per G step.
    /// </summary>
    Simultaneous,
}

/// <summary>The numeric precision of training, as Lightning's <c>precision</c> names them.</summary>
public enum Precision
{
    /// <summary>Everything in float32 (Lightning's <c>"32-true"</c>).</summary>
    Float32,

    /// <summary>
    /// Lightning's <c>"bf16-mixed"</c>: the linear, convolution and transposed-convolution layers compute in bfloat16
    /// (forward and backward, through <see cref="Models.Autocast"/>); parameters, optimiser state, batch-norm statistics,
    /// losses and every file stay float32. Fast where the hardware multiplies bfloat16 matrices faster than float32 ones (x86
    /// CPUs with AMX, NVIDIA GPUs from Ampere on, x86 CPUs whose AVX512-BF16 runs at full rate); slower than float32 where
    /// AVX512-BF16 runs no faster than float32 FMAs (the casts cost more than the products save) and, far slower, where
    /// bfloat16 is emulated. The trainer's log says which hardware it found; docs/performance.md has the measured speeds.
    /// Sample grids, evaluation and exported generators compute in float32.
    /// </summary>
    BFloat16Mixed,
}

/// <summary>
/// Everything a training run is configured by, in groups a user thinks in (<see cref="Model"/>, <see cref="Optimization"/>,
/// <see cref="Objective"/>, <see cref="Schedule"/>, <see cref="Output"/>, <see cref="Evaluation"/>, <see cref="Health"/>) around
/// the run's own settings (preset, epochs, precision, seed, device, threads); bindable from configuration (section
/// <c>GanMnist</c>, each group a nested object: <c>"Model": { "LatentSize": 64 }</c>; <c>AddGanMnist(section)</c> also reads
/// the flat keys of earlier versions, <c>"LatentSize": 64</c>, which plain binding skips), set in code as <c>new GanTrainerOptions { Epochs = 5, Model = { LatentSize = 64 } }</c>.
/// Defaults are the DCGAN seeds' recipe with pytorch/examples' alternating step, PyTorch's symmetric padding and slope 0.2
/// (<see cref="GanPreset.Dcgan"/> is the seeds' exactly). Invalid values are all reported at once on validation.
/// </summary>
public sealed class GanTrainerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "GanMnist";

    /// <summary>
    /// The preset these options were made from: set only by applying one (<see cref="GanPresets.Apply"/>, the builder's
    /// <c>UsePreset</c>, the <c>Preset</c> key of configuration, the CLI's <c>--preset</c>), so that it always names the
    /// recipe the other values hold (later changes to them are the user's overrides). Read back from <c>options.json</c>.
    /// </summary>
    /// <value>Default: <see cref="GanPreset.None"/>.</value>
    [System.Text.Json.Serialization.JsonInclude]
    public GanPreset Preset { get; internal set; }

    /// <summary>Passes over the dataset.</summary>
    /// <value>Default: 50.</value>
    [Range(1, 1_000_000)]
    public int Epochs { get; set; } = GanTrainerDefaults.Epochs;

    /// <summary>The numeric precision of the training steps (see <see cref="Training.Precision"/>; CLI <c>--precision 32-true|bf16-mixed</c>).</summary>
    /// <value>Default: <see cref="Precision.Float32"/>.</value>
    public Precision Precision { get; set; } = GanTrainerDefaults.Precision;

    /// <summary>
    /// Under <see cref="Precision.BFloat16Mixed"/>, whether the generator computes in bfloat16 too; false keeps the
    /// generator's forward and backward passes in float32 (through <see cref="Models.Autocast.Disable"/>) and only the
    /// discriminator in bfloat16, for a recipe whose images lose quality to the generator's rounding. No effect in float32.
    /// Presets leave it as it is.
    /// </summary>
    /// <value>Default: true (both networks in bfloat16).</value>
    public bool AutocastGenerator { get; set; } = true;

    /// <summary>
    /// On CUDA, let float32 matrix multiplications use TF32 tensor cores (<c>torch.backends.cuda.matmul.allow_tf32</c>;
    /// cuDNN's convolutions use TF32 by libtorch's default either way). No effect on CPUs.
    /// </summary>
    /// <value>Default: false (libtorch's default).</value>
    public bool AllowTf32 { get; set; }

    /// <summary>The seed of every random choice of the run (initialisation, noise, shuffling, dropout); logged either way.</summary>
    /// <value>Default: none (a random seed is drawn and logged).</value>
    public ulong? Seed { get; set; }

    /// <summary>Where to train: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    /// <value>Default: <c>auto</c>.</value>
    [Required]
    public string Device { get; set; } = GanTrainerDefaults.Device;

    /// <summary>libtorch's intra-op threads for the run (a process-wide setting).</summary>
    /// <value>Default: none, meaning one per processor (<see cref="Environment.ProcessorCount"/>).</value>
    [Range(1, 1024)]
    public int? Threads { get; set; }

    /// <summary>The built-in models: architecture, width, latent size, activations, initialisation, padding and minibatch discrimination.</summary>
    [ValidateObjectMembers]
    public GanModelOptions Model { get; init; } = new();

    /// <summary>The optimisation of both networks: batches, Adam's rates and moments, and the order of the updates of a step.</summary>
    [ValidateObjectMembers]
    public GanOptimizationOptions Optimization { get; init; } = new();

    /// <summary>The loss and its regularisers: the objective, label smoothing, gradient penalties, feature matching and instance noise.</summary>
    [ValidateObjectMembers]
    public GanObjectiveOptions Objective { get; init; } = new();

    /// <summary>What changes over the run's steps: the learning rates' decay and the moving average of the generator's weights.</summary>
    [ValidateObjectMembers]
    public GanScheduleOptions Schedule { get; init; } = new();

    /// <summary>What a run writes and where: the run folder, TensorBoard, sample grids, progress, checkpoints, and resuming from one.</summary>
    [ValidateObjectMembers]
    public GanOutputOptions Output { get; init; } = new();

    /// <summary>When and on how many images the generator is evaluated during training.</summary>
    [ValidateObjectMembers]
    public GanEvaluationOptions Evaluation { get; init; } = new();

    /// <summary>The watch for the silent failures of GAN training, and its thresholds.</summary>
    [ValidateObjectMembers]
    public GanHealthOptions Health { get; init; } = new();

    /// <summary>
    /// The configuration key of every option, in declaration order: the options' own by name (<c>Epochs</c>), a group's under
    /// the group's name (<c>Model:LatentSize</c>), as <c>appsettings.json</c> nests them under <see cref="SectionName"/>.
    /// </summary>
    public static IReadOnlyList<string> Keys { get; } = GanTrainerOptionKeys.All.Select(k => k.Key).ToArray();

    /// <summary>
    /// The configuration key of the option <paramref name="name"/> names: by its key (<c>Model:LatentSize</c>, or
    /// <c>Model.LatentSize</c>) or by its name alone (<c>LatentSize</c>, the flat key of configuration and <c>options.json</c>
    /// before the options were grouped), in any case. Null when no option has that name.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static string? KeyOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return GanTrainerOptionKeys.Find(name)?.Key;
    }

    /// <summary>A copy of these options (the groups copied too).</summary>
    /// <exception cref="InvalidOperationException">A group is null.</exception>
    public GanTrainerOptions Clone() => new()
    {
        Preset = Preset,
        Epochs = Epochs,
        Precision = Precision,
        AutocastGenerator = AutocastGenerator,
        AllowTf32 = AllowTf32,
        Seed = Seed,
        Device = Device,
        Threads = Threads,
        Model = (Model ?? throw NullGroup(nameof(Model))).Clone(),
        Optimization = (Optimization ?? throw NullGroup(nameof(Optimization))).Clone(),
        Objective = (Objective ?? throw NullGroup(nameof(Objective))).Clone(),
        Schedule = (Schedule ?? throw NullGroup(nameof(Schedule))).Clone(),
        Output = (Output ?? throw NullGroup(nameof(Output))).Clone(),
        Evaluation = (Evaluation ?? throw NullGroup(nameof(Evaluation))).Clone(),
        Health = (Health ?? throw NullGroup(nameof(Health))).Clone(),
    };

    private static InvalidOperationException NullGroup(string name) =>
        new($"GanTrainerOptions.{name} is null; leave it out (or set its properties) to keep its defaults.");
}
