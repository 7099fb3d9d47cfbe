using System.Text.Json.Nodes;

namespace AttentionSharp.Data;

/// <summary>How symbols of equal frequency are ordered when a table is built from counts.</summary>
public enum TieOrder
{
    /// <summary>Ordinal string order (stable whatever order the texts come in).</summary>
    Ordinal,
    /// <summary>Order of first appearance in the texts.</summary>
    FirstSeen,
}

/// <summary>
/// The one string-to-index table behind every vocabulary of the library (text classification, translation, captioning,
/// tagging lexicons): special symbols first at fixed indices, then the symbols in a fixed order, each once. The vocabularies
/// are views that fix their specials and their checkpoint format; building from counts, lookup and the JSON list live here.
/// </summary>
public sealed class SymbolTable
{
    readonly string[] _symbols;
    readonly Dictionary<string, int> _index;

    /// <summary>
    /// A table of <paramref name="specials"/> followed by <paramref name="symbols"/>. A symbol that appears twice (or repeats a
    /// special) is an error naming it (as a <paramref name="what"/>), unless <paramref name="skipRepeats"/>, which keeps its first index.
    /// </summary>
    public SymbolTable(IEnumerable<string> specials, IEnumerable<string> symbols, bool skipRepeats = false, string what = "symbol")
    {
        var list = new List<string>();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in specials.Concat(symbols))
        {
            ArgumentNullException.ThrowIfNull(s, nameof(symbols));
            if (_index.TryAdd(s, list.Count)) list.Add(s);
            else if (!skipRepeats) throw new ArgumentException($"{what} '{s}' appears twice (indices {_index[s]} and {list.Count})");
        }
        _symbols = [.. list];
        SpecialCount = specials.Count();
    }

    /// <summary>Number of symbols, specials included.</summary>
    public int Count => _symbols.Length;
    /// <summary>Number of special symbols at the start.</summary>
    public int SpecialCount { get; }
    /// <summary>Every symbol in index order.</summary>
    public IReadOnlyList<string> Symbols => _symbols;
    /// <summary>The symbols after the specials.</summary>
    public IEnumerable<string> Regular => _symbols.Skip(SpecialCount);
    /// <summary>The symbol at <paramref name="index"/>.</summary>
    public string this[int index] => _symbols[index];

    /// <summary>The index of <paramref name="symbol"/>, or <paramref name="missing"/> when the table lacks it.</summary>
    public int IndexOf(string symbol, int missing) => _index.TryGetValue(symbol, out int i) ? i : missing;
    /// <summary>Whether the table holds <paramref name="symbol"/>.</summary>
    public bool Contains(string symbol) => _index.ContainsKey(symbol);

    /// <summary>
    /// The symbols of <paramref name="tokens"/> seen at least <paramref name="minCount"/> times, most frequent first, ties in
    /// <paramref name="ties"/> order, leaving out <paramref name="exclude"/> (the specials), at most <paramref name="maxCount"/>.
    /// </summary>
    public static List<string> ByFrequency(IEnumerable<string> tokens, int minCount, TieOrder ties, IEnumerable<string>? exclude = null,
        int maxCount = int.MaxValue)
    {
        if (minCount < 1) throw new ArgumentException($"minCount must be at least 1; got {minCount}");
        var counts = new Dictionary<string, (int Count, int First)>(StringComparer.Ordinal);
        int order = 0;
        foreach (var t in tokens)
            counts[t] = counts.TryGetValue(t, out var c) ? (c.Count + 1, c.First) : (1, order++);
        var skip = new HashSet<string>(exclude ?? [], StringComparer.Ordinal);
        var kept = counts.Where(kv => kv.Value.Count >= minCount && !skip.Contains(kv.Key)).OrderByDescending(kv => kv.Value.Count);
        var ordered = ties == TieOrder.Ordinal ? kept.ThenBy(kv => kv.Key, StringComparer.Ordinal) : kept.ThenBy(kv => kv.Value.First);
        return ordered.Take(Math.Max(0, maxCount)).Select(kv => kv.Key).ToList();
    }

    /// <summary>Symbols as a JSON array, from index <paramref name="from"/> on (0: specials included).</summary>
    public JsonArray ToJson(int from = 0) => new(_symbols.Skip(from).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    /// <summary>The strings of a JSON array written by <see cref="ToJson"/>; <paramref name="what"/> names it in errors.</summary>
    public static List<string> ReadJson(JsonNode? node, string what)
    {
        if (node is not JsonArray array) throw new InvalidDataException($"{what} must be a JSON array of strings; got {node?.GetValueKind().ToString() ?? "nothing"}");
        try { return array.Select(n => n?.GetValue<string>() ?? throw new InvalidDataException($"{what} holds a null entry")).ToList(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new InvalidDataException($"{what} holds a non-string entry: {e.Message}", e); }
    }
}
