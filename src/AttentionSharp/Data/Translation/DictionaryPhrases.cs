using System.Text.RegularExpressions;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// Extra training pairs from the word and phrase entries of the TU Chemnitz dictionary (<see cref="TransDeEn"/>):
/// the aligned sub-entries that are <em>not</em> sentence pairs, e.g. <c>Zeit {f}</c> :: <c>time</c> or
/// <c>keine Zeit haben</c> :: <c>to have no time</c>. Each side is cleaned with <see cref="TransDeEn.StripNotes"/>
/// and has its <c>(...)</c> glosses removed; a side may list alternatives separated by <c>;</c>, which are split into
/// separate pairs only when the other side has a single item (every alternative translates it); sub-entries with
/// alternatives on both sides are skipped, since the dictionary does not align them. English infinitives keep their
/// <c>to</c> (<c>schäumen</c> :: <c>to lather</c>), as the dictionary writes them.
/// </summary>
public static partial class DictionaryPhrases
{
    /// <summary>Default largest number of words (whitespace-separated) on each side of an extra pair.</summary>
    public const int MaxWords = 8;

    /// <summary>Dictionary placeholders that mark a pattern rather than text (as <see cref="TransDeEn.IsSentence"/> rejects them).</summary>
    static readonly string[] Placeholders = ["sb.", "sth.", "jdm.", "jdn.", "etw.", "jds.", "sb's", "so.", "~"];

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex Gloss();

    /// <summary>Removes <c>{...}</c>, <c>[...]</c>, <c>&lt;...&gt;</c> (<see cref="TransDeEn.StripNotes"/>) and <c>(...)</c> glosses, innermost first, then normalises.</summary>
    public static string Clean(string text)
    {
        string s = TransDeEn.StripNotes(text), before;
        do { before = s; s = Gloss().Replace(s, " "); } while (s != before);
        return TransDeEn.Normalise(s);
    }

    /// <summary>Whether one cleaned alternative is usable as a side of an extra pair: not empty, at most <paramref name="maxWords"/> words, no placeholders, <c>/</c>, <c>;</c>, <c>...</c> or unbalanced brackets.</summary>
    public static bool IsPhrase(string text, int maxWords = MaxWords)
    {
        if (text.Length == 0 || !text.Any(char.IsLetterOrDigit)) return false;
        if (text.Contains('/') || text.Contains(';') || text.Contains("...") || text.Contains('…') || text.Contains(" :: ")) return false;
        if (text.IndexOfAny(['(', ')', '{', '}', '[', ']', '<', '>', '|']) >= 0) return false;
        foreach (var placeholder in Placeholders)
            if (text.Contains(placeholder, StringComparison.Ordinal)) return false;
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= maxWords;
    }

    /// <summary>The word and phrase pairs of one dictionary line (sentence pairs, which <see cref="TransDeEn.ParseLine"/> keeps, excluded).</summary>
    public static IEnumerable<SentencePair> ParseLine(string line, int maxWords = MaxWords)
    {
        if (maxWords < 1) throw new ArgumentOutOfRangeException(nameof(maxWords), $"maxWords must be at least 1; got {maxWords}");
        if (TransDeEn.SubEntries(line) is not var (de, en)) yield break;
        for (int i = 0; i < de.Length; i++)
        {
            // Notes first: a grammar note may itself hold ';' (e.g. "{bestrewed; bestrewn}").
            var sources = Alternatives(de[i]);
            var targets = Alternatives(en[i]);
            if (sources.Length > 1 && targets.Length > 1) continue;   // alternatives on both sides: not aligned
            foreach (var s in sources)
                foreach (var t in targets)
                {
                    if (!IsPhrase(s, maxWords) || !IsPhrase(t, maxWords)) continue;
                    if (TransDeEn.IsSentence(s) && TransDeEn.IsSentence(t)) continue;   // the sentence corpus's domain
                    yield return new SentencePair(s, t);
                }
        }
    }

    static string[] Alternatives(string side) =>
        Clean(side).Split(';').Select(TransDeEn.Normalise).Where(a => a.Length > 0).ToArray();

    /// <summary>Every word and phrase pair of the dictionary text, de-duplicated by (source, target), in file order.</summary>
    public static List<SentencePair> Parse(IEnumerable<string> lines, int maxWords = MaxWords)
    {
        var seen = new HashSet<SentencePair>();
        var pairs = new List<SentencePair>();
        foreach (var line in lines)
            foreach (var p in ParseLine(line, maxWords))
                if (seen.Add(p)) pairs.Add(p);
        return pairs;
    }

    /// <summary>The comparison key of a text for leakage checks: its <see cref="Tokenizer.Translation"/> tokens (lower-case) without punctuation-only tokens.</summary>
    public static string LeakageKey(string text) =>
        string.Join(' ', Tokenizer.Translation.Tokenize(TransDeEn.Normalise(text)).Where(t => t.Any(char.IsLetterOrDigit)));

    /// <summary>
    /// Drops the extra pairs whose source or target equals (by <see cref="LeakageKey"/>) the source or target of any
    /// dev or test pair of <paramref name="corpus"/>; returns the kept pairs and how many were dropped.
    /// </summary>
    public static (List<SentencePair> Kept, int Dropped) WithoutLeaks(IEnumerable<SentencePair> extra, TranslationCorpus corpus)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in corpus.Dev.Concat(corpus.Test)) { held.Add(LeakageKey(p.Source)); held.Add(LeakageKey(p.Target)); }
        var kept = new List<SentencePair>();
        int dropped = 0;
        foreach (var p in extra)
            if (held.Contains(LeakageKey(p.Source)) || held.Contains(LeakageKey(p.Target))) dropped++;
            else kept.Add(p);
        return (kept, dropped);
    }

    /// <summary>
    /// At most <paramref name="max"/> of <paramref name="pairs"/> (all when <paramref name="max"/> is 0): the ones with the
    /// smallest FNV-1a hash of <c>source TAB target</c>, so the subset is the same on every machine and does not depend on file order.
    /// </summary>
    public static List<SentencePair> Subset(IReadOnlyList<SentencePair> pairs, int max)
    {
        if (max < 0) throw new ArgumentOutOfRangeException(nameof(max), $"max must be 0 (all) or positive; got {max}");
        if (max == 0 || max >= pairs.Count) return [.. pairs];
        return pairs.OrderBy(p => StableHash.Fnv1a(p.Source + "\t" + p.Target)).ThenBy(p => p.Source, StringComparer.Ordinal)
            .ThenBy(p => p.Target, StringComparer.Ordinal).Take(max).ToList();
    }
}
