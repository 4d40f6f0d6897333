namespace GanMnist.Models;

/// <summary>The built-in architectures.</summary>
public enum GanArchitecture
{
    /// <summary>The TensorFlow DCGAN tutorial's generator and discriminator (seeds 000, 002, 003).</summary>
    Dcgan,

    /// <summary>A fully connected generator 100-128-256-512-784 and discriminator 784-512-256-1 (seed 004).</summary>
    Mlp,

    /// <summary>The DCGAN conditioned on the digit: a 50-value label embedding concatenated to the noise; a projection discriminator.</summary>
    ConditionalDcgan,

    /// <summary>The MLP conditioned on the digit: a 50-value label embedding concatenated to the noise; a projection discriminator.</summary>
    ConditionalMlp,
}

/// <summary>How the built-in models' weights are initialised.</summary>
public enum WeightInitialization
{
    /// <summary>Keras' defaults, as the seeds' code: Glorot-uniform kernels, zero biases, batch-norm γ = 1 and β = 0.</summary>
    Keras,

    /// <summary>PyTorch's defaults: Kaiming-uniform (a = √5) weights and U(±1/√fan_in) biases.</summary>
    PyTorch,

    /// <summary>The DCGAN paper's: weights N(0, 0.02²), batch-norm γ ~ N(1, 0.02²), biases zero.</summary>
    Dcgan,
}

/// <summary>The hidden activation of the MLP models.</summary>
public enum MlpActivation
{
    /// <summary>ReLU, as seed 004.</summary>
    Relu,

    /// <summary>Leaky ReLU with the configured slope.</summary>
    LeakyRelu,
}
