using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>
/// A 5x5 stride-2 transposed convolution without bias, padded as Keras' <c>Conv2DTranspose(padding="same")</c>
/// (<see cref="TransposedConvolutionPadding.KerasSame"/>): input (N, in, H, W) → output (N, out, 2H, 2W), rows and
/// columns 1..2H of the unpadded transposed convolution. TorchSharp's <c>ConvTranspose2d</c> pads symmetrically only
/// (and is sealed), so this computes <c>conv_transpose2d</c> with padding 1 (rows 1..2H+1) and drops the last row and column.
/// It follows <see cref="Autocast"/>. Its one parameter is <c>weight</c> (in, out, 5, 5), named and shaped as <c>ConvTranspose2d</c>'s, so state dicts keep their keys.
/// </summary>
internal sealed class KerasSameConvTranspose2d : nn.Module<Tensor, Tensor>
{
    internal const int KernelSize = 5;

    private readonly Parameter weight; // registered by name: "weight"

    public KerasSameConvTranspose2d(long inChannels, long outChannels) : base(nameof(KerasSameConvTranspose2d))
    {
        weight = new Parameter(empty(inChannels, outChannels, KernelSize, KernelSize));
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor input)
    {
        var (h, w) = (input.size(2), input.size(3));
        using var padded = Autocast.conv_transpose2d(input, weight, null, stride: 2, padding: 1);
        return padded[.., .., ..(int)(2 * h), ..(int)(2 * w)].contiguous();
    }
}
