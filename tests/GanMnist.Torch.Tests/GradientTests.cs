using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Tests;

/// <summary>Every differentiable op's autograd gradient against central finite differences in float64.</summary>
public sealed class GradientTests
{
    private static Tensor X(params long[] shape) => Check.F64(Values(shape, 0), shape);

    private static Tensor Positive(params long[] shape) => Check.F64(Values(shape, 0).Select(v => Math.Abs(v) + 0.5).ToArray(), shape);

    // Deterministic values away from the kinks of relu/abs/max (never 0, never equal).
    private static double[] Values(long[] shape, int salt)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return Enumerable.Range(0, (int)n).Select(i => Math.Sin((1.7 * i) + salt + 0.3) * 1.3).ToArray();
    }

    private static Tensor Weights(double scale, params long[] shape) =>
        Check.F64(Values(shape, 7).Select(v => v * scale).ToArray(), shape);

    public static TheoryData<string> Ops => new()
    {
        "add", "sub", "mul", "div", "pow", "neg", "abs", "sqrt", "exp", "log", "square", "relu", "tanh", "sigmoid",
        "softplus", "log_sigmoid", "leaky_relu", "maximum", "minimum", "clamp", "sum_dims", "mean", "amax", "matmul",
        "linear", "conv2d", "conv_transpose2d", "batch_norm_train", "batch_norm_eval", "softmax", "log_softmax",
        "bce_with_logits", "mse_loss", "cross_entropy", "embedding", "reshape_permute", "cat_stack", "index_select",
        "narrow_flatten", "scalar_ops", "max_pool2d", "topk",
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void Gradient_OfOp_MatchesCentralFiniteDifferences(string op)
    {
        using var scope = NewDisposeScope();
        switch (op)
        {
            case "add": Check.Gradients(a => (a[0] + a[1]).mul(a[0]).sum(), X(2, 3), Weights(1, 2, 3)); break;
            case "sub": Check.Gradients(a => (a[0] - a[1]).square().sum(), X(2, 3), Weights(1, 2, 3)); break;
            case "mul": Check.Gradients(a => (a[0] * a[1]).sum(), X(2, 3), Weights(1, 2, 3)); break;
            case "div": Check.Gradients(a => (a[0] / a[1]).sum(), X(2, 3), Positive(2, 3)); break;
            case "pow": Check.Gradients(a => a[0].pow(a[1]).sum(), Positive(4), Weights(1, 4)); break;
            case "neg": Check.Gradients(a => (-a[0] * a[0]).sum(), X(4)); break;
            case "abs": Check.Gradients(a => a[0].abs().sum(), X(5)); break;
            case "sqrt": Check.Gradients(a => a[0].sqrt().sum(), Positive(5)); break;
            case "exp": Check.Gradients(a => a[0].exp().sum(), X(5)); break;
            case "log": Check.Gradients(a => a[0].log().sum(), Positive(5)); break;
            case "square": Check.Gradients(a => a[0].square().sum(), X(5)); break;
            case "relu": Check.Gradients(a => (a[0].relu() * a[0]).sum(), X(6)); break;
            case "tanh": Check.Gradients(a => a[0].tanh().sum(), X(6)); break;
            case "sigmoid": Check.Gradients(a => a[0].sigmoid().sum(), X(6)); break;
            case "softplus": Check.Gradients(a => a[0].softplus().sum(), X(6)); break;
            case "log_sigmoid": Check.Gradients(a => a[0].log_sigmoid().sum(), X(6)); break;
            case "leaky_relu": Check.Gradients(a => (F.leaky_relu(a[0], 0.2) * a[0]).sum(), X(6)); break;
            case "maximum": Check.Gradients(a => a[0].maximum(a[1]).sum(), X(6), Weights(1, 6)); break;
            case "minimum": Check.Gradients(a => a[0].minimum(a[1]).sum(), X(6), Weights(1, 6)); break;
            case "clamp": Check.Gradients(a => a[0].clamp(-0.5, 0.5).mul(a[0]).sum(), X(8)); break;
            case "sum_dims": Check.Gradients(a => a[0].sum([1]).square().sum(), X(2, 3)); break;
            case "mean": Check.Gradients(a => a[0].mean([0], keepdim: true).square().mean(), X(3, 2)); break;
            case "amax": Check.Gradients(a => a[0].amax([1]).sum(), X(3, 4)); break;
            case "matmul": Check.Gradients(a => matmul(a[0], a[1]).tanh().sum(), X(2, 3), Weights(1, 3, 2)); break;
            case "linear": Check.Gradients(a => F.linear(a[0], a[1], a[2]).tanh().sum(), X(2, 3), Weights(0.5, 4, 3), Weights(1, 4)); break;
            case "conv2d":
                Check.Gradients(a => F.conv2d(a[0], a[1], a[2], stride: 2, padding: 1).tanh().sum(), X(1, 2, 5, 5), Weights(0.3, 3, 2, 3, 3), Weights(1, 3));
                break;
            case "conv_transpose2d":
                Check.Gradients(a => F.conv_transpose2d(a[0], a[1], a[2], stride: 2, padding: 1, output_padding: 1).tanh().sum(),
                    X(1, 2, 3, 3), Weights(0.3, 2, 3, 3, 3), Weights(1, 3));
                break;
            case "batch_norm_train":
                Check.Gradients(a => F.batch_norm(a[0], null, null, a[1], a[2], training: true).mul(Weights(1, 4, 3)).sum(),
                    X(4, 3), Positive(3), Weights(1, 3));
                break;
            case "batch_norm_eval":
                Check.Gradients(a => F.batch_norm(a[0], Weights(1, 3), Positive(3), a[1], a[2], training: false).mul(Weights(1, 4, 3)).sum(),
                    X(4, 3), Positive(3), Weights(1, 3));
                break;
            case "softmax": Check.Gradients(a => F.softmax(a[0], 1).mul(Weights(1, 2, 4)).sum(), X(2, 4)); break;
            case "log_softmax": Check.Gradients(a => F.log_softmax(a[0], 1).mul(Weights(1, 2, 4)).sum(), X(2, 4)); break;
            case "bce_with_logits":
                Check.Gradients(a => F.binary_cross_entropy_with_logits(a[0], a[1]), X(6), Check.F64([0, 1, 0.9, 0.1, 1, 0], 6));
                break;
            case "mse_loss": Check.Gradients(a => F.mse_loss(a[0], a[1]), X(6), Weights(1, 6)); break;
            case "cross_entropy":
                Check.Gradients(a => F.cross_entropy(a[0], tensor(new long[] { 2, 0, 1 }), label_smoothing: 0.1), X(3, 4));
                break;
            case "embedding": Check.Gradients(a => F.embedding(tensor(new long[] { 2, 0, 2 }), a[0]).tanh().sum(), X(3, 2)); break;
            case "reshape_permute": Check.Gradients(a => a[0].reshape(3, 2).permute(1, 0).mul(Weights(1, 2, 3)).sum(), X(2, 3)); break;
            case "cat_stack":
                Check.Gradients(a => cat([a[0], a[1]], 1).mul(Weights(1, 2, 5)).sum() + stack([a[0], a[0]]).square().sum(), X(2, 3), X(2, 2));
                break;
            case "index_select": Check.Gradients(a => a[0].index_select(0, tensor(new long[] { 2, 0, 2 })).tanh().sum(), X(3, 2)); break;
            case "narrow_flatten": Check.Gradients(a => a[0].narrow(1, 1, 2).flatten().mul(Weights(1, 4)).sum(), X(2, 3)); break;
            case "max_pool2d": Check.Gradients(a => F.max_pool2d(a[0], 2).mul(Weights(1, 1, 2, 2, 2)).sum(), X(1, 2, 4, 5)); break;
            case "topk": Check.Gradients(a => a[0].topk(2, dim: 1).values.mul(Weights(1, 3, 2)).sum(), X(3, 5)); break;
            case "scalar_ops": Check.Gradients(a => ((2 - a[0]) * 3 / (a[0] + 4) + (1 / (a[0] + 5))).sum(), X(5)); break;
            default: throw new ArgumentException(op);
        }
    }

    [Fact]
    public void DoubleBackward_GradientPenalty_MatchesFiniteDifferencesOfTheGradientNorm()
    {
        using var scope = NewDisposeScope();
        var w = Weights(0.7, 3, 4);

        // g(x) = Σ (∂f/∂x)², f(x) = Σ tanh(x W): built with create_graph, as WGAN-GP does.
        Tensor Penalty(Tensor x)
        {
            using var enable = enable_grad();
            var input = x.requires_grad ? x : x.detach().requires_grad_();
            var f = matmul(input, w).tanh().sum();
            var grad = autograd.grad([f], [input], create_graph: true)[0]!;
            return grad.square().sum();
        }

        Check.Gradients(a => Penalty(a[0]), X(2, 3));
    }

    [Fact]
    public void AutogradGrad_UnusedInputWithAllowUnused_ReturnsNullEntry()
    {
        using var scope = NewDisposeScope();
        var x = X(2).requires_grad_();
        var unused = X(2).requires_grad_();

        var grads = autograd.grad([x.square().sum()], [x, unused], allow_unused: true);

        Check.Values(grads[0]!, x.ToArray<double>().Select(v => 2 * v).ToArray(), 1e-12);
        grads[1].Should().BeNull();
    }

    [Fact]
    public void Backward_RetainGraph_AccumulatesGradientsOverTwoPasses()
    {
        using var scope = NewDisposeScope();
        var x = Check.F64([1, 2], 2).requires_grad_();
        var y = x.square().sum();

        y.backward(retain_graph: true);
        y.backward();

        Check.Values(x.grad!, [4, 8], 1e-12);
    }

    [Fact]
    public void Detach_AndNoGrad_StopGradientRecording()
    {
        using var scope = NewDisposeScope();
        var x = X(3).requires_grad_();

        x.detach().requires_grad.Should().BeFalse();
        using (no_grad())
        {
            is_grad_enabled().Should().BeFalse();
            (x * 2).requires_grad.Should().BeFalse();
        }

        is_grad_enabled().Should().BeTrue();
        (x * 2).requires_grad.Should().BeTrue();
    }
}
