using GanMnist.DependencyInjection;
using GanMnist.Losses;
using GanMnist.Models;
using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GanMnist.Tests.Training;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_AreTheDcganSeedsRecipe()
    {
        var o = new GanTrainerOptions();

        (o.Model.Architecture, o.Model.LatentSize, o.Optimization.BatchSize, o.Epochs, o.Optimization.GeneratorLearningRate, o.Optimization.DiscriminatorLearningRate, o.Objective.Loss, o.Output.SampleGridSize)
            .Should().Be((GanArchitecture.Dcgan, 100, 256, 50, 1e-4, 1e-4, GanLossKind.NonSaturating, 4));
        o.Model.Initialization.Should().Be(WeightInitialization.Keras);
    }

    [Fact]
    public void Constructor_InvalidOptions_ReportsEveryProblemAtOnce()
    {
        var options = new GanTrainerOptions
        {
            Epochs = 0,
            Device = "tpu",
            Optimization = { BatchSize = -5, GeneratorLearningRate = 3 },
            Objective = { Loss = GanLossKind.Hinge, LabelSmoothing = 1.5 },
            Output = { OutputDirectory = "" },
        };

        var act = () => new GanTrainer(options);

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("Epochs") && f.Contains("between 1 and"));
        failures.Should().Contain(f => f.Contains("BatchSize"));
        failures.Should().Contain(f => f.Contains("GeneratorLearningRate"));
        failures.Should().Contain(f => f.Contains("OutputDirectory"));
        failures.Should().Contain("LabelSmoothing must be in (0, 1] (was 1.5).");
        failures.Should().Contain("LabelSmoothing applies to the cross-entropy losses (NonSaturating, Minimax), not Hinge.");
        failures.Should().Contain("Device: 'tpu' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'.");
        failures.Should().HaveCount(7);
    }

    [Fact]
    public void AddGanMnist_BindsConfiguration_PresetFirstThenExplicitKeys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GanMnist:Preset"] = "Quick",
            ["GanMnist:Epochs"] = "3",
            ["GanMnist:Loss"] = "Minimax",
            ["GanMnist:Seed"] = "7",
        }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration.GetSection(GanTrainerOptions.SectionName)).Services.BuildServiceProvider();

        var trainer = services.GetRequiredService<GanTrainer>();

        trainer.Options.Preset.Should().Be(GanPreset.Quick);
        trainer.Options.Optimization.GeneratorLearningRate.Should().Be(2e-4, "from the preset");
        trainer.Options.Epochs.Should().Be(3, "explicit keys override the preset");
        trainer.Options.Objective.Loss.Should().Be(GanLossKind.Minimax);
        trainer.Options.Objective.LabelSmoothing.Should().Be(0.9, "from the preset");
        trainer.Options.Seed.Should().Be(7UL);
    }

    [Fact]
    public void AddGanMnist_Precision_BindsFromConfigurationAndTheBuilder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Precision"] = "BFloat16Mixed" }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration).Services.BuildServiceProvider();

        services.GetRequiredService<GanTrainer>().Options.Precision.Should().Be(Precision.BFloat16Mixed);
        GanTrainer.Create(b => b.Precision(Precision.BFloat16Mixed)).Options.Precision.Should().Be(Precision.BFloat16Mixed);
        new GanTrainerOptions().Precision.Should().Be(Precision.Float32, "float32 is the default");
    }

    [Fact]
    public void AddGanMnist_APrecisionThatIsNotOne_IsRefusedNamingTheOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Precision"] = "fp8" }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        act.Should().Throw<Exception>().Which.Message.Should().Contain("Precision").And.Contain("fp8");
    }

    [Fact]
    public void AddGanMnist_InvalidConfiguration_FailsWithEveryProblem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BatchSize"] = "0",
            ["Loss"] = "Hinge",
            ["LabelSmoothing"] = "0.9",
        }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("BatchSize"));
        failures.Should().Contain("LabelSmoothing applies to the cross-entropy losses (NonSaturating, Minimax), not Hinge.");
    }

    [Fact]
    public void AddGanMnist_UndefinedEnumNumbers_FailValidationNamingTheOption()
    {
        // Found by fuzzing (CsCheck and AFL++, options-json): "Preset": -39123 parsed as a GanPreset and crashed GanPresets.Apply.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Preset"] = "-39123",
            ["Architecture"] = "7",
        }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal("Preset '-39123' is not a preset; it is one of None, Dcgan, Mlp, Quick, Best, Conv.");

        using var other = new ServiceCollection().AddGanMnist(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Architecture"] = "7" }).Build()).Services.BuildServiceProvider();
        var architecture = () => other.GetRequiredService<IOptions<GanTrainerOptions>>().Value;
        architecture.Should().Throw<OptionsValidationException>().Which.Failures
            .Should().Contain(f => f.StartsWith("Architecture has no value 7; it is one of Dcgan, Mlp", StringComparison.Ordinal));
    }

    [Theory]
    // Found by fuzzing (CsCheck, options-json): the binder's own refusal named no key.
    [InlineData("{\"TensorBoardDirectory\": [1, 2], \"Epochs\": {\"a\": 1}, \"Seed\": 3}",
        "Epochs is an array or object in the configuration; it takes one value.",
        "TensorBoardDirectory is an array or object in the configuration; it takes one value.")]
    [InlineData("{\"Model\": 3, \"Output\": {\"TensorBoardDirectory\": {\"a\": 1}}}",
        "Output:TensorBoardDirectory is an array or object in the configuration; it takes one value.",
        "Model is one value in the configuration; it is a group of options (e.g. \"Model\": { ... }).")]
    public void AddGanMnist_AnArrayOrObjectForAnOption_OrOneValueForAGroup_IsRefusedNamingIt(string json, params string[] expected)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().BeEquivalentTo(expected);
    }

    [Theory]
    [InlineData("Dcgan, Mlp")] // Enum.TryParse reads it as the flags 1 | 2 = 3, Quick
    [InlineData("quick2")]
    public void AddGanMnist_APresetThatIsNotOneName_IsRefusedNamingIt(string value)
    {
        using var services = new ServiceCollection().AddGanMnist(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Preset"] = value }).Build()).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<GanTrainerOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal($"Preset '{value}' is not a preset; it is one of None, Dcgan, Mlp, Quick, Best, Conv.");
    }

    [Fact]
    public void AddGanMnist_APresetByNumber_AppliesItsRecipe()
    {
        using var services = new ServiceCollection().AddGanMnist(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Preset"] = "3" }).Build()).Services.BuildServiceProvider();

        services.GetRequiredService<IOptions<GanTrainerOptions>>().Value.Should().BeEquivalentTo(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick));
    }

    [Fact]
    public void SimultaneousSchedule_WithSeveralDiscriminatorSteps_IsRefusedNamingBoth()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Optimization = { UpdateSchedule = UpdateSchedule.Simultaneous, DiscriminatorSteps = 2 } });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(
            "UpdateSchedule Simultaneous takes one D step per G step (both from one forward pass); DiscriminatorSteps was 2.");
    }

    [Fact]
    public void InfoGanArchitecture_WithTheWassersteinGpLoss_IsRefusedNamingBoth()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Model = { Architecture = GanArchitecture.InfoGan }, Objective = { Loss = GanLossKind.WassersteinGp } });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Be(
            "Loss WassersteinGp needs a critic without batch norm (its gradient penalty is per sample; Gulrajani et al. 2017 omit batch norm), " +
            "and the InfoGan discriminator has batch norm: use Hinge or NonSaturating with it, or another Architecture.");
    }

    [Fact]
    public void ModelWidth_OnAnArchitectureWithoutOne_IsRefusedNamingBoth()
    {
        var act = () => new GanTrainer(new GanTrainerOptions { Model = { Architecture = GanArchitecture.Mlp, ModelWidth = 32 } });

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Be(
            "ModelWidth (32) applies to the InfoGan and ConditionalInfoGan architectures only; Architecture is Mlp: leave it unset.");
    }

    [Fact]
    public void FluentBuilder_SetsTheSameOptions()
    {
        var trainer = GanTrainer.Create(b => b.UsePreset(GanPreset.Mlp).UseMlp(MlpActivation.LeakyRelu).Epochs(2).BatchSize(64)
            .LearningRate(2e-4, 1e-4).Betas(0.5).OnDevice(CPU).Seed(3).OutputTo("out")
            .UseLoss(GanLosses.NonSaturating.WithLabelSmoothing(0.9)));

        var o = trainer.Options;
        (o.Model.Architecture, o.Model.MlpActivation, o.Epochs, o.Optimization.BatchSize, o.Optimization.GeneratorLearningRate, o.Optimization.DiscriminatorLearningRate, o.Optimization.Beta1, o.Device, o.Seed, o.Output.OutputDirectory)
            .Should().Be((GanArchitecture.Mlp, MlpActivation.LeakyRelu, 2, 64, 2e-4, 1e-4, 0.5, "cpu", (ulong?)3, "out"));
    }

    [Fact]
    public void Presets_LeaveAutocastGeneratorAsItIs()
    {
        foreach (var preset in Enum.GetValues<GanPreset>())
        {
            GanPresets.Apply(new GanTrainerOptions { AutocastGenerator = false }, preset).AutocastGenerator.Should().BeFalse($"{preset} is a recipe, not a precision");
        }
    }

    [Fact]
    public void Presets_SetTheirRecipes()
    {
        GanPresets.Apply(new GanTrainerOptions(), GanPreset.Mlp).Model.Architecture.Should().Be(GanArchitecture.Mlp);
        GanPresets.Apply(new GanTrainerOptions(), GanPreset.Mlp).Model.MlpActivation.Should().Be(MlpActivation.Relu);
        // quick: the conditional MLP with the EMA (docs/training.md, "How quick was chosen"); a later preset resets what it set.
        var quick = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick);
        (quick.Model.Architecture, quick.Model.MlpActivation, quick.Schedule.EmaDecay, quick.Objective.LabelSmoothing, quick.Epochs, quick.Optimization.BatchSize, quick.Optimization.Beta1)
            .Should().Be((GanArchitecture.ConditionalMlp, MlpActivation.LeakyRelu, 0.999, 0.9, 18, 128, 0.5));
        (GanPresets.Apply(quick, GanPreset.Mlp).Schedule.EmaDecay, quick.Schedule.LearningRateDecayEpochs).Should().Be((null, 0));
        // best: quick's recipe, longer.
        var best = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Best);
        best.Should().BeEquivalentTo(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick), o => o.Excluding(x => x.Preset).Excluding(x => x.Epochs));
        (best.Preset, best.Epochs).Should().Be((GanPreset.Best, 100));
        // conv: quick's recipe on the conditional InfoGAN at width 32, the rates decaying over the last 10 of 20 epochs; a later preset clears both.
        var conv = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Conv);
        conv.Should().BeEquivalentTo(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick),
            o => o.Excluding(x => x.Preset).Excluding(x => x.Epochs).Excluding(x => x.Model.Architecture).Excluding(x => x.Model.ModelWidth).Excluding(x => x.Schedule.LearningRateDecayEpochs));
        (conv.Preset, conv.Model.Architecture, conv.Model.ModelWidth, conv.Epochs, conv.Schedule.LearningRateDecayEpochs).Should().Be((GanPreset.Conv, GanArchitecture.ConditionalInfoGan, 32, 20, 10));
        (GanPresets.Apply(conv, GanPreset.Dcgan).Model.ModelWidth, conv.Schedule.LearningRateDecayEpochs).Should().Be((null, 0));
        // The seeds' TensorFlow tutorial: the defaults' recipe, stepped, padded and sloped as the tutorial.
        GanPresets.Apply(new GanTrainerOptions(), GanPreset.Dcgan).Should().BeEquivalentTo(new GanTrainerOptions
        {
            Preset = GanPreset.Dcgan,
            Epochs = 50,
            Model = { TransposedConvolutionPadding = TransposedConvolutionPadding.KerasSame, LeakyReluSlope = 0.3 },
            Optimization = { UpdateSchedule = UpdateSchedule.Simultaneous, AdamEpsilon = 1e-7, Beta1 = 0.9, Beta2 = 0.999, GeneratorLearningRate = 1e-4, BatchSize = 256 },
        });
    }

    [Fact]
    public void Preset_CannotBeSetWithoutItsRecipe()
    {
        // `new GanTrainerOptions { Preset = GanPreset.Quick }` trained the defaults while the report said Quick: the
        // property is now set only by applying a preset.
        typeof(GanTrainerOptions).GetProperty(nameof(GanTrainerOptions.Preset))!.SetMethod!.IsPublic.Should().BeFalse();
        new GanTrainer(new GanTrainerOptions()).Options.Preset.Should().Be(GanPreset.None);
    }

    [Fact]
    public void Preset_EveryPathTrainsWhatItReports()
    {
        var expected = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick);
        expected.Epochs = 3;

        var constructed = GanPresets.Apply(new GanTrainerOptions(), GanPreset.Quick);
        constructed.Epochs = 3;
        var fromConstructor = new GanTrainer(constructed).Options;
        var fromBuilder = GanTrainer.Create(b => b.UsePreset(GanPreset.Quick).Epochs(3)).Options;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["GanMnist:Preset"] = "quick", ["GanMnist:Epochs"] = "3" }).Build();
        using var services = new ServiceCollection().AddGanMnist(configuration.GetSection(GanTrainerOptions.SectionName)).Services.BuildServiceProvider();
        var fromConfiguration = services.GetRequiredService<GanTrainer>().Options;

        foreach (var options in new[] { fromConstructor, fromBuilder, fromConfiguration })
        {
            options.Should().BeEquivalentTo(expected);
            options.Preset.Should().Be(GanPreset.Quick);
        }

        // Plain binding, without AddGanMnist, cannot set the preset: it reports None and trains the values bound.
        var bound = new GanTrainerOptions();
        configuration.GetSection(GanTrainerOptions.SectionName).Bind(bound);
        (bound.Preset, bound.Model.Architecture, bound.Epochs).Should().Be((GanPreset.None, GanArchitecture.Dcgan, 3));
    }

    [Fact]
    public void Preset_SurvivesOptionsJson_AsTheReportReadsIt()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Best), GanMnist.IO.JsonSettings.Options);

        var read = System.Text.Json.JsonSerializer.Deserialize<GanTrainerOptions>(json, GanMnist.IO.JsonSettings.Options)!;

        read.Should().BeEquivalentTo(GanPresets.Apply(new GanTrainerOptions(), GanPreset.Best));
        read.Preset.Should().Be(GanPreset.Best);
    }
}
