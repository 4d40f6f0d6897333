using GanMnist.Torch.PInvoke;
using F = GanMnist.Torch.torch.nn.functional;

namespace GanMnist.Torch.Tests;

public sealed class ErrorTests
{
    [Fact]
    public void Matmul_MismatchedShapes_ThrowsTorchExceptionWithLibtorchsMessage_AndNextCallWorks()
    {
        using var scope = NewDisposeScope();
        var a = ones([2, 3]);
        var b = ones([4, 5]);

        var act = () => matmul(a, b);

        act.Should().Throw<TorchException>().WithMessage("*mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)*");
        matmul(a, ones([3, 5])).shape.Should().Equal(2, 5);
    }

    [Fact]
    public void IndexSelect_FloatIndex_ThrowsTorchExceptionAboutTheDtype()
    {
        using var scope = NewDisposeScope();

        var act = () => ones([3, 2]).index_select(0, ones([2]));

        act.Should().Throw<TorchException>().WithMessage("*index_select(): Expected dtype int32 or int64 for index*");
        ones([3, 2]).index_select(0, tensor(new long[] { 1 })).shape.Should().Equal(1, 2);
    }

    [Fact]
    public void Conv2d_WrongChannelCount_ThrowsTorchException()
    {
        using var scope = NewDisposeScope();

        var act = () => F.conv2d(ones([1, 3, 8, 8]), ones([4, 2, 3, 3]));

        act.Should().Throw<TorchException>().WithMessage("*expected input*to have 2 channels*");
    }

    [Fact]
    public void ErrorsOnManyThreads_StayOnTheirOwnThread()
    {
        Parallel.For(0, 8, i =>
        {
            using var scope = NewDisposeScope();
            var act = () => matmul(ones([i + 1, 2]), ones([3, 1]));
            act.Should().Throw<TorchException>().WithMessage($"*({i + 1}x2 and 3x1)*");
            matmul(ones([1, 2]), ones([2, 1])).item<float>().Should().Be(2);
        });
    }

    [Fact]
    public void Cuda_OnCpuOnlyLibtorch_ThrowsNamingTheBuildAndTheFix()
    {
        if (cuda.runtime_version() >= 0)
        {
            return; // a CUDA build: covered by GpuTests
        }

        var act = () => zeros([2], device: device("cuda:0"));

        act.Should().Throw<TorchException>()
            .WithMessage($"Device 'cuda:0' was requested, but the loaded libtorch {__version__} is a CPU-only build.*-p:LibTorchDir*");
    }

    [Fact]
    public void DeviceParse_Nonsense_ThrowsFormatException()
    {
        var act = () => device("tpu");

        act.Should().Throw<FormatException>().WithMessage("'tpu' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'.");
    }

    [Fact]
    public void NativeErrors_NoPendingMessage_StillThrowsWithAFallbackMessage()
    {
        NativeMethods.gmt_clear_error();

        NativeErrors.Take().Message.Should().Be("libtorch reported a failure without a message");
    }
}
