using System.Globalization;
using System.Text.Json.Nodes;

namespace AttentionSharp.Data.Translation;

/// <summary>Whether a vocabulary's symbols are words (<see cref="Tokenizer.Translation"/>), characters (Unicode scalar values) or subwords (<see cref="BytePairEncoding"/>).</summary>
public enum VocabularyLevel
{
    /// <summary>Words and punctuation from <see cref="Tokenizer.Translation"/>.</summary>
    Word,
    /// <summary>Single characters (text elements), case kept.</summary>
    Char,
    /// <summary>Subwords of <see cref="Tokenizer.Translation"/> words by byte-pair encoding, <c>@@</c> ending every piece but a word's last.</summary>
    Subword,
}

/// <summary>A symbol table with the four specials <c>&lt;pad&gt;</c>=0, <c>&lt;unk&gt;</c>=1, <c>&lt;s&gt;</c>=2, <c>&lt;/s&gt;</c>=3; saved in checkpoints as JSON.</summary>
public sealed class Vocabulary
{
    /// <summary>Padding id.</summary>
    public const int Pad = 0;
    /// <summary>Unknown-symbol id.</summary>
    public const int Unk = 1;
    /// <summary>Start-of-sentence id.</summary>
    public const int Bos = 2;
    /// <summary>End-of-sentence id.</summary>
    public const int Eos = 3;
    /// <summary>The symbols a decoder must never emit: padding, unknown and start (unless unknown words are replaced after decoding, <see cref="Models.Seq2Seq.UnknownWordReplacer"/>).</summary>
    public static readonly int[] NeverEmitted = [Pad, Unk, Bos];
    /// <summary>The symbols a decoder must never emit when a remaining <c>&lt;unk&gt;</c> is replaced after decoding (Luong et al. 2015): padding and start.</summary>
    public static readonly int[] NeverEmittedKeepingUnknown = [Pad, Bos];

    /// <summary><see cref="NeverEmitted"/>, or <see cref="NeverEmittedKeepingUnknown"/> when <paramref name="allowUnknown"/>.</summary>
    public static int[] Banned(bool allowUnknown) => allowUnknown ? NeverEmittedKeepingUnknown : NeverEmitted;
    /// <summary>The text of the unknown symbol <see cref="Unk"/>.</summary>
    public const string UnknownText = "<unk>";
    static readonly string[] Specials = ["<pad>", UnknownText, "<s>", "</s>"];

    readonly SymbolTable _table;

    /// <summary>Creates a vocabulary of <paramref name="level"/> from symbols that follow the four specials; a subword vocabulary needs its <paramref name="subwords"/> encoding, the others none.</summary>
    public Vocabulary(VocabularyLevel level, IEnumerable<string> symbols, BytePairEncoding? subwords = null)
    {
        if (level == VocabularyLevel.Subword && subwords == null) throw new ArgumentException("a subword vocabulary needs its byte-pair encoding (merges)");
        if (level != VocabularyLevel.Subword && subwords != null) throw new ArgumentException($"a {level.ToString().ToLowerInvariant()} vocabulary takes no byte-pair encoding");
        Level = level;
        Subwords = subwords;
        _table = new SymbolTable(Specials, symbols, skipRepeats: true);
    }

    /// <summary>Word, character or subword level.</summary>
    public VocabularyLevel Level { get; }

    /// <summary>The byte-pair encoding of a subword vocabulary (null for the other levels).</summary>
    public BytePairEncoding? Subwords { get; }

    /// <summary>Number of symbols, specials included.</summary>
    public int Count => _table.Count;

    /// <summary>The symbol of <paramref name="id"/>.</summary>
    public string this[int id] => _table[id];

    /// <summary>Splits text into this vocabulary's symbols (words via <see cref="Tokenizer.Translation"/>, text elements, or BPE subwords of the words).</summary>
    public List<string> Split(string text) => Level switch
    {
        VocabularyLevel.Word => Tokenizer.Translation.Tokenize(text),
        VocabularyLevel.Subword => Subwords!.Encode(text),
        _ => TextElements(text),
    };

    /// <summary>The number of words of <paramref name="text"/>: <see cref="Tokenizer.Translation"/> words for word and subword vocabularies, text elements for character ones.</summary>
    public int WordCount(string text) => Level == VocabularyLevel.Char ? TextElements(text).Count : Tokenizer.Translation.Tokenize(text).Count;

