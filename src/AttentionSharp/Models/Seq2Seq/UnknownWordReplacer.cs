using System.Text;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>How a decoded <c>&lt;unk&gt;</c> is treated (Luong et al. 2015, "Effective approaches to attention-based NMT", Sec. 4.1; Jean et al. 2015).</summary>
public enum UnknownReplacement
{
    /// <summary>Decoding never emits <c>&lt;unk&gt;</c> (<see cref="Vocabulary.NeverEmitted"/>): a word model writes its best known word instead.</summary>
    Off,
    /// <summary>Decoding may emit <c>&lt;unk&gt;</c>; each one is replaced by the source symbol it attends to most.</summary>
    Copy,
    /// <summary>As <see cref="Copy"/>, but the source word's dictionary translation is written when the dictionary has one.</summary>
    Dictionary,
}

/// <summary>
/// Post-processing of an attention model's output (Luong et al. 2015, after Jean et al. 2015 and Luong et al. 2015b): the model
/// may emit <c>&lt;unk&gt;</c>, and every <c>&lt;unk&gt;</c> in the output is replaced by the source symbol with the largest
/// attention weight at that output step, or by that symbol's translation when a word dictionary is given and knows it. The
/// source symbol is the original one (e.g. a German name that the source vocabulary reads as <c>&lt;unk&gt;</c>), not its id.
/// </summary>
public sealed class UnknownWordReplacer
{
    readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _dictionary;

    /// <summary>A replacer that copies the most-attended source symbol (<paramref name="dictionary"/> null or empty) or writes its
    /// translation from <paramref name="dictionary"/> (source symbol to target symbols) when it has one.</summary>
    public UnknownWordReplacer(IReadOnlyDictionary<string, IReadOnlyList<string>>? dictionary = null)
    {
        _dictionary = dictionary ?? new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (key, value) in _dictionary)
            if (value.Count == 0) throw new ArgumentException($"the dictionary's translation of '{key}' is empty; expected at least one target symbol");
    }

    /// <summary>Source symbols the dictionary translates.</summary>
    public int DictionarySize => _dictionary.Count;

    /// <summary>
    /// The output symbols with each <c>&lt;unk&gt;</c> replaced: <paramref name="output"/> are the decoded symbols (end-of-sentence
    /// excluded), <paramref name="weights"/> row <c>t</c> the attention of output symbol <c>t</c> over the
    /// <paramref name="source"/> symbols (at least as many entries; extra ones, e.g. the padding of a batch, are ignored). Ties go
    /// to the first source position. Returns the new symbols and the number of replacements.
    /// </summary>
    public (List<string> Symbols, int Replaced) Replace(IReadOnlyList<string> source, IReadOnlyList<string> output, IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(weights);
        var symbols = new List<string>(output.Count);
        int replaced = 0;
        for (int t = 0; t < output.Count; t++)
        {
            if (output[t] != Vocabulary.UnknownText) { symbols.Add(output[t]); continue; }
            if (source.Count == 0) throw new ArgumentException("an <unk> cannot be replaced without source symbols");
            if (t >= weights.Count) throw new ArgumentException($"output symbol {t} is <unk> but there are attention rows for only {weights.Count} output symbols");
            var row = weights[t];
            if (row.Length < source.Count) throw new ArgumentException($"attention row {t} has {row.Length} weights for {source.Count} source symbols; expected one per source symbol");
            int best = 0;
            for (int j = 1; j < source.Count; j++)
                if (row[j] > row[best]) best = j;
            var word = source[best];
            if (_dictionary.TryGetValue(word, out var translation)) symbols.AddRange(translation);
            else symbols.Add(word);
            replaced++;
        }
        return (symbols, replaced);
    }

    /// <summary>
    /// A word dictionary from <paramref name="pairs"/> (source word or phrase, its translation): entries whose source is one
    /// <paramref name="source"/> symbol are kept, the first entry of a symbol wins (dictionaries list the main sense first), and a
    /// leading English infinitive marker <c>to</c> is dropped from a translation of more than one word (<c>schäumen</c> ::
    /// <c>to lather</c> gives <c>lather</c>). Targets are split into <paramref name="target"/> symbols.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> WordDictionary(IEnumerable<SentencePair> pairs, Vocabulary source, Vocabulary target)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var dictionary = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            var key = source.Split(p.Source.Trim());
            if (key.Count != 1 || dictionary.ContainsKey(key[0])) continue;
            var words = target.Split(p.Target.Trim());
            if (words.Count > 1 && words[0] == "to") words.RemoveAt(0);
            if (words.Count > 0) dictionary[key[0]] = words;
        }
        return dictionary;
    }

    /// <summary>
    /// Reads a word dictionary file: UTF-8, one <c>source&lt;TAB&gt;translation</c> per line, blank lines and lines starting with
    /// <c>#</c> skipped; entries as <see cref="WordDictionary"/> keeps them. Throws <see cref="FileNotFoundException"/> or
    /// <see cref="InvalidDataException"/> (naming the line) for a missing or malformed file.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> ReadDictionary(string path, Vocabulary source, Vocabulary target)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"unknown-word dictionary not found: {path} (expected a UTF-8 file of 'source<TAB>translation' lines)", path);
        var pairs = new List<SentencePair>();
        int number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var parts = line.Split('\t');
            if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
                throw new InvalidDataException($"{path}:{number}: expected 'source<TAB>translation' (two non-empty fields); got '{line}'");
            pairs.Add(new SentencePair(parts[0].Trim(), parts[1].Trim()));
        }
        var dictionary = WordDictionary(pairs, source, target);
        if (dictionary.Count == 0) throw new InvalidDataException($"{path}: no entry whose source is a single {source.Level.ToString().ToLowerInvariant()} symbol of the model's source vocabulary");
        return dictionary;
    }
}
