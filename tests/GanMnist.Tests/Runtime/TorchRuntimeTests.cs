using GanMnist.Runtime;
namespace GanMnist.Tests.Runtime;

/// <summary>What a user reads when TorchSharp's native runtime or a device is missing.</summary>
public sealed class TorchRuntimeTests
{
    [Fact]
    public void Explain_NoNativeLibraryInTheApplication_NamesTheRuntimePackageToAdd()
    {
        var message = TorchRuntime.Explain(null, libTorchPresent: false, _ => throw new InvalidOperationException("not called"));

        message.Should().StartWith("TorchSharp's native runtime is not part of this application (libLibTorchSharp.so was not found under ")
            .And.Contain("dotnet add package TorchSharp-cpu").And.Contain("TorchSharp-cuda-linux for NVIDIA GPUs");
        message.Should().NotContain("\n", "it is one line");
        // The managed TorchSharp package carries libLibTorchSharp.so; libtorch comes with the runtime package.
        TorchRuntime.Explain("/app/libLibTorchSharp.so", libTorchPresent: false, _ => "/app/libLibTorchSharp.so: undefined symbol: _ZNK3c105Error4whatEv")
            .Should().Be("TorchSharp's native runtime is not part of this application (no libtorch_cpu.so beside /app/libLibTorchSharp.so): " +
                "add the package TorchSharp-cpu to the application project (dotnet add package TorchSharp-cpu), or TorchSharp-cuda-linux for NVIDIA GPUs.");
    }

    [Fact]
    public void Explain_LibstdcxxTooOld_NamesTheSymbolAndTheDebianFix()
    {
        // What the loader says on Debian 12 (libstdc++ 3.4.30), as seen before .ci/setup installed the newer one.
        const string loader = "/app/runtimes/linux-x64/native/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: " +
            "version `GLIBCXX_3.4.32' not found (required by /app/runtimes/linux-x64/native/libLibTorchSharp.so)";

        var message = TorchRuntime.Explain("/app/runtimes/linux-x64/native/libLibTorchSharp.so", libTorchPresent: true, _ => loader);

        message.Should().StartWith("TorchSharp's native library /app/runtimes/linux-x64/native/libLibTorchSharp.so cannot load: it needs GLIBCXX_3.4.32")
            .And.Contain("sudo apt-get install -t trixie libstdc++6").And.Contain("Loader: " + loader);
    }

    [Fact]
    public void Explain_OtherLoaderError_QuotesIt_AndALibraryThatLoadsPointsAtTheRuntimePackage()
    {
        TorchRuntime.Explain("/app/libLibTorchSharp.so", libTorchPresent: true, _ => "libtorch_cpu.so: cannot open shared object file")
            .Should().Be("TorchSharp's native library /app/libLibTorchSharp.so cannot load: libtorch_cpu.so: cannot open shared object file");
        TorchRuntime.Explain("/app/libLibTorchSharp.so", libTorchPresent: true, _ => null).Should().Contain("(TorchSharp-cpu or TorchSharp-cuda-linux)");
    }

    [Fact]
    public void EnsureLoaded_WithTheCpuRuntimePackage_Loads()
    {
        TorchRuntime.EnsureLoaded();

        zeros(2).sum().ToDouble().Should().Be(0);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CUDA ", "cuda:0")]
    [InlineData("cuda:1", "cuda:1")]
    public void ParseDevice_KnownNames_GiveTheDevice(string name, string expected) =>
        TorchRuntime.ParseDevice(name).ToString().Should().Be(expected);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void ParseDevice_UnknownName_SaysWhatIsAccepted(string name)
    {
        var act = () => TorchRuntime.ParseDevice(name);

        act.Should().Throw<FormatException>().WithMessage($"'{name}' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'.");
    }

    [Fact]
    public void EnsureAvailable_CudaWithoutTheCudaRuntimePackage_NamesThePackageToAdd()
    {
        if (cuda.is_available())
        {
            return; // a machine with a CUDA runtime and a GPU: nothing to refuse
        }

        var act = () => TorchRuntime.EnsureAvailable(new Device(DeviceType.CUDA, 0)); // torch.CUDA itself throws without a CUDA runtime

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "Device 'cuda:0' was requested, but the application has no CUDA runtime: add the package TorchSharp-cuda-linux*");
    }
}
