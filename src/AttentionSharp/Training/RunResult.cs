using System.Globalization;
using System.Text.Json;

namespace AttentionSharp.Training;

/// <summary>The figures of a train or eval run: printed as one <c>RESULT key=value ...</c> line and written as JSON beside the checkpoint.</summary>
public sealed class RunResult
{
    readonly List<KeyValuePair<string, object>> _items = new();

    /// <summary>Adds or replaces a figure; doubles are written with up to 4 decimals, strings must have no spaces.</summary>
    public RunResult Add(string key, object value)
    {
        if (key.Any(char.IsWhiteSpace) || key.Contains('=')) throw new ArgumentException($"result key '{key}' must have no spaces or '='");
        _items.RemoveAll(kv => kv.Key == key);
        _items.Add(new(key, value));
        return this;
    }

    /// <summary>The figures in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Items => _items;

    /// <summary>Formats one value as it appears in the RESULT line.</summary>
    public static string Format(object v) => v switch
    {
        Percent p => p.Value.ToString("0.00", CultureInfo.InvariantCulture) + "%",
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => (v.ToString() ?? "").Replace(' ', '_'),
    };

    /// <summary>The line <c>RESULT key=value key=value ...</c>.</summary>
    public string ToLine() => "RESULT " + string.Join(' ', _items.Select(kv => kv.Key + "=" + Format(kv.Value)));

    /// <summary>The figures as a JSON object.</summary>
    public string ToJson()
    {
        var d = new Dictionary<string, object>();
        foreach (var kv in _items) d[kv.Key] = kv.Value is Percent p ? Math.Round(p.Value, 4) : kv.Value;
        return JsonSerializer.Serialize(d, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes the JSON atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}

/// <summary>A figure in percent: written <c>1.62%</c> in the RESULT line and as the number 1.62 in JSON.</summary>
/// <param name="Value">The value in percent (0-100).</param>
public readonly record struct Percent(double Value);
