using GanMnist.Models;

namespace GanMnist.Tests.Models;

[Collection(Training.LiveTensorCollection.Name)] // manual_seed: the default generator is process-wide
public sealed class InitializationTests
{
    [Theory]
    [InlineData(GanArchitecture.Dcgan, WeightInitialization.Keras)]
    [InlineData(GanArchitecture.Dcgan, WeightInitialization.Dcgan)]
    [InlineData(GanArchitecture.ConditionalMlp, WeightInitialization.PyTorch)]
    public void CreateModels_WithAGenerator_InitialiseFromItWhateverTheDefaultGenerator(GanArchitecture architecture, WeightInitialization initialization)
    {
        // TorchSharp's nn.init.uniform_/normal_ ignore the generator they are given; the models must not.
        float[][] Weights(long defaultSeed)
        {
            manual_seed(defaultSeed);
            using var g = GanModels.CreateGenerator(architecture, initialization: initialization, generator: new Generator(3)).Module;
            using var d = GanModels.CreateDiscriminator(architecture, initialization: initialization, generator: new Generator(4)).Module;
            return [.. g.parameters().Concat(d.parameters()).Select(p => p.data<float>().ToArray())];
        }

        var first = Weights(1);
        var second = Weights(2);

        second.Should().HaveSameCount(first);
        for (var i = 0; i < first.Length; i++)
        {
            second[i].Should().Equal(first[i], $"parameter {i} comes from the generator given");
        }
    }
}
