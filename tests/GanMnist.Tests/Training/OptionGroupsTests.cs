using System.Text.Json;
using GanMnist.DependencyInjection;
using GanMnist.Models;
using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GanMnist.Tests.Training;

/// <summary>The options' groups: configuration keys, binding both ways, validation inside groups, JSON, copies.</summary>
public sealed class OptionGroupsTests
{
    private static GanTrainerOptions Bound(Dictionary<string, string?> keys)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration.GetSection(GanTrainerOptions.SectionName)).Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;
    }

    [Fact]
    public void Keys_NameEveryOptionOnce_AndKeyOfFindsThemByKeyOrName()
    {
        GanTrainerOptions.Keys.Should().OnlyHaveUniqueItems().And.HaveCount(53)
            .And.StartWith(["Preset", "Epochs", "Precision", "AutocastGenerator", "AllowTf32", "Seed", "Device", "Threads", "Model:Architecture"])
            .And.EndWith("Health:HealthWindowSteps");
        GanTrainerOptions.Keys.Select(k => k.Split(':')[^1]).Should().OnlyHaveUniqueItems("a name alone finds its option");

        GanTrainerOptions.KeyOf("LatentSize").Should().Be("Model:LatentSize");
        GanTrainerOptions.KeyOf("model.latentsize").Should().Be("Model:LatentSize");
        GanTrainerOptions.KeyOf("Optimization:BatchSize").Should().Be("Optimization:BatchSize");
        GanTrainerOptions.KeyOf("Epochs").Should().Be("Epochs");
        GanTrainerOptions.KeyOf("Model:BatchSize").Should().BeNull("BatchSize is not in the Model group");
        GanTrainerOptions.KeyOf("Bogus").Should().BeNull();
    }

    [Fact]
    public void AddGanMnist_GroupedKeys_BindIntoTheirGroups_AfterThePreset()
    {
        var o = Bound(new()
        {
            ["GanMnist:Preset"] = "Quick",
            ["GanMnist:Epochs"] = "3",
            ["GanMnist:Model:LatentSize"] = "64",
            ["GanMnist:Optimization:BatchSize"] = "32",
            ["GanMnist:Objective:R1Weight"] = "1.5",
            ["GanMnist:Schedule:LearningRateDecayEpochs"] = "2",
            ["GanMnist:Output:SampleGridSize"] = "3",
            ["GanMnist:Evaluation:EvaluateEveryEpochs"] = "1",
            ["GanMnist:Health:StopOnHealthWarning"] = "true",
        });

        (o.Preset, o.Epochs, o.Model.Architecture, o.Schedule.EmaDecay).Should().Be((GanPreset.Quick, 3, GanArchitecture.ConditionalMlp, (double?)0.999), "the preset, then the keys");
        (o.Model.LatentSize, o.Optimization.BatchSize, o.Objective.R1Weight, o.Schedule.LearningRateDecayEpochs).Should().Be((64, 32, 1.5, 2));
        (o.Output.SampleGridSize, o.Evaluation.EvaluateEveryEpochs, o.Health.StopOnHealthWarning).Should().Be((3, 1, true));
    }

    [Fact]
    public void AddGanMnist_FlatKeysOfEarlierConfiguration_StillBind()
    {
        var o = Bound(new()
        {
            ["GanMnist:LatentSize"] = "16",
            ["GanMnist:BatchSize"] = "32",
            ["GanMnist:Optimization:BatchSize"] = "32",
            ["GanMnist:EvaluateEveryEpochs"] = "5",
        });

        (o.Model.LatentSize, o.Optimization.BatchSize, o.Evaluation.EvaluateEveryEpochs).Should().Be((16, 32, 5));
    }

    [Fact]
    public void AddGanMnist_AFlatKeySetToNull_ClearsThePresetsValue_AndAnUnconvertibleOneIsNamedByItsFlatName()
    {
        var json = "{\"GanMnist\": {\"Preset\": \"Quick\", \"EmaDecay\": null, \"LabelSmoothing\": null, \"Beta1\": \"0.50\", \"Optimization\": {\"Beta1\": 0.5}}}"u8.ToArray();
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json)).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration.GetSection(GanTrainerOptions.SectionName)).Services.BuildServiceProvider();

        var o = services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        (o.Schedule.EmaDecay, o.Objective.LabelSmoothing, o.Optimization.Beta1).Should().Be(((double?)null, (double?)null, 0.5), "null clears the preset's value; 0.50 and 0.5 are one value");
        var act = () => Bound(new() { ["GanMnist:LatentSize"] = "many" });
        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("LatentSize (the flat name of Model:LatentSize): Failed to convert configuration value");
    }

    [Fact]
    public void ANullGroupSetInCode_IsRefusedNamingIt()
    {
        var options = new GanTrainerOptions { Model = null! };

        options.Invoking(o => o.Clone()).Should().Throw<InvalidOperationException>().WithMessage("GanTrainerOptions.Model is null*");
        options.Invoking(o => GanPresets.Apply(o, GanPreset.Quick)).Should().Throw<ArgumentException>().WithMessage("GanTrainerOptions.Model is null*");
        options.Invoking(o => new GanTrainer(o)).Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain("Model is null; leave it out to keep its defaults.");
        var nested = () => GanTrainerOptionKeys.Deserialize("{\"Model\": {\"LatentSize\": 1, \"LatentSize\": 2}}");
        nested.Should().Throw<JsonException>("a repeated key is refused at every depth");
    }

    [Fact]
    public void AddGanMnist_AnOptionGivenFlatAndGroupedWithDifferentValues_IsRefusedNamingIt()
    {
        // Providers layer each key alone: a flat override on the command line would not replace appsettings.json's grouped value.
        var act = () => Bound(new()
        {
            ["GanMnist:Output:OutputDirectory"] = "runs/hosted",
            ["GanMnist:OutputDirectory"] = "/tmp/x",
        });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Output:OutputDirectory is given twice, as 'runs/hosted' and by its flat name OutputDirectory as '/tmp/x': give it once, as Output:OutputDirectory " +
            "(flat names are read for configuration written before the options were grouped).");
        var json = () => GanTrainerOptionKeys.Deserialize("{\"LatentSize\": 8, \"Model\": {\"LatentSize\": 9}}");
        json.Should().Throw<JsonException>().WithMessage("The options give 'LatentSize' twice, flat and in 'Model', with different values: give it once, in 'Model'.");
        GanTrainerOptionKeys.Deserialize("{\"LatentSize\": 8, \"Model\": {\"LatentSize\": 8}}")!.Model.LatentSize.Should().Be(8);
    }

    [Fact]
    public void Validation_ReachesIntoEveryGroup_AndNamesTheOption()
    {
        var options = new GanTrainerOptions
        {
            Model = { LatentSize = 0 },
            Optimization = { Beta1 = 2 },
            Objective = { InstanceNoise = -1 },
            Schedule = { EmaDecay = 1.5 },
            Output = { SampleGridSize = 0 },
            Evaluation = { EvaluationSamples = 1 },
            Health = { HealthWindowSteps = 0 },
        };

        var act = () => new GanTrainer(options);

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        foreach (var name in new[] { "LatentSize", "Beta1", "InstanceNoise", "EmaDecay", "SampleGridSize", "EvaluationSamples", "HealthWindowSteps" })
        {
            failures.Should().ContainSingle(f => f.Contains(name, StringComparison.Ordinal));
        }

        failures.Should().HaveCount(7);
    }

    [Fact]
    public void Validation_AnUndefinedEnumInAGroup_IsRefusedNamingIt()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Objective = { Loss = (GanLossKind)9 } });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should()
            .Contain("Loss has no value 9; it is one of NonSaturating, Minimax, LeastSquares, Hinge, WassersteinGp.");
    }

    [Fact]
    public void OptionsJson_IsWrittenGrouped_AndANullGroupIsRefusedNamingIt()
    {
        var json = JsonSerializer.Serialize(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Conv), GanMnist.IO.JsonSettings.Options);
        using var document = JsonDocument.Parse(json);

        document.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal(
            "Preset", "Epochs", "Precision", "AutocastGenerator", "AllowTf32", "Seed", "Device", "Threads", "Model", "Optimization", "Objective", "Schedule", "Output", "Evaluation", "Health");
        document.RootElement.GetProperty("Model").GetProperty("ModelWidth").GetInt32().Should().Be(32);

        var act = () => GanTrainerOptionKeys.Deserialize("{\"Epochs\": 3, \"Model\": null}");
        act.Should().Throw<JsonException>().WithMessage("The options' 'Model' is null; it is a group of options (leave it out to keep its defaults).");
        var repeated = () => GanTrainerOptionKeys.Deserialize("{\"Epochs\": 3, \"Epochs\": 4}");
        repeated.Should().Throw<JsonException>().WithMessage("Duplicate property 'Epochs'*");
    }

    [Fact]
    public void Clone_CopiesTheGroups_SoChangingTheCopyLeavesTheOriginal()
    {
        var original = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick);

        var copy = original.Clone();
        copy.Model.LatentSize = 7;
        copy.Output.OutputDirectory = "elsewhere";

        copy.Should().NotBeSameAs(original);
        (original.Model.LatentSize, original.Output.OutputDirectory, copy.Preset).Should().Be((100, "ganmnist-run", GanPreset.Quick));
        original.Clone().Should().BeEquivalentTo(original);
    }
}
