using AttentionSharp.Data.Translation;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>A translation of one sentence with its alignment.</summary>
/// <param name="Source">The input sentence.</param>
/// <param name="SourceSymbols">The input's symbols as the model saw them (unknown ones as <c>&lt;unk&gt;</c>).</param>
/// <param name="Output">The translation text.</param>
/// <param name="OutputSymbols">Output symbols, <c>&lt;/s&gt;</c> included when produced.</param>
/// <param name="Weights">Attention of each output symbol over the source symbols, or null.</param>
/// <param name="Unknown">Input symbols the source vocabulary does not know.</param>
/// <param name="Replaced">Output <c>&lt;unk&gt;</c> symbols replaced from the source (<see cref="Translator.UnknownWords"/>; 0 without).</param>
/// <remarks>With <see cref="Translator.UnknownWords"/>, <see cref="OutputSymbols"/> are the decoded ids' symbols (<c>&lt;unk&gt;</c>
/// kept, one per attention row) and <see cref="Output"/> the text after replacement.</remarks>
public sealed record Translation(string Source, IReadOnlyList<string> SourceSymbols, string Output, IReadOnlyList<string> OutputSymbols, float[][]? Weights, IReadOnlyList<string> Unknown,
    int Replaced = 0);

/// <summary>Evaluation figures of a translation run.</summary>
/// <param name="Bleu">Corpus BLEU.</param>
/// <param name="ExactMatch">Fraction of outputs equal to the reference (after trimming).</param>
/// <param name="Outputs">The outputs, in order.</param>
/// <param name="Seconds">Decoding time.</param>
/// <param name="Replaced">Output <c>&lt;unk&gt;</c> symbols replaced from the source, over all sentences (0 without <see cref="Translator.UnknownWords"/>).</param>
public sealed record TranslationEval(BleuScore Bleu, double ExactMatch, IReadOnlyList<string> Outputs, double Seconds, int Replaced = 0);

/// <summary>Text in, text out: checks the input, encodes it, decodes greedily or with beam search, and turns ids back into text.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="SourceVocab">Source vocabulary.</param>
/// <param name="TargetVocab">Target vocabulary.</param>
public sealed class Translator(ITranslationModel Model, Vocabulary SourceVocab, Vocabulary TargetVocab)
{
    /// <summary>The model.</summary>
    public ITranslationModel Network => Model;

    /// <summary>
    /// When set (attention models only), decoding may emit <c>&lt;unk&gt;</c> and each one in the output is replaced by the most-attended
    /// source symbol or its dictionary translation (Luong et al. 2015); null (the default): <c>&lt;unk&gt;</c> is never emitted.
    /// </summary>
    public UnknownWordReplacer? UnknownWords
    {
        get;
        init
        {
            if (value != null && !Model.HasAttention) throw new ArgumentException("replacing unknown words needs an attention model (the most-attended source word); this model has no attention");
            field = value;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an empty or overlong sentence.</summary>
    public int[] Check(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var ids = SourceVocab.Encode(sentence.Trim());
        if (ids.Length == 0) throw new ArgumentException($"the sentence to translate is empty; expected at least one {SourceVocab.Level.ToString().ToLowerInvariant()}");
        if (ids.Length > Model.MaxSourceLength)
            throw new ArgumentException($"the sentence has {ids.Length} {SourceVocab.Level.ToString().ToLowerInvariant()} symbols; this model accepts at most {Model.MaxSourceLength}");
        return ids;
    }

    /// <summary>Translates <paramref name="sentences"/> (in batches of <paramref name="batchSize"/>) with beam <paramref name="beam"/> (1 = greedy).</summary>
    public List<Translation> Translate(IReadOnlyList<string> sentences, int beam = 1, int batchSize = 64)
    {
        if (beam < 1) throw new ArgumentException($"beam must be >= 1; got {beam}");
        var ids = sentences.Select(Check).ToList();
        var results = new List<Translation>(sentences.Count);
        Model.Module.eval();
        var device = Model.Module.parameters().First().device;
        using (torch.no_grad())
        {
            for (int start = 0; start < ids.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var chunk = ids.Skip(start).Take(batchSize).ToList();
                var (src, mask) = TranslationDataset.PadSources(chunk, device);
                var hyps = Model.Decode(src, mask, beam, allowUnknown: UnknownWords != null);
                for (int i = 0; i < chunk.Count; i++)
                {
                    var text = sentences[start + i];
                    var h = hyps[i];
                    var weights = h.Weights?.Select(row => row.Take(chunk[i].Length).ToArray()).ToArray();
                    var (symbols, replaced) = UnknownWords == null ? (TargetVocab.Symbols(h.Tokens), 0)
                        : UnknownWords.Replace(SourceVocab.Split(text.Trim()), TargetVocab.Symbols(h.Tokens), weights!);
                    string output = TargetVocab.Join(symbols);
                    results.Add(new Translation(text, chunk[i].Select(id => SourceVocab[id]).ToList(), output,
                        h.Tokens.Select(id => TargetVocab[id]).ToList(), weights, SourceVocab.Unknown(text.Trim()), replaced));
                }
            }
        }
        return results;
    }

    /// <summary>Translates the sources of <paramref name="pairs"/> and scores them against the targets (BLEU and exact match).</summary>
    public TranslationEval Evaluate(IReadOnlyList<SentencePair> pairs, int beam = 1, int batchSize = 64)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var translations = Translate(pairs.Select(p => p.Source).ToList(), beam, batchSize);
        var outputs = translations.Select(t => t.Output).ToList();
        double seconds = clock.Elapsed.TotalSeconds;
        var refs = pairs.Select(p => p.Target).ToList();
        var bleu = Bleu.Corpus(outputs, refs);
        double exact = outputs.Zip(refs).Count(z => string.Equals(z.First.Trim(), TargetVocab.Join(TargetVocab.Split(z.Second)).Trim(), StringComparison.Ordinal)) / (double)pairs.Count;
        return new TranslationEval(bleu, exact, outputs, seconds, translations.Sum(t => t.Replaced));
    }
}
