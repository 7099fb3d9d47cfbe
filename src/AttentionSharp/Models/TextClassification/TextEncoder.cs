using AttentionSharp.Data;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// Turns raw text into a classifier's input: tokenises (<see cref="Tokenizer.Text"/>), splits sentences for HAN
/// (<see cref="SentenceSplitter"/>), applies the length caps of <see cref="TextClassifierOptions"/> (first half and
/// last half of the cap kept) and maps tokens to vocabulary indices.
/// </summary>
public sealed class TextEncoder(Vocabulary vocabulary, TextClassifierOptions options)
{
    /// <summary>The vocabulary.</summary>
    public Vocabulary Vocabulary { get; } = vocabulary;
    /// <summary>The options whose caps apply.</summary>
    public TextClassifierOptions Options { get; } = options;

    /// <summary>The tokens kept for the model: one list for a flat model, one per sentence for HAN; empty when the text has no token.</summary>
    public List<List<string>> Tokens(string text)
    {
        if (!Options.Hierarchical) return [HeadAndTail(Tokenizer.Text.Tokenize(text), Options.MaxTokens)];
        var sentences = SentenceSplitter.Split(text).Select(s => Tokenizer.Text.Tokenize(s)).Where(t => t.Count > 0)
            .Select(t => t.Take(Options.MaxSentenceTokens).ToList()).ToList();
        return HeadAndTail(sentences, Options.MaxSentences);
    }

    /// <summary>Vocabulary indices of <see cref="Tokens"/>; throws <see cref="ArgumentException"/> for a text with no token.</summary>
    public int[][] Encode(string text)
    {
        var tokens = Tokens(text);
        if (tokens.Sum(s => s.Count) == 0)
            throw new ArgumentException($"the text to classify has no words; got '{(text.Length > 40 ? text[..40] + "..." : text)}'");
        return tokens.Select(s => s.Select(Vocabulary.IndexOf).ToArray()).ToArray();
    }

    /// <summary>Encodes a corpus; a text with no token becomes a single unknown token (so folds keep every example).</summary>
    public List<int[][]> EncodeAll(IEnumerable<string> texts) =>
        texts.Select(t =>
        {
            var tokens = Tokens(t);
            return tokens.Sum(s => s.Count) == 0 ? [[Vocabulary.Unknown]] : tokens.Select(s => s.Select(Vocabulary.IndexOf).ToArray()).ToArray();
        }).ToList();

    /// <summary>The first half and the last half of <paramref name="cap"/> items when the list is longer.</summary>
    public static List<T> HeadAndTail<T>(List<T> items, int cap)
    {
        if (items.Count <= cap) return items;
        int head = (cap + 1) / 2, tail = cap - head;
        return [.. items.Take(head), .. items.Skip(items.Count - tail)];
    }

    /// <summary>Builds the vocabulary from training texts with the options' minimum count and size.</summary>
    public static Vocabulary BuildVocabulary(IEnumerable<string> trainingTexts, TextClassifierOptions options) =>
        Vocabulary.Build(trainingTexts.Select(t => Tokenizer.Text.Tokenize(t)), options.MinCount, options.MaxVocabulary);
}
