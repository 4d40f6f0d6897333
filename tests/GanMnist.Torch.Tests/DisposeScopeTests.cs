using static GanMnist.Torch.torch.nn;
using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Tests;

[Collection(LiveTensorCollection.Name)]
public sealed class DisposeScopeTests
{
    private static long Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.LiveCount;
    }

    [Fact]
    public void TrainingStep_InsideScope_LeavesLiveTensorCountAtBaseline()
    {
        using var model = Sequential(Conv2d(1, 4, 3, stride: 2, padding: 1), BatchNorm2d(4), LeakyReLU(0.2), Flatten(), Linear(4 * 14 * 14, 1));
        using var adam = optim.Adam(model.parameters(), lr: 1e-3);
        var baseline = Baseline();

        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            var logits = model.call(randn([8, 1, 28, 28]));
            var loss = F.binary_cross_entropy_with_logits(logits, ones([8, 1]));
            loss.backward();
            adam.step();
            _ = model.parameters().First().grad; // reading a gradient makes a handle too
            scope.Count.Should().BeGreaterThan(0, "the step's tensors belong to the scope");
        }

        Tensor.LiveCount.Should().Be(baseline);
    }

    [Fact]
    public void MoveToOuter_KeepsTheTensorAliveAfterTheInnerScope()
    {
        var baseline = Baseline();
        using (var outer = NewDisposeScope())
        {
            Tensor kept;
            using (var inner = NewDisposeScope())
            {
                _ = ones([2]) * 3;
                kept = (ones([2]) * 2).MoveToOuterDisposeScope();
            }

            kept.IsDisposed.Should().BeFalse();
            kept.ToArray<float>().Should().Equal(2, 2);
            outer.Count.Should().Be(1);
        }

        Tensor.LiveCount.Should().Be(baseline);
    }

    [Fact]
    public void DetachFromDisposeScope_CallerOwnsTheTensor()
    {
        var baseline = Baseline();
        Tensor detached;
        using (NewDisposeScope())
        {
            detached = ones([1]).DetachFromDisposeScope();
        }

        detached.IsDisposed.Should().BeFalse();
        detached.Dispose();
        detached.IsDisposed.Should().BeTrue();
        detached.Dispose(); // twice is harmless
        Tensor.LiveCount.Should().Be(baseline);
    }

    [Fact]
    public void Dispose_OuterBeforeInner_Throws()
    {
        var outer = NewDisposeScope();
        var inner = NewDisposeScope();

        var act = () => outer.Dispose();

        act.Should().Throw<InvalidOperationException>().WithMessage("*after every scope opened inside it*");
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void DisposedTensor_Used_ThrowsObjectDisposedException()
    {
        var t = ones([2]);
        t.Dispose();

        var act = () => t.sum();

        act.Should().Throw<ObjectDisposedException>();
        t.ToString().Should().Be("[disposed tensor]");
    }

    [Fact]
    public void ModuleDispose_FreesParametersAndBuffers()
    {
        var baseline = Baseline();
        var model = Sequential(Linear(3, 3), BatchNorm1d(3));
        Tensor.LiveCount.Should().Be(baseline + 4 + 3);

        model.Dispose();

        Tensor.LiveCount.Should().Be(baseline);
    }
}
