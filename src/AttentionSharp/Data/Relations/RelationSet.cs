using System.Text.Json;
using System.Text.Json.Nodes;

namespace AttentionSharp.Data.Relations;

/// <summary>
/// The relations of a task, <see cref="NA"/> (no relation) first at index 0, the rest in the order the list gives them.
/// Read from OpenNRE's <c>rel2id.json</c> (<c>{"NA": 0, "/location/...": 1, ...}</c>) or a text file with one name a line.
/// </summary>
public sealed class RelationSet
{
    /// <summary>The name of "no relation" (OpenNRE's and NYT10's <c>NA</c>).</summary>
    public const string NA = "NA";

    readonly Dictionary<string, int> _index;

    /// <summary>Creates a set from names; <see cref="NA"/> is put first whether or not it is listed.</summary>
    public RelationSet(IEnumerable<string> names)
    {
        var list = new List<string> { NA };
        foreach (var n in names)
        {
            if (string.IsNullOrWhiteSpace(n)) throw new ArgumentException("a relation name is empty");
            if (n == NA) continue;
            if (list.Contains(n)) throw new ArgumentException($"relation '{n}' is listed twice");
            list.Add(n);
        }
        if (list.Count < 2) throw new ArgumentException("a relation set needs at least one relation besides NA");
        Names = list;
        _index = list.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Names in index order, <see cref="NA"/> first.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of relations, NA included.</summary>
    public int Count => Names.Count;

    /// <summary>Whether <paramref name="name"/> is in the set.</summary>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>The index of <paramref name="name"/>; throws naming the known relations when it is not in the set.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int i) ? i
        : throw new KeyNotFoundException($"unknown relation '{name}'; the relation list has {Count}: {string.Join(", ", Names.Take(8))}{(Count > 8 ? ", ..." : "")}");

    /// <summary>
    /// Reads a relation list: a JSON object name -> id (OpenNRE's rel2id.json; ids must be 0..n-1, each once; NA must be
    /// present) or plain text, one name a line (blank lines and <c>#</c> comments skipped).
    /// </summary>
    public static RelationSet Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"relation list '{path}' does not exist", path);
        string text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith('{'))
        {
            List<KeyValuePair<string, JsonNode?>> entries;
            // ArgumentException: a name written twice in the object (System.Text.Json's nodes refuse it when first read)
            try { entries = [.. JsonNode.Parse(text)?.AsObject() ?? throw new InvalidDataException($"{path}: empty JSON")]; }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: not a JSON object name -> id, each name once ({e.Message})");
            }
            var pairs = new List<(string Name, int Id)>();
            foreach (var (name, node) in entries)
            {
                if (node is not JsonValue v || !v.TryGetValue(out int id))
                    throw new InvalidDataException($"{path}: relation '{name}' must map to an integer id; got {node?.ToJsonString() ?? "null"}");
                pairs.Add((name, id));
            }
            var ids = pairs.Select(p => p.Id).Order().ToArray();
            if (!ids.SequenceEqual(Enumerable.Range(0, ids.Length)))
                throw new InvalidDataException($"{path}: relation ids must be 0..{ids.Length - 1}, each once; got {string.Join(", ", ids.Take(12))}");
            if (!pairs.Any(p => p.Name == NA)) throw new InvalidDataException($"{path}: the relation list must contain '{NA}' (no relation)");
            return Create(pairs.OrderBy(p => p.Id).Select(p => p.Name), path);
        }
        var names = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (!names.Contains(NA)) throw new InvalidDataException($"{path}: the relation list must contain '{NA}' (no relation)");
        return Create(names, path);
    }

    /// <summary>The set of a file's names; a name listed twice or empty is an error in the file.</summary>
    static RelationSet Create(IEnumerable<string> names, string path)
    {
        try { return new RelationSet(names); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>The set as OpenNRE's rel2id JSON object.</summary>
    public string ToRel2IdJson()
    {
        var obj = new JsonObject();
        for (int i = 0; i < Names.Count; i++) obj[Names[i]] = i;
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
