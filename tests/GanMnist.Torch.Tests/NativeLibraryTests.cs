using GanMnist.Torch.PInvoke;

namespace GanMnist.Torch.Tests;

public sealed class NativeLibraryTests
{
    [Fact]
    public void Load_OverridePointingNowhere_ListsThePathTriedAndWhatToInstall()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), $"ganmnist-missing-{Guid.NewGuid():N}", "libGanMnistTorchNative.so");

        var act = () => NativeLibraryResolver.Load(nowhere, ["/should/not/be/tried/libGanMnistTorchNative.so"]);

        var message = act.Should().Throw<TorchNativeLibraryException>().Which.Message;
        message.Should().Contain($"GANMNIST_TORCH_NATIVE is set to '{nowhere}', so only that location was tried.");
        message.Should().Contain($"{nowhere}: not found");
        message.Should().NotContain("/should/not/be/tried");
        message.Should().Contain("apt-get install libtorch-dev").And.Contain("-p:LibTorchDir");
    }

    [Fact]
    public void Load_NoCandidateLoads_ListsEveryCandidateWithItsReason()
    {
        var folder = Directory.CreateTempSubdirectory("ganmnist-native-");
        try
        {
            var notALibrary = Path.Combine(folder.FullName, "libGanMnistTorchNative.so");
            File.WriteAllText(notALibrary, "not an ELF file");
            var absent = Path.Combine(folder.FullName, "absent", "libGanMnistTorchNative.so");

            var act = () => NativeLibraryResolver.Load(null, [absent, notALibrary]);

            var message = act.Should().Throw<TorchNativeLibraryException>().Which.Message;
            message.Should().Contain($"{absent}: not found");
            message.Should().Contain($"{notALibrary}: ");
            message.Should().NotContain("GANMNIST_TORCH_NATIVE is set");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_OverrideIsAFolderHoldingTheShim_LoadsIt()
    {
        var folder = Path.GetDirectoryName(typeof(torch).Assembly.Location)!;

        NativeLibraryResolver.Load(folder, []).Should().NotBe(IntPtr.Zero);
    }
}
