using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace GanMnist.Models;

/// <summary>
/// Minibatch discrimination (Salimans et al. 2016, section 3.2): lets the discriminator compare each image's
/// features with the rest of the batch, so a generator that collapses to one mode is easy to spot. For features
/// f (N, A) and a learned tensor T (A, B·C): M = f·T viewed as (N, B, C); c_b(i, j) = exp(−‖M_i,b − M_j,b‖₁);
/// o(i)_b = Σ_{j≠i} c_b(i, j); the output is [f, o] (N, A + B). Insert it before the discriminator's last layer
/// (<see cref="GanModels.CreateDiscriminator"/> does with <c>minibatchKernels</c> > 0).
/// </summary>
internal sealed class MinibatchDiscrimination : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with T ~ U(±1/√A).</summary>
    /// <param name="inputFeatures">A, the size of each input feature vector.</param>
    /// <param name="kernels">B, the number of kernels (output features added).</param>
    /// <param name="kernelSize">C, the dimension each kernel compares in.</param>
    public MinibatchDiscrimination(long inputFeatures, long kernels, long kernelSize) : base(nameof(MinibatchDiscrimination))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        (InputFeatures, Kernels, KernelSize) = (inputFeatures, kernels, kernelSize);
        var bound = 1 / Math.Sqrt(inputFeatures);
        using var initial = empty([inputFeatures, kernels * kernelSize]);
        nn.init.uniform_(initial, -bound, bound);
        register_parameter(nameof(weight), weight = new Parameter(initial));
    }

    /// <summary>A, the input feature size.</summary>
    public long InputFeatures { get; }

    /// <summary>B, the number of kernels.</summary>
    public long Kernels { get; }

    /// <summary>C, the kernel dimension.</summary>
    public long KernelSize { get; }

    /// <summary>The tensor T, (A, B·C).</summary>
    public Parameter weight { get; }

    /// <summary>The output feature size, A + B.</summary>
    public long OutputFeatures => InputFeatures + Kernels;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var features = input.flatten(1);
        var m = matmul(features, weight).view(-1, Kernels, KernelSize);           // (N, B, C)
        var distances = (m.unsqueeze(0) - m.unsqueeze(1)).abs().sum([3]);          // (N, N, B): L1 over C
        var closeness = distances.neg().exp().sum([0]) - 1;                       // (N, B): Σ_j, minus j = i (exp 0 = 1)
        return cat([features, closeness], 1).MoveToOuterDisposeScope();
    }
}
