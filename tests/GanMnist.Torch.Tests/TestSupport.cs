namespace GanMnist.Torch.Tests;

/// <summary>Shared assertions: tensors against expected values, and gradients against finite differences.</summary>
internal static class Check
{
    public static void Values(Tensor actual, double[] expected, double tolerance = 1e-5)
    {
        using var d = actual.to(float64);
        d.ToArray<double>().Should().Equal(expected, (a, e) => Math.Abs(a - e) <= tolerance * (1 + Math.Abs(e)));
    }

    public static Tensor F64(double[] data, params long[] shape) => tensor(data, shape);

    /// <summary>
    /// Compares the autograd gradient of scalar f at each input with central finite differences in float64
    /// (step 1e-6), element by element.
    /// </summary>
    public static void Gradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        using var scope = NewDisposeScope();
        foreach (var x in inputs)
        {
            x.dtype.Should().Be(ScalarType.Float64, "finite differences need float64");
            x.requires_grad_();
        }

        var output = f(inputs);
        output.numel().Should().Be(1, "the checked function must return a scalar");
        output.backward();
        const double h = 1e-6;
        for (var k = 0; k < inputs.Length; k++)
        {
            var analytic = inputs[k].grad!.ToArray<double>();
            var data = inputs[k].ToArray<double>();
            var shape = inputs[k].shape;
            for (var i = 0; i < data.Length; i++)
            {
                var numeric = (Evaluate(f, inputs, k, Perturbed(data, i, h), shape) - Evaluate(f, inputs, k, Perturbed(data, i, -h), shape)) / (2 * h);
                analytic[i].Should().BeApproximately(numeric, 1e-6 + (1e-5 * Math.Abs(numeric)), $"d f / d input{k}[{i}]");
            }
        }
    }

    private static double[] Perturbed(double[] data, int i, double delta)
    {
        var copy = (double[])data.Clone();
        copy[i] += delta;
        return copy;
    }

    private static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] inputs, int k, double[] replacement, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var args = (Tensor[])inputs.Clone();
        args[k] = tensor(replacement, shape);
        return f(args).item<double>();
    }
}

/// <summary>A fact that runs only where the loaded libtorch sees a CUDA device.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available())
        {
            Skip = $"No CUDA device (libtorch {__version__}, CUDA runtime {cuda.runtime_version()}).";
        }
    }
}

/// <summary>Tests that read the process-wide live-tensor count run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCollection
{
    public const string Name = "Live tensor count";
}
