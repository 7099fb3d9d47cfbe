using System.Text.Json.Nodes;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Token to index map with a padding token (index 0) and an unknown token (index 1). Built from training texts only:
/// tokens seen fewer than a minimum count times, or beyond the size limit (most frequent kept, ties in ordinal order),
/// map to the unknown token. Stored in checkpoints as a JSON array of tokens in index order.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The padding token, index 0.</summary>
    public const string PadToken = "<pad>";
    /// <summary>The unknown token, index 1.</summary>
    public const string UnknownToken = "<unk>";
    /// <summary>Index of the padding token.</summary>
    public const int Pad = 0;
    /// <summary>Index of the unknown token.</summary>
    public const int Unknown = 1;

    static readonly string[] Specials = [PadToken, UnknownToken];
    readonly SymbolTable _table;

    Vocabulary(SymbolTable table) => _table = table;

    /// <summary>Number of entries, padding and unknown included.</summary>
    public int Count => _table.Count;

    /// <summary>The token at <paramref name="index"/>.</summary>
    public string this[int index] => _table[index];

    /// <summary>The index of <paramref name="token"/>, or <see cref="Unknown"/>.</summary>
    public int IndexOf(string token) => _table.IndexOf(token, Unknown);

    /// <summary>Builds a vocabulary from tokenised texts: tokens seen at least <paramref name="minCount"/> times, at most <paramref name="maxSize"/> entries in all.</summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> texts, int minCount = 2, int maxSize = 50_000)
    {
        if (maxSize < 3) throw new ArgumentException($"maxSize must be at least 3 (padding, unknown and one token); got {maxSize}");
        var kept = SymbolTable.ByFrequency(texts.SelectMany(t => t), minCount, TieOrder.Ordinal, Specials, maxSize - Specials.Length);
        return new Vocabulary(new SymbolTable(Specials, kept, what: "vocabulary token"));
    }

    /// <summary>This vocabulary followed by the tokens of <paramref name="extra"/> it lacks, in their order, up to <paramref name="maxSize"/> entries in all.</summary>
    public Vocabulary Extend(IEnumerable<string> extra, int maxSize)
    {
        var added = extra.Distinct(StringComparer.Ordinal).Where(t => !_table.Contains(t)).Take(Math.Max(0, maxSize - Count));
        return new Vocabulary(new SymbolTable(Specials, _table.Regular.Concat(added), what: "vocabulary token"));
    }

    /// <summary>The vocabulary as a JSON array of tokens in index order.</summary>
    public JsonArray ToJson() => _table.ToJson();

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static Vocabulary FromJson(JsonNode? node)
    {
        var tokens = SymbolTable.ReadJson(node, "a vocabulary");
        if (tokens.Count < 2 || tokens[Pad] != PadToken || tokens[Unknown] != UnknownToken)
            throw new InvalidDataException($"a vocabulary must start with {PadToken}, {UnknownToken}; got {string.Join(", ", tokens.Take(2))}");
        try { return new Vocabulary(new SymbolTable(Specials, tokens.Skip(Specials.Length), what: "vocabulary token")); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message); }
    }
}
