using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

/// <summary>
/// Every rule of the options: the DataAnnotations of the options and of each group (single-value ranges), and the rules that
/// span several options.
/// </summary>
internal sealed class GanTrainerOptionsValidator : IValidateOptions<GanTrainerOptions>
{
    public ValidateOptionsResult Validate(string? name, GanTrainerOptions options)
    {
        var failures = AllFailures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> CrossFieldFailures(GanTrainerOptions options)
    {
        // Binding and JSON accept any integer for an enum ("Architecture": 7); the models and losses switch on them.
        foreach (var option in GanTrainerOptionKeys.All.Where(o => o.Property.PropertyType.IsEnum))
        {
            var value = option.GetValue(options)!;
            if (!Enum.IsDefined(option.Property.PropertyType, value))
            {
                yield return $"{option.Name} has no value {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}; " +
                    $"it is one of {string.Join(", ", Enum.GetNames(option.Property.PropertyType))}.";
            }
        }

        if (options.Objective.LabelSmoothing is { } target)
        {
            if (target is <= 0 or > 1)
            {
                yield return $"{nameof(GanObjectiveOptions.LabelSmoothing)} must be in (0, 1] (was {target}).";
            }

            if (options.Objective.Loss is not (GanLossKind.NonSaturating or GanLossKind.Minimax))
            {
                yield return $"{nameof(GanObjectiveOptions.LabelSmoothing)} applies to the cross-entropy losses (NonSaturating, Minimax), not {options.Objective.Loss}.";
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Device))
        {
            string? problem = null;
            try
            {
                TorchRuntime.ParseDevice(options.Device);
            }
            catch (FormatException e)
            {
                problem = $"{nameof(GanTrainerOptions.Device)}: {e.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (options.Optimization.UpdateSchedule == UpdateSchedule.Simultaneous && options.Optimization.DiscriminatorSteps != 1)
        {
            yield return $"{nameof(GanOptimizationOptions.UpdateSchedule)} Simultaneous takes one D step per G step (both from one forward pass); {nameof(GanOptimizationOptions.DiscriminatorSteps)} was {options.Optimization.DiscriminatorSteps}.";
        }

        if (options.Objective.FeatureMatchingOnly && options.Objective.FeatureMatchingWeight > 0)
        {
            yield return $"{nameof(GanObjectiveOptions.FeatureMatchingOnly)} and {nameof(GanObjectiveOptions.FeatureMatchingWeight)} exclude each other: feature matching is either the generator's whole loss or an added term.";
        }

        if (options.Model.Architecture is Models.GanArchitecture.InfoGan or Models.GanArchitecture.ConditionalInfoGan && options.Objective.Loss == GanLossKind.WassersteinGp)
        {
            yield return $"{nameof(GanObjectiveOptions.Loss)} WassersteinGp needs a critic without batch norm (its gradient penalty is per sample; Gulrajani et al. 2017 omit batch norm), " +
                $"and the {options.Model.Architecture} discriminator has batch norm: use Hinge or NonSaturating with it, or another {nameof(GanModelOptions.Architecture)}.";
        }

        if (options.Model.ModelWidth is not null && options.Model.Architecture is not (Models.GanArchitecture.InfoGan or Models.GanArchitecture.ConditionalInfoGan))
        {
            yield return $"{nameof(GanModelOptions.ModelWidth)} ({options.Model.ModelWidth}) applies to the InfoGan and ConditionalInfoGan architectures only; " +
                $"{nameof(GanModelOptions.Architecture)} is {options.Model.Architecture}: leave it unset.";
        }

        if (options.Schedule.LearningRateDecayEpochs > options.Epochs)
        {
            yield return $"{nameof(GanScheduleOptions.LearningRateDecayEpochs)} ({options.Schedule.LearningRateDecayEpochs}) is more than {nameof(GanTrainerOptions.Epochs)} ({options.Epochs}): the decay must fit in the run. " +
                $"Set it to {options.Epochs} or fewer (CLI: --set {nameof(GanScheduleOptions.LearningRateDecayEpochs)}={Math.Max(options.Epochs / 2, 0)}; the conv preset decays over its last 10 epochs), or 0 for constant rates.";
        }

        if (options.Objective.InstanceNoiseAnnealEpochs > 0 && options.Objective.InstanceNoise == 0)
        {
            yield return $"{nameof(GanObjectiveOptions.InstanceNoiseAnnealEpochs)} is set but {nameof(GanObjectiveOptions.InstanceNoise)} is 0: there is no noise to anneal.";
        }

        if (options.Output.OutputDirectory is { Length: > 0 } dir && dir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"{nameof(GanOutputOptions.OutputDirectory)} '{dir}' is not a valid path.";
        }
    }

    /// <summary>DataAnnotations (of the options and of each group) and cross-field rules together; every failure, each naming its option.</summary>
    internal static List<string> AllFailures(GanTrainerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var group in GanTrainerOptionKeys.Groups)
        {
            if (group.GetValue(options) is { } members)
            {
                Validator.TryValidateObject(members, new ValidationContext(members), results, validateAllProperties: true);
            }
            else
            {
                results.Add(new ValidationResult($"{group.Name} is null; leave it out to keep its defaults.", [group.Name]));
            }
        }

        var failures = results.Select(r => r.ErrorMessage ?? string.Join(", ", r.MemberNames)).ToList();
        if (GanTrainerOptionKeys.Groups.All(g => g.GetValue(options) is not null))
        {
            failures.AddRange(CrossFieldFailures(options)); // they read every group
        }

        return failures;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every failure.</summary>
    internal static void ThrowIfInvalid(GanTrainerOptions options)
    {
        var failures = AllFailures(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GanTrainerOptions), failures);
        }
    }
}
