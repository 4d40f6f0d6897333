using GanMnist.Models;

namespace GanMnist.Tests.Models;

public sealed class ModelSummaryTests
{
    [Fact]
    public void SeedsDcgan_GivesSeed003sKerasTotals()
    {
        using var scope = NewDisposeScope();
        var g = GanModels.CreateGenerator(GanArchitecture.Dcgan);
        var d = GanModels.CreateDiscriminator(GanArchitecture.Dcgan);
        using var gm = g.Module;
        using var dm = d.Module;

        var generator = ModelSummary.Of(g);
        var discriminator = ModelSummary.Of(d);

        // Seed 003's generator.summary() and discriminator.summary().
        (generator.TotalParameters, generator.TrainableParameters, generator.NonTrainableParameters).Should().Be((2_330_944, 2_305_472, 25_472));
        (discriminator.TotalParameters, discriminator.TrainableParameters, discriminator.NonTrainableParameters).Should().Be((212_865, 212_865, 0));
        generator.Layers[0].Should().Be(new LayerSummary(generator.Layers[0].Name, "Linear", generator.Layers[0].OutputShape, 1_254_400, 0));
        generator.Layers[0].OutputShape.Should().Equal(-1, 12544);
        generator.Layers[1].Type.Should().Be("BatchNorm1d");
        (generator.Layers[1].Parameters, generator.Layers[1].NonTrainable).Should().Be((4 * 12544, 2 * 12544));
        generator.Layers[^1].OutputShape.Should().Equal(-1, 1, 28, 28);
        discriminator.Layers[^1].OutputShape.Should().Equal(-1, 1);
        gm.training.Should().BeTrue("the summary restores the module's mode");
    }

    [Fact]
    public void ToString_IsKerasTable_WithTheTotals()
    {
        using var scope = NewDisposeScope();
        var d = GanModels.CreateDiscriminator(GanArchitecture.Dcgan);
        using var dm = d.Module;

        var text = ModelSummary.Of(d).ToString();

        text.Should().Contain("Layer (type)").And.Contain("Output Shape").And.Contain("Param #");
        text.Should().Contain("(Conv2d)").And.Contain("(None, 64, 14, 14)").And.Contain("1,664"); // 5·5·64 + 64
        text.Should().Contain("Total params: 212,865").And.Contain("Trainable params: 212,865").And.Contain("Non-trainable params: 0");
    }

    [Fact]
    public void AnyModule_WithFrozenParameters_CountsThemAsNonTrainable_AndConditionalModelsGetLabels()
    {
        using var scope = NewDisposeScope();
        using var net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2));
        net.parameters().First().requires_grad = false; // the first layer's weight, 4·3

        var summary = ModelSummary.Of(net, 2, 4);
        var conditional = GanModels.CreateGenerator(GanArchitecture.ConditionalInfoGan, width: 8);
        using var cm = conditional.Module;

        (summary.TotalParameters, summary.NonTrainableParameters).Should().Be(((4 * 3) + 3 + (3 * 2) + 2, 12));
        summary.Layers.Select(l => l.Type).Should().Equal("Linear", "ReLU", "Linear");
        summary.Layers[2].OutputShape.Should().Equal(-1, 2);
        ModelSummary.Of(conditional).Layers[0].Type.Should().Be("Embedding");
    }

    [Fact]
    public void ALayerUsedTwice_IsOneRow_AndEveryModulesModeIsRestored()
    {
        using var scope = NewDisposeScope();
        var shared = nn.Linear(3, 3);
        var norm = nn.BatchNorm1d(3);
        using var net = nn.Sequential(shared, nn.ReLU(), shared, norm);
        norm.eval(); // a submodule deliberately in evaluation mode inside a training model

        var summary = ModelSummary.Of(net, 2, 3);

        summary.Layers.Count(l => l.Type == "Linear").Should().Be(1);
        summary.TotalParameters.Should().Be((3 * 3) + 3 + (4 * 3));
        (net.training, norm.training).Should().Be((true, false));
    }

    [Fact]
    public void AnInputTheModuleRefuses_IsAnArgumentExceptionNamingTheModel()
    {
        using var scope = NewDisposeScope();
        using var net = nn.Sequential(nn.Linear(4, 3));

        var act = () => ModelSummary.Of(net, 2, 5);

        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("The model Sequential refused the summary's input: ");
    }
}
