using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Data.Relations;

/// <summary>
/// OpenNRE's bag format (Han et al. 2019, the format of its NYT10 files): JSON lines, one sentence each,
/// <c>{"token": [...], "h": {"name": ..., "id": ..., "pos": [s, e]}, "t": {...}, "relation": "..."}</c> with token spans
/// <c>[s, e)</c>, or <c>"text": "..."</c> with character spans. This project adds an optional <c>"gold"</c> field: the relation
/// the sentence itself expresses (the generated benchmark writes it). Parsed strictly: every error names the file and line.
/// </summary>
public static class OpenNreFormat
{
    /// <summary>Reads every sentence of <paramref name="path"/>; relations must be in <paramref name="relations"/> (null: any). Blank lines are skipped.</summary>
    public static List<RelationSentence> Read(string path, RelationSet? relations, bool requireRelation = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path, relations, requireRelation);
    }

    /// <summary>Reads every sentence from <paramref name="reader"/>; <paramref name="name"/> names the source in errors.</summary>
    public static List<RelationSentence> Read(TextReader reader, string name, RelationSet? relations, bool requireRelation = true)
    {
        var result = new List<RelationSentence>();
        int line = 0;
        for (string? text; (text = reader.ReadLine()) != null;)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try { result.Add(ParseLine(text, relations, requireRelation)); }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
            {
                // ArgumentException: System.Text.Json's nodes meet a key written twice in one object
                string what = e is JsonException ? "malformed JSON: " + e.Message
                    : e is ArgumentException ? "a key appears twice in one JSON object (" + e.Message + ")" : e.Message;
                throw new InvalidDataException($"{name} line {line}: {what}");
            }
        }
        return result;
    }

    /// <summary>Parses one JSON line; throws <see cref="FormatException"/>, <see cref="JsonException"/> or <see cref="KeyNotFoundException"/>.</summary>
    public static RelationSentence ParseLine(string line, RelationSet? relations, bool requireRelation = true)
    {
        var node = JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        if (node is not JsonObject obj) throw new FormatException($"expected a JSON object; got {node?.GetValueKind().ToString() ?? "null"}");
        string relation = RelationSet.NA;
        if (obj["relation"] is { } relNode) relation = String(relNode, "relation");
        else if (requireRelation) throw new FormatException("missing \"relation\"");
        if (relations != null && !relations.Contains(relation)) relations.IndexOf(relation); // throws: unknown relation
        string? gold = obj["gold"] is { } g ? String(g, "gold") : null;
        if (gold != null && relations != null && !relations.Contains(gold)) throw new KeyNotFoundException($"unknown gold relation '{gold}'");
        var h = obj["h"] as JsonObject ?? throw new FormatException("missing entity \"h\" (an object with name and pos)");
        var t = obj["t"] as JsonObject ?? throw new FormatException("missing entity \"t\" (an object with name and pos)");
        var (hs, he) = Span(h, "h");
        var (ts, te) = Span(t, "t");
        string hName = String(h["name"] ?? throw new FormatException("h has no \"name\""), "h.name");
        string tName = String(t["name"] ?? throw new FormatException("t has no \"name\""), "t.name");
        string? hId = h["id"] is { } hi ? String(hi, "h.id") : null;
        string? tId = t["id"] is { } ti ? String(ti, "t.id") : null;
        if (obj["token"] is JsonArray tokenArray)
        {
            var tokens = tokenArray.Select((n, i) => String(n ?? throw new FormatException($"token {i} is null"), $"token {i}").ToLowerInvariant()).ToArray();
            CheckSpan("h", hs, he, tokens.Length, "tokens");
            CheckSpan("t", ts, te, tokens.Length, "tokens");
            return new RelationSentence(tokens, new EntityMention(hName, hId, hs, he), new EntityMention(tName, tId, ts, te), relation, gold);
        }
        if (obj["text"] is { } textNode)
        {
            string text = String(textNode, "text");
            CheckSpan("h", hs, he, text.Length, "characters");
            CheckSpan("t", ts, te, text.Length, "characters");
            return FromText(text, (hs, he), (ts, te), hName, hId, tName, tId, relation, gold);
        }
        throw new FormatException("needs \"token\" (an array of strings) or \"text\" (a string)");
    }

    static void CheckSpan(string which, int s, int e, int length, string unit)
    {
        if (s < 0 || e <= s || e > length)
            throw new FormatException($"entity {which} span [{s}, {e}) is outside the sentence of {length} {unit} (expected 0 <= start < end <= {length})");
    }

    static (int Start, int End) Span(JsonObject entity, string which)
    {
        if (entity["pos"] is not JsonArray pos || pos.Count != 2)
            throw new FormatException($"entity {which} needs \"pos\": [start, end]; got {entity["pos"]?.ToJsonString() ?? "nothing"}");
        int Get(int i) => pos[i] is JsonValue v && v.TryGetValue(out int x) ? x
            : throw new FormatException($"entity {which} pos[{i}] must be an integer; got {pos[i]?.ToJsonString() ?? "null"}");
        return (Get(0), Get(1));
    }

    static string String(JsonNode node, string what) =>
        node is JsonValue v && v.TryGetValue(out string? s) && s != null ? s : throw new FormatException($"\"{what}\" must be a string; got {node.ToJsonString()}");

    /// <summary>Tokenises a sentence given as text with character spans: the text around and inside each span is tokenised separately, so the spans map to whole tokens.</summary>
    static RelationSentence FromText(string text, (int S, int E) h, (int S, int E) t, string hName, string? hId, string tName, string? tId, string relation, string? gold)
    {
        bool headFirst = h.S <= t.S;
        var (a, b) = headFirst ? (h, t) : (t, h);
        if (b.S < a.E) throw new FormatException($"entity spans [{h.S}, {h.E}) and [{t.S}, {t.E}) overlap");
        var tokens = new List<string>();
        tokens.AddRange(Tokenizer.Text.Tokenize(text[..a.S]));
        int aStart = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(text[a.S..a.E]));
        int aEnd = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(text[a.E..b.S]));
        int bStart = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(text[b.S..b.E]));
        int bEnd = tokens.Count;
        tokens.AddRange(Tokenizer.Text.Tokenize(text[b.E..]));
        if (aEnd == aStart || bEnd == bStart) throw new FormatException("an entity span holds no word");
        var (hm, tm) = headFirst ? ((aStart, aEnd), (bStart, bEnd)) : ((bStart, bEnd), (aStart, aEnd));
        return new RelationSentence([.. tokens], new EntityMention(hName, hId, hm.Item1, hm.Item2), new EntityMention(tName, tId, tm.Item1, tm.Item2), relation, gold);
    }

    /// <summary>One sentence as a JSON line in the token form (with <c>"gold"</c> when known).</summary>
    public static string ToLine(RelationSentence s)
    {
        var obj = new JsonObject
        {
            ["token"] = new JsonArray(s.Tokens.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
            ["h"] = Entity(s.Head),
            ["t"] = Entity(s.Tail),
            ["relation"] = s.Relation,
        };
        if (s.Gold != null) obj["gold"] = s.Gold;
        return obj.ToJsonString();
    }

    static JsonObject Entity(EntityMention e)
    {
        var o = new JsonObject { ["name"] = e.Name };
        if (e.Id != null) o["id"] = e.Id;
        o["pos"] = new JsonArray(e.Start, e.End);
        return o;
    }

    /// <summary>Writes sentences as JSON lines (atomically).</summary>
    public static void Write(string path, IEnumerable<RelationSentence> sentences)
    {
        var sb = new StringBuilder();
        foreach (var s in sentences) sb.Append(ToLine(s)).Append('\n');
        Training.AtomicFile.WriteAllText(path, sb.ToString());
    }
}
