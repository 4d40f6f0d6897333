using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GanMnist.Training;

/// <summary>One option of <see cref="GanTrainerOptions"/>: its configuration key and where it lives.</summary>
/// <param name="Key">The configuration key: <c>Epochs</c> for an option of the options themselves, <c>Model:LatentSize</c> for one of a group.</param>
/// <param name="Group">The group property holding it (<see cref="GanTrainerOptions.Model"/> and its kin), or null.</param>
/// <param name="Property">The option's own property.</param>
internal sealed record GanTrainerOptionKey(string Key, PropertyInfo? Group, PropertyInfo Property)
{
    /// <summary>The option's name, the last part of its key (and its whole key in files written before the options were grouped).</summary>
    public string Name => Property.Name;

    /// <summary>The option's value on <paramref name="options"/>.</summary>
    public object? GetValue(GanTrainerOptions options) => Property.GetValue(Owner(options));

    /// <summary>The object holding the option on <paramref name="options"/>: the options or one of their groups.</summary>
    public object Owner(GanTrainerOptions options) => Group is null ? options : Group.GetValue(options)!;
}

/// <summary>
/// The one table of <see cref="GanTrainerOptions"/>' keys, found from its properties: every option once, and the flat names
/// earlier versions used. The options were grouped keeping each option's name, so a flat key (<c>"LatentSize"</c> at the top
/// of a configuration section or an <c>options.json</c>) is the group's key of the same name (<c>"Model:LatentSize"</c>).
/// </summary>
internal static class GanTrainerOptionKeys
{
    /// <summary>The groups, in declaration order (the properties marked with <see cref="ValidateObjectMembersAttribute"/>).</summary>
    public static readonly IReadOnlyList<PropertyInfo> Groups = typeof(GanTrainerOptions).GetProperties()
        .Where(p => p.IsDefined(typeof(ValidateObjectMembersAttribute)))
        .OrderBy(p => p.MetadataToken)
        .ToArray();

    /// <summary>Every option, the options' own first, then each group's, in declaration order.</summary>
    public static readonly IReadOnlyList<GanTrainerOptionKey> All = typeof(GanTrainerOptions).GetProperties()
        .Where(p => p.CanWrite && !Groups.Contains(p))
        .OrderBy(p => p.MetadataToken)
        .Select(p => new GanTrainerOptionKey(p.Name, null, p))
        .Concat(Groups.SelectMany(g => g.PropertyType.GetProperties()
            .Where(p => p.CanWrite)
            .OrderBy(p => p.MetadataToken)
            .Select(p => new GanTrainerOptionKey($"{g.Name}{ConfigurationPath.KeyDelimiter}{p.Name}", g, p))))
        .ToArray();

    private static readonly Dictionary<string, GanTrainerOptionKey> ByName = All.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, GanTrainerOptionKey> ByKey = All.ToDictionary(k => k.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The option named by <paramref name="name"/>: its key (<c>Model:LatentSize</c>, or <c>Model.LatentSize</c>) or its flat
    /// name (<c>LatentSize</c>), in any case; null when there is none.
    /// </summary>
    public static GanTrainerOptionKey? Find(string name)
    {
        var key = name.Trim().Replace('.', ':');
        return ByKey.GetValueOrDefault(key) ?? ByName.GetValueOrDefault(key);
    }

    /// <summary>
    /// Binds the grouped options given by their flat names at the top of <paramref name="section"/> (configuration written
    /// before the options were grouped) onto <paramref name="options"/>, a null value included; bind the section after it.
    /// </summary>
    /// <exception cref="OptionsValidationException">
    /// An option is given both by its flat name and by its key with different values: which one a host meant cannot be told
    /// (configuration providers layer each key alone, so a flat override on the command line would not replace a grouped
    /// value of appsettings.json). Or a flat value does not convert to its option's type. Each such option is named.
    /// </exception>
    public static void BindFlatKeys(IConfiguration section, GanTrainerOptions options)
    {
        var failures = new List<string>();
        var top = section.GetChildren().ToDictionary(c => c.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var option in All.Where(o => o.Group is not null))
        {
            if (!top.TryGetValue(option.Name, out var flat) || flat.GetChildren().Any())
            {
                continue; // absent, or an object (refused by name before binding)
            }

            var grouped = section.GetSection(option.Group!.Name).GetChildren().FirstOrDefault(c => string.Equals(c.Key, option.Name, StringComparison.OrdinalIgnoreCase));
            if (grouped is not null && !SameValue(grouped.Value, flat.Value))
            {
                failures.Add($"{option.Key} is given twice, as '{grouped.Value}' and by its flat name {option.Name} as '{flat.Value}': give it once, as {option.Key} " +
                    "(flat names are read for configuration written before the options were grouped).");
                continue;
            }

            try
            {
                new ConfigurationBuilder().AddInMemoryCollection([new(option.Key, flat.Value)]).Build().Bind(options);
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{option.Name} (the flat name of {option.Key}): {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GanTrainerOptions), failures);
        }
    }

    /// <summary>Whether two configuration strings give one value (<c>True</c> and <c>true</c>, <c>0.9</c> and <c>0.90</c>).</summary>
    private static bool SameValue(string? a, string? b) =>
        string.Equals(a?.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase)
        || (double.TryParse(a, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
            && double.TryParse(b, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var y) && x == y);

    /// <summary>
    /// Reads options JSON as <see cref="GanTrainerOptions"/>, the flat files earlier versions wrote (<c>"LatentSize": 100</c> at
    /// the top) and grouped ones (<c>"Model": { "LatentSize": 100 }</c>) alike.
    /// </summary>
    /// <exception cref="JsonException">
    /// The text is not JSON, repeats a key, gives an option both flat and grouped with different values, has a value of the
    /// wrong type, or a null group.
    /// </exception>
    public static GanTrainerOptions? Deserialize(string json)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }); // refused at every depth
        if (root is JsonObject flat)
        {
            Group(flat);
        }

        var options = root.Deserialize<GanTrainerOptions>(IO.JsonSettings.Options);
        if (options is not null && Groups.FirstOrDefault(g => g.GetValue(options) is null) is { } empty)
        {
            throw new JsonException($"The options' '{empty.Name}' is null; it is a group of options (leave it out to keep its defaults).");
        }

        return options;
    }

    private static void Group(JsonObject root)
    {
        foreach (var option in All.Where(o => o.Group is not null))
        {
            if (!root.TryGetPropertyValue(option.Name, out var value))
            {
                continue;
            }

            var groupName = option.Group!.Name;
            if (!root.TryGetPropertyValue(groupName, out var group))
            {
                root[groupName] = group = new JsonObject();
            }

            if (group is JsonObject members)
            {
                if (members.TryGetPropertyValue(option.Name, out var grouped) && !JsonNode.DeepEquals(grouped, value))
                {
                    throw new JsonException($"The options give '{option.Name}' twice, flat and in '{groupName}', with different values: give it once, in '{groupName}'.");
                }

                root.Remove(option.Name);
                members[option.Name] = value;
            }
        }
    }
}
