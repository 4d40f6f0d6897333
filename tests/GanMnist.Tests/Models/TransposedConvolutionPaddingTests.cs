using GanMnist.Checkpoints;
using GanMnist.Models;
using TorchSharp.Modules;

namespace GanMnist.Tests.Models;

/// <summary>Keras' "same" padding of the DCGAN's stride-2 transposed convolutions, held to its definition.</summary>
public sealed class TransposedConvolutionPaddingTests
{
    [Fact]
    public void KerasSame_IsTheAdjointOfAConvolutionPaddedOneBeforeAndTwoAfter()
    {
        // TensorFlow computes conv2d_transpose as the gradient of conv2d with "same" padding; for 14 → 7 with a 5x5
        // kernel and stride 2 that pads 3 in all, 1 before and 2 after. So <T x, y> = <x, conv(pad(y))> for all x, y.
        using var scope = NewDisposeScope();
        using var layer = new KerasSameConvTranspose2d(3, 4);
        layer.to(float64);
        using (no_grad())
        {
            layer.Weight.normal_();
        }

        var x = randn(2, 3, 7, 7, float64);
        var y = randn(2, 4, 14, 14, float64);

        var transposed = layer.call(x);
        var adjoint = nn.functional.conv2d(nn.functional.pad(y, [1, 2, 1, 2]), layer.Weight, strides: [2, 2]);

        transposed.shape.Should().Equal(2, 4, 14, 14);
        (transposed * y).sum().item<double>().Should().BeApproximately((x * adjoint).sum().item<double>(), 1e-9);
    }

    [Fact]
    public void KerasSame_IsSymmetricPaddingShiftedByOneRowAndColumn()
    {
        using var scope = NewDisposeScope();
        using var keras = new KerasSameConvTranspose2d(2, 3);
        using var symmetric = nn.ConvTranspose2d(2, 3, 5, stride: 2, padding: 2, output_padding: 1, bias: false);
        using (no_grad())
        {
            keras.Weight.copy_(symmetric.weight!);
        }

        var x = randn(1, 2, 7, 7);
        var k = keras.call(x);
        var s = symmetric.call(x);

        // Keras' row r is the unpadded result's row r + 1, PyTorch's row r its row r + 2.
        k[.., .., 1.., 1..].allclose(s[.., .., ..^1, ..^1], 1e-5, 1e-6).Should().BeTrue();
        k.allclose(s, 1e-3, 1e-3).Should().BeFalse();
    }

    [Fact]
    public void GeneratorFile_RecordsThePadding_AndFilesWithoutItLoadSymmetric()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var keras = GanModels.CreateGenerator(GanArchitecture.Dcgan, padding: TransposedConvolutionPadding.KerasSame);
        using var kerasModule = keras.Module;
        kerasModule.eval();
        var path = Path.Combine(folder.Path, "keras.safetensors");
        GeneratorFile.Save(keras, path, GanArchitecture.Dcgan);

        var loaded = GeneratorFile.Load(path);
        using var loadedModule = loaded.Module;

        SafeTensorsFile.Read(path).Metadata["transposed_conv_padding"].Should().Be("KerasSame");
        loadedModule.modules().OfType<KerasSameConvTranspose2d>().Should().HaveCount(2);
        var noise = randn(4, 100);
        loaded.Generate(noise).allclose(keras.Generate(noise), 1e-6, 1e-6).Should().BeTrue();
        kerasModule.state_dict().Keys.Should().BeEquivalentTo(GanModels.CreateGenerator(GanArchitecture.Dcgan).Module.state_dict().Keys,
            "the padding changes no parameter name: PyTorch and earlier files keep their keys");

        using (var content = SafeTensorsFile.Read(path))
        {
            var metadata = content.Metadata.Where(m => m.Key != "transposed_conv_padding").ToDictionary();
            SafeTensorsFile.Write(Path.Combine(folder.Path, "old.safetensors"), content.Tensors, metadata);
        }

        using var old = GeneratorFile.Load(Path.Combine(folder.Path, "old.safetensors")).Module;
        old.modules().OfType<AutocastConvTranspose2d>().Should().HaveCount(3, "a file written before the option holds PyTorch's padding");
    }
}