    static List<string> TextElements(string text)
    {
        var list = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) list.Add(e.GetTextElement());
        return list;
    }

    /// <summary>Builds a vocabulary from <paramref name="texts"/>: symbols seen at least <paramref name="minCount"/> times, the most frequent <paramref name="maxSize"/> (ties by first appearance).</summary>
    public static Vocabulary Build(IEnumerable<string> texts, VocabularyLevel level, int minCount = 1, int maxSize = int.MaxValue)
    {
        if (level == VocabularyLevel.Subword) throw new ArgumentException("a subword vocabulary is built with Build(texts, bpe, ...) from its byte-pair encoding");
        return Build(texts, new Vocabulary(level, []), minCount, maxSize);
    }

    /// <summary>Builds a subword vocabulary from <paramref name="texts"/> segmented by <paramref name="bpe"/>: subwords seen at least <paramref name="minCount"/> times, the most frequent <paramref name="maxSize"/>.</summary>
    public static Vocabulary Build(IEnumerable<string> texts, BytePairEncoding bpe, int minCount = 1, int maxSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(bpe);
        return Build(texts, new Vocabulary(VocabularyLevel.Subword, [], bpe), minCount, maxSize);
    }

    static Vocabulary Build(IEnumerable<string> texts, Vocabulary probe, int minCount, int maxSize)
    {
        var kept = SymbolTable.ByFrequency(texts.SelectMany(probe.Split), minCount, TieOrder.FirstSeen, maxCount: maxSize - Specials.Length);
        return new Vocabulary(probe.Level, kept, probe.Subwords);
    }

    /// <summary>The ids of <paramref name="text"/>'s symbols (unknown symbols map to <see cref="Unk"/>), without BOS/EOS.</summary>
    public int[] Encode(string text) => Split(text).Select(s => _table.IndexOf(s, Unk)).ToArray();

    /// <summary>The symbols of <paramref name="text"/> this vocabulary does not know.</summary>
    public List<string> Unknown(string text) => Split(text).Where(s => !_table.Contains(s)).Distinct().ToList();

    /// <summary>The text of <paramref name="ids"/>, stopping at EOS and skipping PAD and BOS.</summary>
    public string Decode(IEnumerable<int> ids) =>
        Join(Symbols(ids));

    /// <summary>The symbols of <paramref name="ids"/>, stopping at EOS and skipping PAD and BOS.</summary>
    public List<string> Symbols(IEnumerable<int> ids)
    {
        var list = new List<string>();
        foreach (int id in ids)
        {
            if (id == Eos) break;
            if (id is Pad or Bos) continue;
            list.Add(id >= 0 && id < _table.Count ? _table[id] : _table[Unk]);
        }
        return list;
    }

    /// <summary>Joins symbols into text (detokenised words, concatenated characters, or subwords glued into words then detokenised).</summary>
    public string Join(IEnumerable<string> symbols) => Level switch
    {
        VocabularyLevel.Word => Tokenizer.Detokenize(symbols),
        VocabularyLevel.Subword => Tokenizer.Detokenize(BytePairEncoding.Decode(symbols)),
        _ => string.Concat(symbols),
    };

    /// <summary>The vocabulary as JSON: level, the symbols after the specials, and for subwords the BPE merges.</summary>
    public JsonNode ToJson()
    {
        var o = new JsonObject
        {
            ["level"] = Level.ToString().ToLowerInvariant(),
            ["symbols"] = _table.ToJson(Specials.Length),
        };
        if (Subwords != null) o["merges"] = Subwords.ToJson();
        return o;
    }

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static Vocabulary FromJson(JsonNode? node)
    {
        if (node is not JsonObject o || o["symbols"] is not JsonArray arr || o["level"]?.GetValue<string>() is not string level)
            throw new InvalidDataException("vocabulary JSON must be an object with 'level' and 'symbols'");
        var lv = level switch
        {
            "word" => VocabularyLevel.Word,
            "char" => VocabularyLevel.Char,
            "subword" => VocabularyLevel.Subword,
            _ => throw new InvalidDataException($"vocabulary level must be 'word', 'char' or 'subword'; got '{level}'"),
        };
        BytePairEncoding? bpe = null;
        if (lv == VocabularyLevel.Subword)
            bpe = BytePairEncoding.FromJson(o["merges"] ?? throw new InvalidDataException("a subword vocabulary JSON needs its 'merges'"));
        else if (o["merges"] != null)
            throw new InvalidDataException($"a {level} vocabulary JSON must not have 'merges'");
        return new Vocabulary(lv, SymbolTable.ReadJson(arr, "a vocabulary's symbols"), bpe);
    }
}
