using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// Byte-pair encoding of words into subword units (Sennrich, Haddow and Birch 2016, "Neural Machine Translation of Rare
/// Words with Subword Units", section 3.2 and Algorithm 1). Learning: every word of the training text (from
/// <see cref="Tokenizer.Translation"/>) is a sequence of characters (text elements) whose last one carries the end-of-word
/// marker <c>&lt;/w&gt;</c> (<c>low</c> = <c>l o w&lt;/w&gt;</c>); the most frequent adjacent symbol pair, counted over
/// the word frequencies, is replaced by its concatenation, <c>N</c> times (fewer when no pair occurs twice).
/// Ties are broken by the ordinal order of the left, then the right symbol. Applying: a word's adjacent pair with the
/// earliest merge is merged (every occurrence), until no pair of the word is a learned merge.
/// Output convention (Sennrich et al.'s <c>@@ </c>): every subword of a word except the last ends in <c>@@</c>, so
/// <c>lowest</c> may become <c>low@@ est</c>, and <see cref="Decode"/> glues a piece ending in <c>@@</c> to the next.
/// Characters never seen in training stay single symbols (a vocabulary then maps them to <c>&lt;unk&gt;</c>); the
/// symbol <c>&lt;unk&gt;</c> itself passes through as one word.
/// </summary>
public sealed class BytePairEncoding
{
    /// <summary>End-of-word marker used while learning and applying merges (never in the output symbols).</summary>
    public const string EndOfWord = "</w>";

    /// <summary>Suffix of every subword that is not the last of its word.</summary>
    public const string Continuation = "@@";

    /// <summary>The unknown-word symbol, kept as one word.</summary>
    public const string UnknownSymbol = Vocabulary.UnknownText;

    readonly List<(string Left, string Right)> _merges;
    readonly Dictionary<(string, string), int> _rank;
    readonly ConcurrentDictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates an encoding from learned merges, in the order they were learned (earliest first).</summary>
    public BytePairEncoding(IEnumerable<(string Left, string Right)> merges)
    {
        ArgumentNullException.ThrowIfNull(merges);
        _merges = [.. merges];
        _rank = new Dictionary<(string, string), int>();
        for (int i = 0; i < _merges.Count; i++)
        {
            var (l, r) = _merges[i];
            if (string.IsNullOrEmpty(l) || string.IsNullOrEmpty(r))
                throw new ArgumentException($"merge {i} must join two non-empty symbols; got '{l}' + '{r}'");
            if (l.Contains(EndOfWord, StringComparison.Ordinal))
                throw new ArgumentException($"merge {i}: the left symbol '{l}' contains the end-of-word marker {EndOfWord}, which only a word's last symbol may carry");
            if (l.Any(char.IsWhiteSpace) || r.Any(char.IsWhiteSpace))
                throw new ArgumentException($"merge {i} must not contain whitespace; got '{l}' + '{r}'");
            if (!_rank.TryAdd((l, r), i)) throw new ArgumentException($"merge {i} ('{l}' + '{r}') repeats an earlier merge");
        }
    }

    /// <summary>The merges in learning order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => _merges;

