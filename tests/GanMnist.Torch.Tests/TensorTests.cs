namespace GanMnist.Torch.Tests;

public sealed class TensorTests
{
    [Fact]
    public void Tensor_FromFloatArray_RoundTripsShapeTypeAndData()
    {
        using var t = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

        t.shape.Should().Equal(2, 3);
        t.dtype.Should().Be(ScalarType.Float32);
        t.device.Should().Be(CPU);
        t.ToArray<float>().Should().Equal(1, 2, 3, 4, 5, 6);
        t.ToString().Should().Be("[2x3], type = Float32, device = cpu");
    }

    [Fact]
    public void Tensor_EachSupportedElementType_RoundTrips()
    {
        using var d = tensor(new[] { 0.1, -2.5 });
        using var b = tensor(new byte[] { 0, 255 });
        using var l = tensor(new long[] { long.MinValue, 7 });

        d.ToArray<double>().Should().Equal(0.1, -2.5);
        b.dtype.Should().Be(ScalarType.Byte);
        b.ToArray<byte>().Should().Equal(0, 255);
        l.ToArray<long>().Should().Equal(long.MinValue, 7);
    }

    [Fact]
    public void CopyTo_SpanOfRightLength_FillsItWithoutIntermediateArrays()
    {
        using var t = arange6().reshape(3, 2);
        Span<float> buffer = stackalloc float[6];

        t.CopyTo(buffer);

        buffer.ToArray().Should().Equal(0, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void CopyTo_WrongElementType_ThrowsNamingBothTypes()
    {
        using var t = arange6();

        var act = () => t.ToArray<double>();

        act.Should().Throw<ArgumentException>().WithMessage("The tensor holds Float32 elements, not Float64 (Double).*");
    }

    [Fact]
    public void Tensor_ShapeNotMatchingData_ThrowsWithBothCounts()
    {
        var act = () => tensor(new float[] { 1, 2, 3 }, 2, 2);

        act.Should().Throw<ArgumentException>().WithMessage("The data has 3 elements but shape [2, 2] holds 4.*");
    }

    [Fact]
    public void To_ConvertsTypes_ByteToFloatAndBack()
    {
        using var b = tensor(new byte[] { 0, 128, 255 });
        using var f = b.to(float32);
        using var back = (f * 1.0).to(uint8);

        f.ToArray<float>().Should().Equal(0, 128, 255);
        back.ToArray<byte>().Should().Equal(0, 128, 255);
    }

    [Fact]
    public void Arithmetic_TensorsAndScalars_MatchHandComputedValues()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 4 });
        var b = tensor(new float[] { 2, 2, 2 });

