using System.ComponentModel.DataAnnotations;
using GanMnist.Models;

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
    /// (<see cref="GanTrainerOptions.DiscriminatorSteps"/> times), then G is trained against the updated D,
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
    /// losses and every file stay float32. Fast where the hardware multiplies bfloat16 matrices (x86 CPUs with AMX, NVIDIA
    /// GPUs from Ampere on); slower than float32 elsewhere: on x86 CPUs with AVX512-BF16 but no AMX (bfloat16 products at
    /// float32's rate, plus the casts) and, far slower, where bfloat16 is emulated. The trainer's log says which applies.
    /// Sample grids, evaluation and exported generators compute in float32.
    /// </summary>
    BFloat16Mixed,
}

/// <summary>
/// Everything a training run is configured by; bindable from configuration (section <c>GanMnist</c>).
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

    /// <summary>The architecture of the built-in models.</summary>
    /// <value>Default: <see cref="GanArchitecture.Dcgan"/>.</value>
    public GanArchitecture Architecture { get; set; } = GanTrainerDefaults.Architecture;

    /// <summary>
    /// The width of the InfoGAN networks (<see cref="GanArchitecture.InfoGan"/>, <see cref="GanArchitecture.ConditionalInfoGan"/>):
    /// the channels of the generator's last hidden layer and the discriminator's first convolution (see
    /// <see cref="GanModels.InfoGanWidth"/>); null for the paper's 64. The other architectures take only null.
    /// </summary>
    /// <value>Default: null.</value>
    [Range(4, 1024)]
    public int? ModelWidth { get; set; }

    /// <summary>The latent noise size.</summary>
    /// <value>Default: 100.</value>
    [Range(1, 4096)]
    public int LatentSize { get; set; } = GanTrainerDefaults.LatentSize;

    /// <summary>Passes over the dataset.</summary>
    /// <value>Default: 50.</value>
    [Range(1, 1_000_000)]
    public int Epochs { get; set; } = GanTrainerDefaults.Epochs;

    /// <summary>Real images per batch.</summary>
    /// <value>Default: 256.</value>
    [Range(1, 65_536)]
    public int BatchSize { get; set; } = GanTrainerDefaults.BatchSize;

    /// <summary>Whether to skip each epoch's last, smaller batch.</summary>
    /// <value>Default: false (the seeds keep it).</value>
    public bool DropLast { get; set; }

    /// <summary>The generator's Adam learning rate.</summary>
    /// <value>Default: 1e-4.</value>
    [Range(1e-9, 1.0)]
    public double GeneratorLearningRate { get; set; } = GanTrainerDefaults.GeneratorLearningRate;

    /// <summary>The discriminator's Adam learning rate.</summary>
    /// <value>Default: 1e-4.</value>
    [Range(1e-9, 1.0)]
    public double DiscriminatorLearningRate { get; set; } = GanTrainerDefaults.DiscriminatorLearningRate;

    /// <summary>Adam's β₁ for both networks.</summary>
    /// <value>Default: 0.9 (Keras' and PyTorch's default).</value>
    [Range(0.0, 0.9999)]
    public double Beta1 { get; set; } = GanTrainerDefaults.Beta1;

    /// <summary>Adam's β₂ for both networks.</summary>
    /// <value>Default: 0.999.</value>
    [Range(0.0, 0.999999)]
    public double Beta2 { get; set; } = GanTrainerDefaults.Beta2;

    /// <summary>Adam's ε for both networks.</summary>
    /// <value>Default: 1e-7 (Keras' default, as the seeds).</value>
    [Range(0.0, 1.0)]
    public double AdamEpsilon { get; set; } = GanTrainerDefaults.AdamEpsilon;

    /// <summary>The order of the two updates of a step.</summary>
    /// <value>Default: <see cref="UpdateSchedule.Alternating"/> (pytorch/examples'); the <c>dcgan</c> preset uses <see cref="UpdateSchedule.Simultaneous"/>, as the seeds.</value>
    public UpdateSchedule UpdateSchedule { get; set; } = GanTrainerDefaults.UpdateSchedule;

    /// <summary>The numeric precision of the training steps (see <see cref="Training.Precision"/>; CLI <c>--precision 32-true|bf16-mixed</c>).</summary>
    /// <value>Default: <see cref="Precision.Float32"/>.</value>
    public Precision Precision { get; set; } = GanTrainerDefaults.Precision;

    /// <summary>
    /// On CUDA, let float32 matrix multiplications use TF32 tensor cores (<c>torch.backends.cuda.matmul.allow_tf32</c>;
    /// cuDNN's convolutions use TF32 by libtorch's default either way). No effect on CPUs.
    /// </summary>
    /// <value>Default: false (libtorch's default).</value>
    public bool AllowTf32 { get; set; }

    /// <summary>How the DCGAN generators' stride-2 transposed convolutions pad (no effect on the MLPs).</summary>
    /// <value>Default: <see cref="Models.TransposedConvolutionPadding.Symmetric"/> (PyTorch's); the <c>dcgan</c> preset uses <see cref="Models.TransposedConvolutionPadding.KerasSame"/>, as the seeds.</value>
    public TransposedConvolutionPadding TransposedConvolutionPadding { get; set; } = GanTrainerDefaults.TransposedConvolutionPadding;

    /// <summary>Discriminator updates per generator update.</summary>
    /// <value>Default: 1.</value>
    [Range(1, 100)]
    public int DiscriminatorSteps { get; set; } = GanTrainerDefaults.DiscriminatorSteps;

    /// <summary>The negative slope of the LeakyReLU activations.</summary>
    /// <value>Default: 0.2 (the DCGAN paper's and pytorch/examples'); seed 000, the TensorFlow tutorial, has Keras' default 0.3, which the <c>dcgan</c> preset sets.</value>
    [Range(0.0, 1.0)]
    public double LeakyReluSlope { get; set; } = GanTrainerDefaults.LeakyReluSlope;

    /// <summary>The hidden activation of the MLP models.</summary>
    /// <value>Default: <see cref="MlpActivation.Relu"/> (seed 004).</value>
    public MlpActivation MlpActivation { get; set; } = GanTrainerDefaults.MlpActivation;

    /// <summary>How the built-in models are initialised.</summary>
    /// <value>Default: <see cref="WeightInitialization.Keras"/> (PyTorch's default collapsed the seed DCGAN in our runs).</value>
    public WeightInitialization Initialization { get; set; } = GanTrainerDefaults.Initialization;

    /// <summary>The objective.</summary>
    /// <value>Default: <see cref="GanLossKind.NonSaturating"/>.</value>
    public GanLossKind Loss { get; set; } = GanTrainerDefaults.Loss;

    /// <summary>One-sided label smoothing: the target for real images (e.g. 0.9); only with cross-entropy losses.</summary>
    /// <value>Default: none.</value>
    public double? LabelSmoothing { get; set; }

    /// <summary>The weight λ of the WGAN-GP gradient penalty.</summary>
    /// <value>Default: 10.</value>
    [Range(0.0, 1000.0)]
    public double GradientPenaltyWeight { get; set; } = GanTrainerDefaults.GradientPenaltyWeight;

    /// <summary>Weight of the feature-matching term ‖E f(x) − E f(G(z))‖² added to the generator's loss (Salimans et al. 2016); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 1e6)]
    public double FeatureMatchingWeight { get; set; }

    /// <summary>Train the generator on feature matching alone (the discriminator keeps <see cref="Loss"/>).</summary>
    /// <value>Default: false.</value>
    public bool FeatureMatchingOnly { get; set; }

    /// <summary>γ of the R1 penalty γ/2 · E‖∇ₓD(x)‖² on real images, added to the discriminator's loss (Mescheder et al. 2018); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 1e6)]
    public double R1Weight { get; set; }

    /// <summary>Kernels of a minibatch-discrimination layer inserted before the discriminator's last layer (Salimans et al. 2016); 0 inserts none.</summary>
    /// <value>Default: 0.</value>
    [Range(0, 4096)]
    public int MinibatchDiscriminationKernels { get; set; }

    /// <summary>The dimension each minibatch-discrimination kernel compares in.</summary>
    /// <value>Default: 8.</value>
    [Range(1, 1024)]
    public int MinibatchDiscriminationKernelSize { get; set; } = GanTrainerDefaults.MinibatchDiscriminationKernelSize;

    /// <summary>Standard deviation of Gaussian instance noise added to every image the discriminator sees (real and generated, pixels in [-1, 1]); 0 adds none.</summary>
    /// <value>Default: 0.</value>
    [Range(0.0, 10.0)]
    public double InstanceNoise { get; set; }

    /// <summary>Anneal the instance noise linearly to zero over this many epochs; 0 keeps it constant.</summary>
    /// <value>Default: 0.</value>
    [Range(0, 1_000_000)]
    public int InstanceNoiseAnnealEpochs { get; set; }

    /// <summary>
    /// Lower both learning rates linearly to zero over the last N epochs, step by step (pix2pix's and CycleGAN's "linear"
    /// policy, Zhu et al. 2017: constant, then linear decay to zero); 0 keeps them constant. At global step s of S (from 0)
    /// the rates are the configured ones times min(1, (S − s) / (D + 1)), D the decay's steps: D/(D + 1) at the decay's
    /// first step down to 1/(D + 1) at the last.
    /// </summary>
    /// <value>Default: 0 (at most <see cref="Epochs"/>; the <see cref="GanPreset.Conv"/> preset: 10).</value>
    [Range(0, 1_000_000)]
    public int LearningRateDecayEpochs { get; set; }

    /// <summary>Decay β of an exponential moving average of the generator's weights, used for samples, evaluation and export; none keeps no average.</summary>
    /// <value>Default: none (typical: 0.999).</value>
    [Range(0.0, 0.999999)]
    public double? EmaDecay { get; set; }

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

    /// <summary>The folder for samples, the loss history and the chart.</summary>
    /// <value>Default: <c>ganmnist-run</c> (relative to the working directory).</value>
    [Required]
    public string OutputDirectory { get; set; } = GanTrainerDefaults.OutputDirectory;

    /// <summary>
    /// A folder for TensorBoard event files (relative paths are inside <see cref="OutputDirectory"/>): step losses, D(x),
    /// D(G(z)) and throughput every <see cref="LogEverySteps"/> steps; epoch means, evaluation metrics and sample grids per
    /// epoch; the options as text. Written with TorchSharp's SummaryWriter; view with <c>tensorboard --logdir DIR</c>.
    /// </summary>
    /// <value>Default: none (no event files).</value>
    public string? TensorBoardDirectory { get; set; }

    /// <summary>Write a sample grid every N epochs (and after the last); 0 writes none.</summary>
    /// <value>Default: 1.</value>
    [Range(0, 1_000_000)]
    public int SampleEveryEpochs { get; set; } = GanTrainerDefaults.SampleEveryEpochs;

    /// <summary>The sample grid is N x N images from fixed noise.</summary>
    /// <value>Default: 4 (16 images, as seed 002).</value>
    [Range(1, 32)]
    public int SampleGridSize { get; set; } = GanTrainerDefaults.SampleGridSize;

    /// <summary>Read the losses back to the host, check them and report progress every N steps.</summary>
    /// <value>Default: 50.</value>
    [Range(1, 1_000_000)]
    public int LogEverySteps { get; set; } = GanTrainerDefaults.LogEverySteps;

    /// <summary>
    /// Evaluate the generator (FID, MNIST score, class histogram, precision/recall; see <see cref="Evaluation.GanEvaluator"/>)
    /// every N epochs and after the last; 0 never. The first use trains and caches the MNIST classifier (about 1.5 minutes).
    /// </summary>
    /// <value>Default: 0.</value>
    [Range(0, 1_000_000)]
    public int EvaluateEveryEpochs { get; set; }

    /// <summary>Images generated per evaluation.</summary>
    /// <value>Default: 10,000.</value>
    [Range(10, 1_000_000)]
    public int EvaluationSamples { get; set; } = GanTrainerDefaults.EvaluationSamples;

    /// <summary>Write a training checkpoint every N epochs (and after the last); 0 writes none.</summary>
    /// <value>Default: 15 (as seed 002).</value>
    [Range(0, 1_000_000)]
    public int CheckpointEveryEpochs { get; set; } = GanTrainerDefaults.CheckpointEveryEpochs;

    /// <summary>How many training checkpoints to keep (the oldest are deleted).</summary>
    /// <value>Default: 3.</value>
    [Range(1, 1000)]
    public int KeepCheckpoints { get; set; } = GanTrainerDefaults.KeepCheckpoints;

    /// <summary>
    /// Whether the trainer watches every step for the silent failures of GAN training (<see cref="Health.HealthIssue"/>:
    /// divergence, a discriminator that wins outright, frozen losses) and reports each one it sees as a warning in the
    /// log, the progress reports, the history, the report and TensorBoard.
    /// </summary>
    /// <value>Default: true.</value>
    public bool MonitorHealth { get; set; } = GanTrainerDefaults.MonitorHealth;

    /// <summary>Whether a health warning stops the run (after a checkpoint, with <see cref="Health.TrainingHealthException"/>) instead of only being reported.</summary>
    /// <value>Default: false.</value>
    public bool StopOnHealthWarning { get; set; }

    /// <summary>A loss whose magnitude exceeds this has diverged (the seeds' cross-entropy losses stay below 10).</summary>
    /// <value>Default: 10,000.</value>
    [Range(1e-3, double.MaxValue)]
    public double DivergenceBound { get; set; } = GanTrainerDefaults.DivergenceBound;

    /// <summary>A loss that grows to this many times the median magnitude of its first 20 steps (at least 0.1) has diverged.</summary>
    /// <value>Default: 1,000 (three orders of magnitude).</value>
    [Range(2, double.MaxValue)]
    public double DivergenceFactor { get; set; } = GanTrainerDefaults.DivergenceFactor;

    /// <summary>How many consecutive steps a discriminator must win outright, or the losses stay unchanged, before it is reported.</summary>
    /// <value>Default: 500 (about two epochs of the seeds' batch 256).</value>
    [Range(1, 100_000_000)]
    public int HealthWindowSteps { get; set; } = GanTrainerDefaults.HealthWindowSteps;

    /// <summary>Whether a cancelled run writes a checkpoint (after its last complete step) before it stops.</summary>
    /// <value>Default: true.</value>
    public bool CheckpointOnCancel { get; set; } = GanTrainerDefaults.CheckpointOnCancel;

    /// <summary>
    /// Continue a run: a checkpoint file, or a run folder (its newest valid checkpoint is used). <see cref="Epochs"/>
    /// is the total, as when the run was started; the checkpoint's seed replaces <see cref="Seed"/>.
    /// </summary>
    /// <value>Default: none (a new run).</value>
    public string? ResumeFrom { get; set; }

    /// <summary>When the newest checkpoint of a run folder is corrupt: fail (true) or fall back to the previous one with a warning (false).</summary>
    /// <value>Default: false.</value>
    public bool FailOnCorruptCheckpoint { get; set; }

    /// <summary>A copy of these options.</summary>
    public GanTrainerOptions Clone() => (GanTrainerOptions)MemberwiseClone();
}
