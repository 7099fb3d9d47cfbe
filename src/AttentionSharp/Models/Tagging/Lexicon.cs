using System.Text.Json.Nodes;

namespace AttentionSharp.Models.Tagging;

/// <summary>
/// A string-to-index table (words, characters, features or tags), stored in checkpoints as a JSON array.
/// With specials, index 0 is padding and index 1 the unknown item.
/// </summary>
public sealed class Lexicon
{
    /// <summary>Index of padding (lexicons with specials).</summary>
    public const int Pad = 0;
    /// <summary>Index of an unknown item (lexicons with specials).</summary>
    public const int Unknown = 1;
    /// <summary>Names of the two specials.</summary>
    public static readonly string[] Specials = ["<pad>", "<unk>"];

    readonly string[] _items;
    readonly Dictionary<string, int> _index;

    /// <summary>Creates a lexicon over <paramref name="items"/> (distinct), which begin with the specials when <paramref name="hasSpecials"/>.</summary>
    public Lexicon(IReadOnlyList<string> items, bool hasSpecials)
    {
        _items = items.ToArray();
        HasSpecials = hasSpecials;
        if (hasSpecials && (_items.Length < 2 || _items[0] != Specials[0] || _items[1] != Specials[1]))
            throw new ArgumentException($"a lexicon with specials must begin with {Specials[0]} {Specials[1]}");
        _index = new Dictionary<string, int>(_items.Length, StringComparer.Ordinal);
        for (int i = 0; i < _items.Length; i++)
            if (!_index.TryAdd(_items[i], i)) throw new ArgumentException($"lexicon item '{_items[i]}' appears twice");
    }

    /// <summary>Whether index 0 and 1 are padding and unknown.</summary>
    public bool HasSpecials { get; }
    /// <summary>Number of entries, specials included.</summary>
    public int Count => _items.Length;
    /// <summary>The entries in index order.</summary>
    public IReadOnlyList<string> Items => _items;
    /// <summary>The item at an index.</summary>
    public string this[int index] => _items[index];

    /// <summary>The index of an item, or <see cref="Unknown"/> (with specials) / -1 (without) when absent.</summary>
    public int IndexOf(string item) => _index.TryGetValue(item, out int i) ? i : HasSpecials ? Unknown : -1;

    /// <summary>Whether the lexicon holds the item.</summary>
    public bool Contains(string item) => _index.ContainsKey(item);

    /// <summary>Builds a lexicon of the items seen at least <paramref name="minCount"/> times, most frequent first (ties by ordinal order).</summary>
    public static Lexicon Build(IEnumerable<string> items, int minCount, bool withSpecials)
    {
        if (minCount < 1) throw new ArgumentException($"minimum count must be at least 1; got {minCount}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in items) counts[s] = counts.GetValueOrDefault(s) + 1;
        var kept = counts.Where(kv => kv.Value >= minCount && !(withSpecials && Specials.Contains(kv.Key)))
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
        return new Lexicon(withSpecials ? [.. Specials, .. kept] : kept.ToArray(), withSpecials);
    }

    /// <summary>The lexicon as JSON: <c>{"specials": bool, "items": [...]}</c>.</summary>
    public JsonNode ToJson() => new JsonObject { ["specials"] = HasSpecials, ["items"] = new JsonArray(_items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()) };

    /// <summary>Reads a lexicon written by <see cref="ToJson"/>.</summary>
    public static Lexicon FromJson(JsonNode? node, string what)
    {
        if (node is not JsonObject o || o["items"] is not JsonArray items)
            throw new InvalidDataException($"the checkpoint's {what} lexicon is missing or malformed");
        return new Lexicon(items.Select(n => n?.GetValue<string>() ?? "").ToArray(), o["specials"]?.GetValue<bool>() ?? false);
    }
}
