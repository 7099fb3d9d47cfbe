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

    readonly List<string> _tokens;
    readonly Dictionary<string, int> _index;

    Vocabulary(List<string> tokens)
    {
        _tokens = tokens;
        _index = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
            if (!_index.TryAdd(tokens[i], i)) throw new ArgumentException($"vocabulary token '{tokens[i]}' appears twice (indices {_index[tokens[i]]} and {i})");
    }

    /// <summary>Number of entries, padding and unknown included.</summary>
    public int Count => _tokens.Count;

    /// <summary>The token at <paramref name="index"/>.</summary>
    public string this[int index] => _tokens[index];

    /// <summary>The index of <paramref name="token"/>, or <see cref="Unknown"/>.</summary>
    public int IndexOf(string token) => _index.TryGetValue(token, out int i) ? i : Unknown;

    /// <summary>Builds a vocabulary from tokenised texts: tokens seen at least <paramref name="minCount"/> times, at most <paramref name="maxSize"/> entries in all.</summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> texts, int minCount = 2, int maxSize = 50_000)
    {
        if (minCount < 1) throw new ArgumentException($"minCount must be at least 1; got {minCount}");
        if (maxSize < 3) throw new ArgumentException($"maxSize must be at least 3 (padding, unknown and one token); got {maxSize}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var t in text)
                counts[t] = counts.GetValueOrDefault(t) + 1;
        var kept = counts.Where(kv => kv.Value >= minCount && kv.Key != PadToken && kv.Key != UnknownToken)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxSize - 2).Select(kv => kv.Key);
        return new Vocabulary([PadToken, UnknownToken, .. kept]);
    }

    /// <summary>This vocabulary followed by the tokens of <paramref name="extra"/> it lacks, in their order, up to <paramref name="maxSize"/> entries in all.</summary>
    public Vocabulary Extend(IEnumerable<string> extra, int maxSize)
    {
        var tokens = new List<string>(_tokens);
        var seen = new HashSet<string>(_tokens, StringComparer.Ordinal);
        foreach (var t in extra)
        {
            if (tokens.Count >= maxSize) break;
            if (seen.Add(t)) tokens.Add(t);
        }
        return new Vocabulary(tokens);
    }

    /// <summary>The vocabulary as a JSON array of tokens in index order.</summary>
    public JsonArray ToJson() => new(_tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static Vocabulary FromJson(JsonNode? node)
    {
        if (node is not JsonArray array) throw new InvalidDataException($"a vocabulary must be a JSON array of tokens; got {node?.GetValueKind().ToString() ?? "nothing"}");
        var tokens = array.Select(n => n?.GetValue<string>() ?? throw new InvalidDataException("a vocabulary token is null")).ToList();
        if (tokens.Count < 2 || tokens[Pad] != PadToken || tokens[Unknown] != UnknownToken)
            throw new InvalidDataException($"a vocabulary must start with {PadToken}, {UnknownToken}; got {string.Join(", ", tokens.Take(2))}");
        try { return new Vocabulary(tokens); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message); }
    }
}
