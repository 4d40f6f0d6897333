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
        var builder = services.AddOptions<GanTrainerOptions>().ValidateOnStart(); // GanTrainerOptionsValidator checks the DataAnnotations of every group too
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
    /// section of appsettings.json). A <c>Preset</c> key applies that preset first; the other keys override it. Keys follow the
    /// options' groups (<c>"Model": { "LatentSize": 64 }</c>, on a command line <c>--GanMnist:Model:LatentSize=64</c>); the flat
    /// keys of configuration written before the options were grouped (<c>"LatentSize": 64</c>) are read too (here only:
    /// plain <c>section.Bind(options)</c> reads the grouped keys alone), and an option given both ways with different values
    /// is refused, naming it.
    /// </summary>
    public static OptionsBuilder<GanTrainerOptions> AddGanMnist(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddGanMnist(options =>
        {
            // Every option is one value; the binder refuses an array or object given for one ("Cannot create instance of
            // type 'System.String'") without naming the key, so name it here (e.g. "Output": { "TensorBoardDirectory": [1, 2] }).
            var nested = GanTrainerOptionKeys.All
                .SelectMany(o => o.Group is null ? [o.Key] : new[] { o.Key, o.Name })
                .Where(key => section.GetSection(key).GetChildren().Any())
                .Select(key => $"{key} is an array or object in the configuration; it takes one value.")
                .Concat(GanTrainerOptionKeys.Groups
                    .Where(g => section[g.Name] is { Length: > 0 })
                    .Select(g => $"{g.Name} is one value in the configuration; it is a group of options (e.g. \"{g.Name}\": {{ ... }})."))
                .ToArray();
            if (nested.Length > 0)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(GanTrainerOptions), nested);
            }

            if (section[nameof(GanTrainerOptions.Preset)] is not { } value)
            {
                return;
            }

            // One name or the number of a defined preset; Enum.TryParse alone would also take "Dcgan, Mlp" (3, Quick) and 42.
            var name = Enum.GetNames<GanPreset>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));
            GanPreset preset;
            if (name is not null)
            {
                preset = Enum.Parse<GanPreset>(name);
            }
            else if (int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && Enum.IsDefined((GanPreset)number))
            {
                preset = (GanPreset)number;
            }
            else
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(GanTrainerOptions),
                    [$"Preset '{value}' is not a preset; it is one of {string.Join(", ", Enum.GetNames<GanPreset>())}."]);
            }

            GanPresets.Apply(options, preset);
        })
        .Configure(options => GanTrainerOptionKeys.BindFlatKeys(section, options)) // configuration written before the options were grouped
        .Bind(section);
    }
}
