using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanMnist.Models;

/// <summary>
/// Mixed precision for TorchSharp, which has no <c>torch.autocast</c>: inside <see cref="Enable"/>, the linear,
/// convolution and transposed-convolution layers made here (and the functions <see cref="linear"/>,
/// <see cref="conv2d"/>, <see cref="conv_transpose2d"/>) cast their float32 input, weight and bias to the scope's
/// dtype (bfloat16), compute there, and return float32, so that every other layer (batch norm, activations), the
/// losses, the parameters and the optimiser state stay float32. Autograd runs back through the casts: the backward
/// pass of those layers also computes in bfloat16, and the gradients reach the float32 parameters as float32 (the
/// "master weights"). This is PyTorch's CPU autocast for these three ops (bfloat16 op list of
/// <c>torch.amp.autocast_mode</c>; Micikevicius et al. 2018, "Mixed Precision Training"), except that outputs are cast
/// back to float32 at once. Outside a scope the layers compute exactly as TorchSharp's own.
/// </summary>
/// <remarks>
/// The built-in architectures are made of these layers. A user module computes in bfloat16 where it builds its
/// layers with <see cref="Linear"/>, <see cref="Conv2d"/> and <see cref="ConvTranspose2d"/> (drop-ins for TorchSharp's
/// <c>nn.Linear</c>, <c>nn.Conv2d</c>, <c>nn.ConvTranspose2d</c>, with the same parameter names, shapes and
/// initialisation) or calls the functions here; TorchSharp's own layers stay float32 inside a scope.
/// The scope flows with the async context (an <see cref="AsyncLocal{T}"/>), so it covers the code it encloses and
/// nothing running concurrently elsewhere.
/// </remarks>
public static class Autocast
{
    private static readonly AsyncLocal<ScalarType?> Current = new();

    /// <summary>The dtype the autocast-aware layers compute in now; null outside any scope or inside <see cref="Disable"/> (as built, float32).</summary>
    public static ScalarType? ComputeDType => Current.Value;

    /// <summary>Makes the autocast-aware layers compute in <paramref name="dtype"/> until the returned scope is disposed.</summary>
    /// <param name="dtype">The compute dtype: <see cref="ScalarType.BFloat16"/> (or <see cref="ScalarType.Float16"/> on CUDA).</param>
    /// <returns>A scope that restores the previous state (scopes nest).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a 16-bit floating type.</exception>
    public static IDisposable Enable(ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Autocast computes in BFloat16 or Float16.");
        }

        var scope = new Scope(Current.Value);
        Current.Value = dtype;
        return scope;
    }

    /// <summary>
    /// Makes the autocast-aware layers compute as TorchSharp's own (no casts: in their parameters' dtype, float32) until the
    /// returned scope is disposed, inside an <see cref="Enable"/> scope too: PyTorch's <c>torch.autocast(device_type, enabled=False)</c>, for a module
    /// (or part of one) that should stay float32 under mixed precision. The backward pass of what runs inside follows it.
    /// </summary>
    /// <returns>A scope that restores the previous state (scopes nest).</returns>
    public static IDisposable Disable()
    {
        var scope = new Scope(Current.Value);
        Current.Value = null;
        return scope;
    }

    /// <summary>
    /// <c>y = x Wᵀ + b</c> (<c>torch.nn.functional.linear</c>), in the scope's dtype inside <see cref="Enable"/>.
    /// </summary>
    /// <param name="input">(*, in_features), float32.</param>
    /// <param name="weight">(out_features, in_features).</param>
    /// <param name="bias">(out_features), or null.</param>
    /// <returns>(*, out_features), in the input's dtype.</returns>
    public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Compute(input, weight, bias, (x, w, b) => nn.functional.linear(x, w, b));

    /// <summary>A 2-D convolution (<c>torch.nn.functional.conv2d</c>), in the scope's dtype inside <see cref="Enable"/>.</summary>
    /// <param name="input">(N, C_in, H, W), float32.</param>
    /// <param name="weight">(C_out, C_in, kH, kW).</param>
    /// <param name="bias">(C_out), or null.</param>
    /// <param name="stride">The stride, both dimensions.</param>
    /// <param name="padding">Zero padding on each side, both dimensions.</param>
    /// <returns>(N, C_out, H_out, W_out), in the input's dtype.</returns>
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0) =>
        Compute(input, weight, bias, (x, w, b) => nn.functional.conv2d(x, w, b, [stride, stride], [padding, padding]));

    /// <summary>A 2-D transposed convolution (<c>torch.nn.functional.conv_transpose2d</c>), in the scope's dtype inside <see cref="Enable"/>.</summary>
    /// <param name="input">(N, C_in, H, W), float32.</param>
    /// <param name="weight">(C_in, C_out, kH, kW).</param>
    /// <param name="bias">(C_out), or null.</param>
    /// <param name="stride">The stride, both dimensions.</param>
    /// <param name="padding">Rows and columns removed from each side of the full output.</param>
    /// <param name="outputPadding">Rows and columns added to one side of the output.</param>
    /// <returns>(N, C_out, H_out, W_out), in the input's dtype.</returns>
    public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long outputPadding = 0) =>
        Compute(input, weight, bias, (x, w, b) => nn.functional.conv_transpose2d(x, w, b, [stride, stride], [padding, padding], [outputPadding, outputPadding]));

    /// <summary>A drop-in for <c>nn.Linear</c> (parameters <c>weight</c> (out, in) and <c>bias</c> (out), initialised as TorchSharp's) that follows <see cref="Enable"/>.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="hasBias">Whether it has a bias.</param>
    public static nn.Module<Tensor, Tensor> Linear(long inFeatures, long outFeatures, bool hasBias = true) =>
        new AutocastLinear(inFeatures, outFeatures, hasBias);

    /// <summary>A drop-in for <c>nn.Conv2d</c> with zero padding (parameters <c>weight</c> and <c>bias</c>, initialised as TorchSharp's) that follows <see cref="Enable"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">The square kernel's size.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="bias">Whether it has a bias.</param>
    public static nn.Module<Tensor, Tensor> Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true) =>
        new AutocastConv2d(inChannels, outChannels, kernelSize, stride, padding, bias);

    /// <summary>A drop-in for <c>nn.ConvTranspose2d</c> (parameters <c>weight</c> (in, out, k, k) and <c>bias</c>, initialised as TorchSharp's) that follows <see cref="Enable"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">The square kernel's size.</param>
    /// <param name="stride">The stride.</param>
    /// <param name="padding">Rows and columns removed from each side of the full output.</param>
    /// <param name="outputPadding">Rows and columns added to one side of the output.</param>
    /// <param name="bias">Whether it has a bias.</param>
    public static nn.Module<Tensor, Tensor> ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, bool bias = true) =>
        new AutocastConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, bias);

    /// <summary>The layers of <paramref name="module"/> that autocast would compute in float32: TorchSharp's own linear and convolution layers.</summary>
    internal static IReadOnlyList<string> Float32Layers(nn.Module module) =>
        [.. module.named_modules().Where(m => m.module is TorchSharp.Modules.Linear or TorchSharp.Modules.Conv1d or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Conv3d or TorchSharp.Modules.ConvTranspose1d
            or TorchSharp.Modules.ConvTranspose2d or TorchSharp.Modules.ConvTranspose3d).Select(m => $"{m.name} ({m.module.GetType().Name})")];

    private static Tensor Compute(Tensor input, Tensor weight, Tensor? bias, Func<Tensor, Tensor, Tensor?, Tensor> op)
    {
        if (Current.Value is not { } dtype || !input.is_floating_point())
        {
            return op(input, weight, bias);
        }

        // An input already in the compute dtype is used as it is; the result comes back in the input's dtype.
        using var cast = input.dtype == dtype ? input.alias() : input.to(dtype);
        // 4-D inputs (images and feature maps) go in channels-last (NHWC in memory, viewed as NCHW), the layout oneDNN's
        // bfloat16 kernels compute in; the result keeps it through the cast back, so batch norm, activations and later
        // layers skip the reorder.
        using var x = cast.dim() == 4 && cast.stride(1) != 1 ? cast.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : cast.alias();
        using var w = weight.to(dtype);
        using var b = bias?.to(dtype);
        using var y = op(x, w, b);
        return y.to(input.dtype);
    }

    private sealed class Scope(ScalarType? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Current.Value = previous;
            }
        }
    }
}

