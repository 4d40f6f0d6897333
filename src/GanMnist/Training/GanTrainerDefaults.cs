using GanMnist.Models;

namespace GanMnist.Training;

/// <summary>
/// The default of every <see cref="GanTrainerOptions"/> property that has one, in one place (as Polly keeps each strategy's
/// defaults in its constants class): the options start from them and the presets reset to them.
/// </summary>
internal static class GanTrainerDefaults
{
    public const GanArchitecture Architecture = GanArchitecture.Dcgan;

    public const int LatentSize = 100;

    public const int Epochs = 50;

    public const int BatchSize = 256;

    public const double GeneratorLearningRate = 1e-4;

    public const double DiscriminatorLearningRate = 1e-4;

    public const double Beta1 = 0.9;

    public const double Beta2 = 0.999;

    public const double AdamEpsilon = 1e-7;

    public const UpdateSchedule UpdateSchedule = UpdateSchedule.Alternating;

    public const Precision Precision = Precision.Float32;

    public const TransposedConvolutionPadding TransposedConvolutionPadding = TransposedConvolutionPadding.Symmetric;

    public const int DiscriminatorSteps = 1;

    public const double LeakyReluSlope = 0.2;

    public const MlpActivation MlpActivation = MlpActivation.Relu;

    public const WeightInitialization Initialization = WeightInitialization.Keras;

    public const GanLossKind Loss = GanLossKind.NonSaturating;

    public const double GradientPenaltyWeight = 10;

    public const int MinibatchDiscriminationKernelSize = 8;

    public const string Device = "auto";

    public const string OutputDirectory = "ganmnist-run";

    public const int SampleEveryEpochs = 1;

    public const int SampleGridSize = 4;

    public const int LogEverySteps = 50;

    public const int EvaluationSamples = 10_000;

    public const int CheckpointEveryEpochs = 15;

    public const int KeepCheckpoints = 3;

    public const bool MonitorHealth = true;

    public const double DivergenceBound = 1e4;

    public const double DivergenceFactor = 1e3;

    public const int HealthWindowSteps = 500;

    public const bool CheckpointOnCancel = true;
}