    /// <summary>Learns up to <paramref name="merges"/> merges from the words of <paramref name="texts"/> (tokenised by <see cref="Tokenizer.Translation"/>); stops early when no pair occurs at least twice.</summary>
    public static BytePairEncoding Learn(IEnumerable<string> texts, int merges)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in texts)
            foreach (var w in Tokenizer.Translation.Tokenize(t ?? throw new ArgumentException("a training text is null")))
                counts[w] = counts.GetValueOrDefault(w) + 1;
        return LearnFromCounts(counts, merges);
    }

    /// <summary>Learns up to <paramref name="merges"/> merges from word frequencies (Sennrich et al. 2016, Algorithm 1); stops early when no pair occurs at least twice.</summary>
    public static BytePairEncoding LearnFromCounts(IReadOnlyDictionary<string, long> wordCounts, int merges)
    {
        ArgumentNullException.ThrowIfNull(wordCounts);
        if (merges < 0) throw new ArgumentException($"the number of merges must be >= 0; got {merges}");
        var words = new List<List<string>>();
        var freq = new List<long>();
        foreach (var (w, c) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            CheckWord(w);
            if (c < 1) throw new ArgumentException($"the count of '{w}' must be >= 1; got {c}");
            if (w == UnknownSymbol) continue;
            words.Add(Characters(w));
            freq.Add(c);
        }

        // Pair statistics over all words, and for each pair the words it occurs in (may list words that lost it).
        var pairs = new Dictionary<(string, string), long>();
        var where = new Dictionary<(string, string), HashSet<int>>();
        void Count(int wi, int sign)
        {
            var s = words[wi];
            for (int i = 0; i + 1 < s.Count; i++)
            {
                var p = (s[i], s[i + 1]);
                long n = pairs.GetValueOrDefault(p) + sign * freq[wi];
                if (n == 0) pairs.Remove(p); else pairs[p] = n;
                if (sign > 0)
                {
                    if (!where.TryGetValue(p, out var set)) where[p] = set = [];
                    set.Add(wi);
                }
            }
        }
        for (int wi = 0; wi < words.Count; wi++) Count(wi, +1);

        var learned = new List<(string, string)>();
        while (learned.Count < merges)
        {
            (string L, string R) best = ("", "");
            long bestCount = 0;
            foreach (var (p, n) in pairs)
                if (n > bestCount || n == bestCount && Before(p, best)) { best = p; bestCount = n; }
            if (bestCount < 2) break;
            learned.Add(best);
            foreach (int wi in where[best].ToList())
            {
                if (!Contains(words[wi], best)) continue;
                Count(wi, -1);
                words[wi] = Merge(words[wi], best.L, best.R);
                Count(wi, +1);
            }
            where.Remove(best);
        }
        return new BytePairEncoding(learned);
    }

    static void CheckWord(string word)
    {
        if (string.IsNullOrEmpty(word) || word.Any(char.IsWhiteSpace))
            throw new ArgumentException($"a word must be non-empty and without whitespace; got '{word}'");
        if (word.EndsWith(Continuation, StringComparison.Ordinal) || word.Contains(EndOfWord, StringComparison.Ordinal))
            throw new ArgumentException($"a word must not end in '{Continuation}' or contain '{EndOfWord}' (the subword markers); got '{word}'");
    }

    static bool Before((string L, string R) a, (string L, string R) b)
    {
        int c = string.CompareOrdinal(a.L, b.L);
        return c < 0 || c == 0 && string.CompareOrdinal(a.R, b.R) < 0;
    }

    static bool Contains(List<string> s, (string L, string R) p)
    {
        for (int i = 0; i + 1 < s.Count; i++)
            if (s[i] == p.L && s[i + 1] == p.R) return true;
        return false;
    }

    static List<string> Merge(List<string> s, string left, string right)
    {
        var o = new List<string>(s.Count);
        for (int i = 0; i < s.Count; i++)
        {
            if (i + 1 < s.Count && s[i] == left && s[i + 1] == right) { o.Add(left + right); i++; }
            else o.Add(s[i]);
        }
        return o;
    }

    /// <summary>The characters (text elements) of <paramref name="word"/>, the last one with <see cref="EndOfWord"/>.</summary>
    static List<string> Characters(string word)
    {
        var list = new List<string>(word.Length);
        var e = StringInfo.GetTextElementEnumerator(word);
        while (e.MoveNext()) list.Add(e.GetTextElement());
        list[^1] += EndOfWord;
        return list;
    }

    /// <summary>The subwords of one word (no whitespace), all but the last ending in <see cref="Continuation"/>.</summary>
    public IReadOnlyList<string> EncodeWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        CheckWord(word);
        if (word == UnknownSymbol) return [UnknownSymbol];
        return _cache.GetOrAdd(word, w =>
        {
            var s = Characters(w);
            while (s.Count > 1)
            {
                int bestRank = int.MaxValue;
                (string, string) best = ("", "");
                for (int i = 0; i + 1 < s.Count; i++)
                    if (_rank.TryGetValue((s[i], s[i + 1]), out int r) && r < bestRank) { bestRank = r; best = (s[i], s[i + 1]); }
                if (bestRank == int.MaxValue) break;
                s = Merge(s, best.Item1, best.Item2);
            }
            var o = new string[s.Count];
            for (int i = 0; i < s.Count; i++)
                o[i] = i + 1 < s.Count ? s[i] + Continuation : s[i][..^EndOfWord.Length];
            return o;
        });
    }

    /// <summary>The subwords of <paramref name="text"/>: its <see cref="Tokenizer.Translation"/> words, each split by <see cref="EncodeWord"/>.</summary>
    public List<string> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var o = new List<string>();
        foreach (var w in Tokenizer.Translation.Tokenize(text)) o.AddRange(EncodeWord(w));
        return o;
    }

    /// <summary>The words of subwords <paramref name="pieces"/>: a piece ending in <see cref="Continuation"/> is glued to the next; a dangling one at the end becomes a word without its suffix.</summary>
    public static List<string> Decode(IEnumerable<string> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var p in pieces)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(pieces));
            if (p.EndsWith(Continuation, StringComparison.Ordinal) && p.Length > Continuation.Length)
                current.Append(p, 0, p.Length - Continuation.Length);
            else
            {
                current.Append(p);
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>The merges as JSON: an array of <c>[left, right]</c> pairs in learning order.</summary>
    public JsonNode ToJson() => new JsonArray(_merges.Select(m => (JsonNode?)new JsonArray(JsonValue.Create(m.Left), JsonValue.Create(m.Right))).ToArray());

    /// <summary>Reads merges written by <see cref="ToJson"/>; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static BytePairEncoding FromJson(JsonNode? node)
    {
        if (node is not JsonArray arr) throw new InvalidDataException("BPE merges JSON must be an array of [left, right] pairs");
        var merges = new List<(string, string)>(arr.Count);
        for (int i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonArray pair || pair.Count != 2 || pair[0] is not JsonValue l || pair[1] is not JsonValue r
                || !l.TryGetValue(out string? left) || !r.TryGetValue(out string? right))
                throw new InvalidDataException($"BPE merge {i} must be a [left, right] pair of strings; got {arr[i]?.ToJsonString() ?? "null"}");
            merges.Add((left, right));
        }
        try { return new BytePairEncoding(merges); }
        catch (ArgumentException e) { throw new InvalidDataException("BPE merges JSON is invalid: " + e.Message, e); }
    }
}
