using System.Text;
using System.Text.RegularExpressions;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// German-English sentence pairs from the TU Chemnitz dictionary (Debian package <c>trans-de-en</c>, file <c>usr/share/trans/de-en</c>):
/// each line is <c>German :: English</c>, with sub-entries separated by <c> | </c> that align one-to-one. Only real sentences are kept.
/// </summary>
public static partial class TransDeEn
{
    /// <summary>File name of the dictionary in the dataset folder.</summary>
    public const string FileName = "de-en";

    /// <summary>The dataset as the cache knows it (fetched with <c>apt-get download trans-de-en</c>).</summary>
    public static DatasetSource Source { get; } = new("trans-de-en", "German-English dictionary (TU Chemnitz, Debian trans-de-en 1.9-6), ~18k sentence pairs",
        [new DataFile(FileName, 25_611_714, "595a99efc451255c4c765af683222ce6")],
        [new DebianRoute("trans-de-en", n => "usr/share/trans/" + n)]);

    /// <summary>Smallest number of words on each side of a kept pair.</summary>
    public const int MinWords = 3;
    /// <summary>Largest number of words on each side of a kept pair.</summary>
    public const int MaxWords = 30;

    [GeneratedRegex(@"\{[^}]*\}|\[[^\]]*\]|<[^>]*>")]
    private static partial Regex Notes();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>Typographic characters mapped to ASCII, whitespace collapsed, Unicode NFC.</summary>
    public static string Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text.Normalize(NormalizationForm.FormC))
            sb.Append(c switch
            {
                '\u2019' or '\u2018' or '\u00B4' or '`' => '\'',
                '\u201E' or '\u201C' or '\u201D' or '\u00AB' or '\u00BB' => '"',
                '\u2013' or '\u2014' => '-',
                '\u00A0' => ' ',
                _ => c,
            });
        return Spaces().Replace(sb.ToString(), " ").Trim();
    }

    /// <summary>Removes <c>{n}</c>-style grammar tags, <c>[...]</c> notes and <c>&lt;...&gt;</c> spelling variants, then normalises.</summary>
    public static string StripNotes(string text) => Normalise(Notes().Replace(text, " "));

    /// <summary>Whether <paramref name="text"/> (stripped) looks like a real sentence: capital or quote first, ends in . ! ?, 3-30 words, no dictionary placeholders or alternatives.</summary>
    public static bool IsSentence(string text)
    {
        if (text.Length < 5) return false;
        char first = text[0], last = text[^1];
        if (!(char.IsUpper(first) || first == '"' || char.IsDigit(first))) return false;
        if (last is not ('.' or '!' or '?') && !(text.Length > 1 && text[^1] == '"' && text[^2] is '.' or '!' or '?')) return false;
        if (text.Contains(" / ") || text.Contains('/') || text.Contains("...") || text.Contains('…') || text.Contains(';')) return false;
        foreach (var placeholder in new[] { "sb.", "sth.", "jdm.", "jdn.", "etw.", "jds.", "sb's", "so.", "~" })
            if (text.Contains(placeholder, StringComparison.Ordinal)) return false;
        int words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return words is >= MinWords and <= MaxWords;
    }

    /// <summary>
    /// The aligned sub-entries of one dictionary line <c>de1 | de2 :: en1 | en2</c>, raw (notes not stripped); null for an
    /// empty or comment line, a line without exactly one <c> :: </c>, or one whose sides hold different numbers of sub-entries.
    /// </summary>
    public static (string[] German, string[] English)? SubEntries(string line)
    {
        if (line.Length == 0 || line[0] == '#') return null;
        int sep = line.IndexOf(" :: ", StringComparison.Ordinal);
        if (sep < 0 || line.IndexOf(" :: ", sep + 4, StringComparison.Ordinal) >= 0) return null;
        var de = line[..sep].Split(" | ");
        var en = line[(sep + 4)..].Split(" | ");
        return de.Length == en.Length ? (de, en) : null;
    }

    /// <summary>The sentence pairs of one dictionary line (empty when the line has none or its sides do not align).</summary>
    public static IEnumerable<SentencePair> ParseLine(string line)
    {
        if (SubEntries(line) is not var (de, en)) yield break;
        for (int i = 0; i < de.Length; i++)
        {
            string s = StripNotes(de[i]), t = StripNotes(en[i]);
            if (IsSentence(s) && IsSentence(t)) yield return new SentencePair(s, t);
        }
    }

    /// <summary>Every sentence pair of the dictionary text, de-duplicated by source sentence (first kept).</summary>
    public static List<SentencePair> Parse(IEnumerable<string> lines)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new List<SentencePair>();
        foreach (var line in lines)
            foreach (var p in ParseLine(line))
                if (seen.Add(p.Source)) pairs.Add(p);
        return pairs;
    }

    /// <summary>Loads the corpus from the cache (obtaining it first if needed) and splits it by a stable hash: 5% dev, 5% test.</summary>
    public static TranslationCorpus Load(string cacheRoot, TextWriter log) => Load(cacheRoot, log, withDictionaryPhrases: false, extraMax: 0);

    /// <summary>
    /// Loads the sentence corpus as <see cref="Load(string, TextWriter)"/> and, when <paramref name="withDictionaryPhrases"/>,
    /// adds the dictionary's word and phrase pairs to the training part only (<see cref="FromLines"/>).
    /// </summary>
    public static TranslationCorpus Load(string cacheRoot, TextWriter log, bool withDictionaryPhrases, int extraMax)
    {
        string folder = Source.Ensure(cacheRoot, log);
        return FromLines(File.ReadLines(Path.Combine(folder, FileName), Encoding.UTF8), withDictionaryPhrases, extraMax, log);
    }

    /// <summary>
    /// The corpus of dictionary text <paramref name="lines"/> (enumerated once, or twice with phrases): the sentence pairs split by a stable
    /// hash (5% dev, 5% test) and, when <paramref name="withDictionaryPhrases"/>, the word and phrase pairs (<see cref="DictionaryPhrases"/>)
    /// appended to the training part only: pairs whose source or target matches a dev or test side are dropped, then at most
    /// <paramref name="extraMax"/> are kept (0 = all). Dev and test are exactly those of the sentence corpus.
    /// </summary>
    public static TranslationCorpus FromLines(IEnumerable<string> lines, bool withDictionaryPhrases, int extraMax, TextWriter log)
    {
        if (extraMax < 0) throw new ArgumentOutOfRangeException(nameof(extraMax), $"extraMax must be 0 (all) or positive; got {extraMax}");
        var corpus = TranslationCorpus.SplitByHash("de-en", Parse(lines));
        if (!withDictionaryPhrases) return corpus;
        var phrases = DictionaryPhrases.Parse(lines);
        var (kept, leaks) = DictionaryPhrases.WithoutLeaks(phrases, corpus);
        var extra = DictionaryPhrases.Subset(kept, extraMax);
        log.WriteLine($"dictionary word/phrase pairs: {phrases.Count} parsed, {leaks} dropped (source or target equals a dev/test side), " +
                      $"{extra.Count} added to the training part" + (extraMax > 0 ? $" (at most {extraMax}: lowest FNV-1a hashes)" : ""));
        return corpus.WithExtraTraining(extra);
    }
}
