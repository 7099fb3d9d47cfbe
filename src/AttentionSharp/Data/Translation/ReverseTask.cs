namespace AttentionSharp.Data.Translation;

/// <summary>
/// A generated translation task with long-range reordering, for measuring how a model copes with length (the setting of
/// Bahdanau et al. 2015, Fig. 2, where the fixed-context encoder-decoder degrades with sentence length and attention does
/// not): the source is <see cref="MinLength"/>..<see cref="MaxLength"/> words drawn uniformly from 100 source words
/// (<c>saa</c>..<c>sjj</c>: the two digits of 0..99 written as letters a..j, so that the word tokeniser keeps each word
/// whole), the target is its word-by-word translation <c>sXY -&gt; tXY</c> in reversed order. The last source word aligns
/// with the first target word, so every output needs one specific, far-away source position.
/// </summary>
public static class ReverseTask
{
    /// <summary>Distinct words per language.</summary>
    public const int Words = 100;
    /// <summary>Fewest source words.</summary>
    public const int MinLength = 3;
    /// <summary>Most source words.</summary>
    public const int MaxLength = 40;

    /// <summary>Source word number <paramref name="k"/> (0..99): <c>s</c> and its two digits as letters a..j (7 -> <c>sah</c>).</summary>
    public static string SourceWord(int k) => k is >= 0 and < Words
        ? $"s{(char)('a' + k / 10)}{(char)('a' + k % 10)}"
        : throw new ArgumentException($"word number must be in 0..{Words - 1}; got {k}");

    /// <summary>The target of a source: each <c>sXY</c> becomes <c>tXY</c>, in reversed order.</summary>
    public static string Translate(string source)
    {
        var words = source.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Reverse().Select(w => w.Length == 3 && w[0] == 's' && w[1] is >= 'a' and <= 'j' && w[2] is >= 'a' and <= 'j'
            ? "t" + w[1..]
            : throw new ArgumentException($"reverse task words are saa..sjj; got '{w}'")));
    }

    /// <summary><paramref name="count"/> pairs with lengths and words drawn uniformly from <paramref name="seed"/>.</summary>
    public static List<SentencePair> Generate(int count, int seed)
    {
        if (count < 0) throw new ArgumentException($"count must be >= 0; got {count}");
        var rng = new Random(seed);
        var list = new List<SentencePair>(count);
        for (int i = 0; i < count; i++)
        {
            int n = rng.Next(MinLength, MaxLength + 1);
            string source = string.Join(' ', Enumerable.Range(0, n).Select(_ => SourceWord(rng.Next(Words))));
            list.Add(new SentencePair(source, Translate(source)));
        }
        return list;
    }

    /// <summary>The task's corpus: train, dev and test from seeds derived from <paramref name="seed"/>; dev/test sources never occur in train.</summary>
    public static TranslationCorpus Corpus(int train, int dev, int test, int seed) =>
        TranslationCorpus.Generated("reverse", Generate, train, dev, test, seed);
}
