using System.Text.Json.Nodes;
using AttentionSharp.Data;

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

    readonly SymbolTable _table;

    /// <summary>Creates a lexicon over <paramref name="items"/> (distinct), which begin with the specials when <paramref name="hasSpecials"/>.</summary>
    public Lexicon(IReadOnlyList<string> items, bool hasSpecials)
    {
        HasSpecials = hasSpecials;
        if (hasSpecials && (items.Count < 2 || items[0] != Specials[0] || items[1] != Specials[1]))
            throw new ArgumentException($"a lexicon with specials must begin with {Specials[0]} {Specials[1]}");
        _table = new SymbolTable(hasSpecials ? Specials : [], items.Skip(hasSpecials ? Specials.Length : 0), what: "lexicon item");
    }

    /// <summary>Whether index 0 and 1 are padding and unknown.</summary>
    public bool HasSpecials { get; }
    /// <summary>Number of entries, specials included.</summary>
    public int Count => _table.Count;
    /// <summary>The entries in index order.</summary>
    public IReadOnlyList<string> Items => _table.Symbols;
    /// <summary>The item at an index.</summary>
    public string this[int index] => _table[index];

    /// <summary>The index of an item, or <see cref="Unknown"/> (with specials) / -1 (without) when absent.</summary>
    public int IndexOf(string item) => _table.IndexOf(item, HasSpecials ? Unknown : -1);

    /// <summary>Whether the lexicon holds the item.</summary>
    public bool Contains(string item) => _table.Contains(item);

    /// <summary>Builds a lexicon of the items seen at least <paramref name="minCount"/> times, most frequent first (ties by ordinal order).</summary>
    public static Lexicon Build(IEnumerable<string> items, int minCount, bool withSpecials)
    {
        var kept = SymbolTable.ByFrequency(items, minCount, TieOrder.Ordinal, withSpecials ? Specials : null);
        return new Lexicon(withSpecials ? [.. Specials, .. kept] : kept, withSpecials);
    }

    /// <summary>The lexicon as JSON: <c>{"specials": bool, "items": [...]}</c>.</summary>
    public JsonNode ToJson() => new JsonObject { ["specials"] = HasSpecials, ["items"] = _table.ToJson() };

    /// <summary>Reads a lexicon written by <see cref="ToJson"/>.</summary>
    public static Lexicon FromJson(JsonNode? node, string what)
    {
        if (node is not JsonObject o || o["items"] is not JsonArray items)
            throw new InvalidDataException($"the checkpoint's {what} lexicon is missing or malformed");
        return new Lexicon(items.Select(n => n?.GetValue<string>() ?? "").ToArray(), o["specials"]?.GetValue<bool>() ?? false);
    }
}
