namespace AttentionSharp.Data.Captioning;

/// <summary>
/// The words a captioner reads and writes: <c>&lt;pad&gt;</c> = 0, <c>&lt;bos&gt;</c> = 1, <c>&lt;eos&gt;</c> = 2, <c>&lt;unk&gt;</c> = 3, then
/// the words in a fixed order. Captions are lower-case words separated by spaces (<see cref="Tokenize"/>).
/// </summary>
public sealed class CaptionVocabulary
{
    /// <summary>Padding id.</summary>
    public const int Pad = 0;
    /// <summary>Start-of-caption id.</summary>
    public const int Bos = 1;
    /// <summary>End-of-caption id.</summary>
    public const int Eos = 2;
    /// <summary>Unknown-word id.</summary>
    public const int Unknown = 3;

    static readonly string[] Specials = ["<pad>", "<bos>", "<eos>", "<unk>"];
    readonly SymbolTable _table;

    /// <summary>A vocabulary of <paramref name="words"/> (after the four special tokens; duplicates and specials are rejected).</summary>
    public CaptionVocabulary(IEnumerable<string> words) => _table = new SymbolTable(Specials, words, what: "vocabulary word");

    /// <summary>The words after the special tokens (what a checkpoint stores).</summary>
    public string[] Words => [.. _table.Regular];

    /// <summary>Number of ids, special tokens included.</summary>
    public int Count => _table.Count;

    /// <summary>The word of an id.</summary>
    public string this[int id] => _table[id];

    /// <summary>Splits a caption into lower-case words (spaces and tabs separate; nothing else is split).</summary>
    public static string[] Tokenize(string caption) =>
        caption.ToLowerInvariant().Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The words of <paramref name="captions"/> seen at least <paramref name="minCount"/> times, most frequent first (ties: ordinal).</summary>
    public static CaptionVocabulary Build(IEnumerable<string> captions, int minCount = 1) =>
        new(SymbolTable.ByFrequency(captions.SelectMany(Tokenize), Math.Max(1, minCount), TieOrder.Ordinal, Specials));

    /// <summary>The id of <paramref name="word"/>, or <see cref="Unknown"/>.</summary>
    public int IdOf(string word) => _table.IndexOf(word, Unknown);

    /// <summary>Whether <paramref name="word"/> is in the vocabulary.</summary>
    public bool Contains(string word) => _table.Contains(word);

    /// <summary>
    /// The ids of a caption's words; <paramref name="strict"/>: a word outside the vocabulary is an error naming it, else it
    /// becomes <see cref="Unknown"/>.
    /// </summary>
    public int[] Encode(string caption, bool strict = false)
    {
        var words = Tokenize(caption);
        if (words.Length == 0) throw new ArgumentException("a caption needs at least one word; got an empty caption");
        var ids = new int[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            ids[i] = IdOf(words[i]);
            if (strict && ids[i] == Unknown)
                throw new ArgumentException($"unknown word '{words[i]}' in caption \"{caption}\": the vocabulary has {Count - Specials.Length} words (from the training captions)");
        }
        return ids;
    }

    /// <summary>The caption of ids, stopping at <see cref="Eos"/> and skipping <see cref="Pad"/> and <see cref="Bos"/>.</summary>
    public string Decode(IEnumerable<int> ids) => string.Join(' ', WordsOf(ids));

    /// <summary>The words of ids up to <see cref="Eos"/>, skipping <see cref="Pad"/> and <see cref="Bos"/>.</summary>
    public IEnumerable<string> WordsOf(IEnumerable<int> ids)
    {
        foreach (int id in ids)
        {
            if (id == Eos) yield break;
            if (id is Pad or Bos) continue;
            yield return _table[id];
        }
    }
}