/// <summary>The layers <see cref="Autocast"/> makes; <see cref="GanModels.Initialize"/> initialises them as TorchSharp's.</summary>
internal abstract class AutocastLayer(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>Copies a freshly built TorchSharp layer's parameter (so that initialisation and the global random stream are TorchSharp's).</summary>
    protected static Parameter Take(Tensor? initial) => new(initial!.detach().clone());

    protected static Parameter? TakeOptional(Tensor? initial) => initial is null ? null : Take(initial);

    /// <summary>Registers <c>weight</c> then <c>bias</c>, TorchSharp's order (initialisation draws in it).</summary>
    protected void Register(Parameter weight, Parameter? bias)
    {
        register_parameter("weight", weight);
        if (bias is not null)
        {
            register_parameter("bias", bias);
        }
    }
}

internal sealed class AutocastLinear : AutocastLayer
{
    // Registered by their field names ("weight", "bias"), so that Module.to can replace them and state dicts keep TorchSharp's keys.
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public AutocastLinear(long inFeatures, long outFeatures, bool hasBias) : base(nameof(AutocastLinear))
    {
        using var initial = nn.Linear(inFeatures, outFeatures, hasBias);
        weight = Take(initial.weight);
        bias = TakeOptional(initial.bias);
        Register(weight, bias);
    }

    public override Tensor forward(Tensor input) => Autocast.linear(input, weight, bias);
}

internal sealed class AutocastConv2d : AutocastLayer
{
    private readonly long _stride;
    private readonly long _padding;
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public AutocastConv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool hasBias) : base(nameof(AutocastConv2d))
    {
        (_stride, _padding) = (stride, padding);
        using var initial = nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding, bias: hasBias);
        weight = Take(initial.weight);
        bias = TakeOptional(initial.bias);
        Register(weight, bias);
    }

    public override Tensor forward(Tensor input) => Autocast.conv2d(input, weight, bias, _stride, _padding);
}

internal sealed class AutocastConvTranspose2d : AutocastLayer
{
    private readonly long _stride;
    private readonly long _padding;
    private readonly long _outputPadding;
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public AutocastConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long outputPadding, bool hasBias)
        : base(nameof(AutocastConvTranspose2d))
    {
        (_stride, _padding, _outputPadding) = (stride, padding, outputPadding);
        using var initial = nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, bias: hasBias);
        weight = Take(initial.weight);
        bias = TakeOptional(initial.bias);
        Register(weight, bias);
    }

    public override Tensor forward(Tensor input) => Autocast.conv_transpose2d(input, weight, bias, _stride, _padding, _outputPadding);
}
