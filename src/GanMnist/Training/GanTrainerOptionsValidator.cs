using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using GanMnist.Runtime;

namespace GanMnist.Training;

/// <summary>The rules that span several options (single-value ranges are DataAnnotations on the options).</summary>
internal sealed class GanTrainerOptionsValidator : IValidateOptions<GanTrainerOptions>
{
    public ValidateOptionsResult Validate(string? name, GanTrainerOptions options)
    {
        var failures = CrossFieldFailures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> CrossFieldFailures(GanTrainerOptions options)
    {
        // Binding and JSON accept any integer for an enum ("Architecture": 7); the models and losses switch on them.
        foreach (var property in typeof(GanTrainerOptions).GetProperties().Where(p => p.PropertyType.IsEnum))
        {
            var value = property.GetValue(options)!;
            if (!Enum.IsDefined(property.PropertyType, value))
            {
                yield return $"{property.Name} has no value {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}; " +
                    $"it is one of {string.Join(", ", Enum.GetNames(property.PropertyType))}.";
            }
        }

        if (options.LabelSmoothing is { } target)
        {
            if (target is <= 0 or > 1)
            {
                yield return $"{nameof(GanTrainerOptions.LabelSmoothing)} must be in (0, 1] (was {target}).";
            }

            if (options.Loss is not (GanLossKind.NonSaturating or GanLossKind.Minimax))
            {
                yield return $"{nameof(GanTrainerOptions.LabelSmoothing)} applies to the cross-entropy losses (NonSaturating, Minimax), not {options.Loss}.";
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

        if (options.UpdateSchedule == UpdateSchedule.Simultaneous && options.DiscriminatorSteps != 1)
        {
            yield return $"{nameof(GanTrainerOptions.UpdateSchedule)} Simultaneous takes one D step per G step (both from one forward pass); {nameof(GanTrainerOptions.DiscriminatorSteps)} was {options.DiscriminatorSteps}.";
        }

        if (options.FeatureMatchingOnly && options.FeatureMatchingWeight > 0)
        {
            yield return $"{nameof(GanTrainerOptions.FeatureMatchingOnly)} and {nameof(GanTrainerOptions.FeatureMatchingWeight)} exclude each other: feature matching is either the generator's whole loss or an added term.";
        }

        if (options.Architecture is Models.GanArchitecture.InfoGan or Models.GanArchitecture.ConditionalInfoGan && options.Loss == GanLossKind.WassersteinGp)
        {
            yield return $"{nameof(GanTrainerOptions.Loss)} WassersteinGp needs a critic without batch norm (its gradient penalty is per sample; Gulrajani et al. 2017 omit batch norm), " +
                $"and the {options.Architecture} discriminator has batch norm: use Hinge or NonSaturating with it, or another {nameof(GanTrainerOptions.Architecture)}.";
        }

        if (options.ModelWidth is not null && options.Architecture is not (Models.GanArchitecture.InfoGan or Models.GanArchitecture.ConditionalInfoGan))
        {
            yield return $"{nameof(GanTrainerOptions.ModelWidth)} ({options.ModelWidth}) applies to the InfoGan and ConditionalInfoGan architectures only; " +
                $"{nameof(GanTrainerOptions.Architecture)} is {options.Architecture}: leave it unset.";
        }

        if (options.LearningRateDecayEpochs > options.Epochs)
        {
            yield return $"{nameof(GanTrainerOptions.LearningRateDecayEpochs)} ({options.LearningRateDecayEpochs}) is more than {nameof(GanTrainerOptions.Epochs)} ({options.Epochs}): the decay must fit in the run. " +
                $"Set it to {options.Epochs} or fewer (CLI: --set {nameof(GanTrainerOptions.LearningRateDecayEpochs)}={Math.Max(options.Epochs / 2, 0)}; the conv preset decays over its last 10 epochs), or 0 for constant rates.";
        }

        if (options.InstanceNoiseAnnealEpochs > 0 && options.InstanceNoise == 0)
        {
            yield return $"{nameof(GanTrainerOptions.InstanceNoiseAnnealEpochs)} is set but {nameof(GanTrainerOptions.InstanceNoise)} is 0: there is no noise to anneal.";
        }

        if (options.OutputDirectory is { Length: > 0 } dir && dir.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"{nameof(GanTrainerOptions.OutputDirectory)} '{dir}' is not a valid path.";
        }
    }

    /// <summary>DataAnnotations and cross-field rules together; every failure, each naming its option.</summary>
    internal static List<string> AllFailures(GanTrainerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var failures = results.Select(r => r.ErrorMessage ?? string.Join(", ", r.MemberNames)).ToList();
        failures.AddRange(CrossFieldFailures(options));
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