        Check.Values(a + b, [3, 4, 6]);
        Check.Values(a - b, [-1, 0, 2]);
        Check.Values(a * b, [2, 4, 8]);
        Check.Values(a / b, [0.5, 1, 2]);
        Check.Values(a + 1, [2, 3, 5]);
        Check.Values(10 - a, [9, 8, 6]);
        Check.Values(8 / a, [8, 4, 2]);
        Check.Values(2 * a, [2, 4, 8]);
        Check.Values(-a, [-1, -2, -4]);
        Check.Values(a.pow(2), [1, 4, 16]);
        Check.Values(a.sqrt(), [1, Math.Sqrt(2), 2]);
        Check.Values(a.log(), [0, Math.Log(2), Math.Log(4)]);
        Check.Values(a.exp(), [Math.E, Math.Exp(2), Math.Exp(4)], 1e-6);
        Check.Values((a - 2).abs(), [1, 0, 2]);
        Check.Values((a - 2).clamp(min: 0), [0, 0, 2]);
        Check.Values(a.clamp(max: 2), [1, 2, 2]);
        Check.Values(a.maximum(b), [2, 2, 4]);
        Check.Values(a.gt(b).to(float32), [0, 0, 1]);
    }

    [Fact]
    public void Activations_MatchClosedForms()
    {
        using var scope = NewDisposeScope();
        double[] xs = [-2, -0.5, 0, 1.5];
        var x = tensor(xs);

        Check.Values(x.relu(), [0, 0, 0, 1.5]);
        Check.Values(x.tanh(), xs.Select(Math.Tanh).ToArray());
        Check.Values(x.sigmoid(), xs.Select(v => 1 / (1 + Math.Exp(-v))).ToArray());
        Check.Values(x.softplus(), xs.Select(v => Math.Log(1 + Math.Exp(v))).ToArray());
        Check.Values(x.log_sigmoid(), xs.Select(v => -Math.Log(1 + Math.Exp(-v))).ToArray());
        Check.Values(nn.functional.leaky_relu(x, 0.2), [-0.4, -0.1, 0, 1.5]);
    }

    [Fact]
    public void Reductions_OverAllAndOverDimensions_MatchHandComputedValues()
    {
        using var scope = NewDisposeScope();
        var t = arange6().reshape(2, 3); // [[0,1,2],[3,4,5]]

        t.sum().item<float>().Should().Be(15);
        t.mean().item<float>().Should().Be(2.5f);
        Check.Values(t.sum([0]), [3, 5, 7]);
        Check.Values(t.mean([1]), [1, 4]);
        t.mean([1], keepdim: true).shape.Should().Equal(2, 1);
        Check.Values(t.amax([1]), [2, 5]);
        Check.Values(t.amin(), [0]);
        t.argmax().item<long>().Should().Be(5);
        t.argmax(0).ToArray<long>().Should().Equal(1, 1, 1);
    }

    [Fact]
    public void Views_ReshapePermuteFlattenNarrow_ReorderAsPyTorch()
    {
        using var scope = NewDisposeScope();
        var t = arange6().reshape(2, 3);

        t.permute(1, 0).contiguous().ToArray<float>().Should().Equal(0, 3, 1, 4, 2, 5);
        t.transpose(0, 1).shape.Should().Equal(3, 2);
        t.view(3, -1).shape.Should().Equal(3, 2);
        t.unsqueeze(0).shape.Should().Equal(1, 2, 3);
        t.unsqueeze(0).squeeze(0).shape.Should().Equal(2, 3);
        t.reshape(1, 2, 3).flatten(1).shape.Should().Equal(1, 6);
        t.narrow(1, 1, 2).contiguous().ToArray<float>().Should().Equal(1, 2, 4, 5);
    }

    [Fact]
    public void CatStackIndexSelect_CombineAndGatherRows()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2 }, 1, 2);
        var b = tensor(new float[] { 3, 4 }, 1, 2);

        cat([a, b], 0).ToArray<float>().Should().Equal(1, 2, 3, 4);
        cat([a, b], 1).shape.Should().Equal(1, 4);
        stack([a, b], 0).shape.Should().Equal(2, 1, 2);
        var rows = arange6().reshape(3, 2).index_select(0, tensor(new long[] { 2, 0 }));
        rows.ToArray<float>().Should().Equal(4, 5, 0, 1);
    }

    [Fact]
    public void Matmul_TwoByThreeTimesThreeByTwo_MatchesHandProduct()
    {
        using var scope = NewDisposeScope();
        var a = arange6().reshape(2, 3);
        var b = arange6().reshape(3, 2);

        // [[0,1,2],[3,4,5]] x [[0,1],[2,3],[4,5]] = [[10,13],[28,40]]
        matmul(a, b).ToArray<float>().Should().Equal(10, 13, 28, 40);
    }

    [Fact]
    public void InPlaceOps_ChangeTheTensorItself()
    {
        using var t = zeros([3]);

        t.add_(2).mul_(3);
        t.ToArray<float>().Should().Equal(6, 6, 6);
        t.sub_(1).div_(2).ToArray<float>().Should().Equal(2.5f, 2.5f, 2.5f);
        t.fill_(1.5).ToArray<float>().Should().Equal(1.5f, 1.5f, 1.5f);
        t.zero_().sum().item<float>().Should().Be(0);
    }

    [Fact]
    public void Factories_ProduceRequestedShapeTypeAndValues()
    {
        using var scope = NewDisposeScope();

        zeros([2, 2]).ToArray<float>().Should().AllBeEquivalentTo(0f);
        ones([3], float64).ToArray<double>().Should().AllBeEquivalentTo(1.0);
        full([2], 7).ToArray<float>().Should().Equal(7, 7);
        empty([4, 5]).shape.Should().Equal(4, 5);
        tensor(3.5).dim().Should().Be(0);
        tensor(3.5).item<double>().Should().Be(3.5);
    }

    [Fact]
    public void InPlaceScalar_OnIntegerTensor_KeepsTheIntegerType()
    {
        using var counter = zeros([], ScalarType.Int64);

        counter.add_(1).add_(1).mul_(5);

        counter.dtype.Should().Be(ScalarType.Int64);
        counter.item<long>().Should().Be(10);
    }

    private static Tensor arange6() => tensor(new float[] { 0, 1, 2, 3, 4, 5 });
}
