using GanMnist.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GanMnist.DependencyInjection;

/// <summary>Registers GanMnist with a host's services.</summary>
public static class GanMnistServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GanTrainer"/> and its options, validated at start-up (every invalid option
    /// is reported at once). Configure the options with <paramref name="configure"/> or the returned builder.
    /// </summary>
    public static OptionsBuilder<GanTrainerOptions> AddGanMnist(this IServiceCollection services, Action<GanTrainerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<GanTrainerOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GanTrainerOptions>, GanTrainerOptionsValidator>());
        services.TryAddTransient(sp => new GanTrainer(sp.GetRequiredService<IOptions<GanTrainerOptions>>(),
            sp.GetService<ILogger<GanTrainer>>(), sp.GetServices<ITrainingCallback>()));
        return builder;
    }

    /// <summary>
    /// Registers GanMnist with its options bound from <paramref name="section"/> (e.g. the <c>GanMnist</c>
    /// section of appsettings.json). A <c>Preset</c> key applies that preset first; the other keys override it.
    /// </summary>
    public static OptionsBuilder<GanTrainerOptions> AddGanMnist(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddGanMnist(options =>
        {
            // An undefined number ("Preset": 42) is bound as is and refused by validation, naming the option.
            if (Enum.TryParse<GanPreset>(section[nameof(GanTrainerOptions.Preset)], ignoreCase: true, out var preset) && Enum.IsDefined(preset))
            {
                GanPresets.Apply(options, preset);
            }
        }).Bind(section);
    }
}
