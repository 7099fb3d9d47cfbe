using AttentionSharp.Data;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Training;

/// <summary>A corpus BLEU result.</summary>
/// <param name="Score">BLEU in 0..100.</param>
/// <param name="Precisions">Modified n-gram precisions p_1..p_4 (0..1).</param>
/// <param name="BrevityPenalty">BP = 1 if c &gt; r, else exp(1 - r/c).</param>
/// <param name="HypothesisLength">Total candidate tokens c.</param>
/// <param name="ReferenceLength">Total reference tokens r.</param>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength)
{
    /// <summary>
    /// BLEU with add-one smoothing of the n-gram precisions for n &gt;= 2 (Lin and Och 2004, "BLEU+1"; Chen and Cherry 2014,
    /// method 2): <c>p_n = (m_n + 1) / (t_n + 1)</c> for n = 2..4, <c>p_1</c> unsmoothed, same brevity penalty; in 0..100.
    /// Unlike <see cref="Score"/> it stays above 0 when no 4-gram matches, so small differences between weak systems show.
    /// </summary>
    public double Smoothed { get; init; }
}

/// <summary>Corpus BLEU-1..4 against several references per sentence.</summary>
/// <param name="Scores">BLEU-1, BLEU-2, BLEU-3, BLEU-4 in 0..100 (cumulative: BLEU-n uses p_1..p_n).</param>
/// <param name="Precisions">Modified n-gram precisions p_1..p_4 (0..1).</param>
/// <param name="BrevityPenalty">BP = 1 if c &gt; r, else exp(1 - r/c), with r the summed closest reference lengths.</param>
/// <param name="HypothesisLength">Total candidate tokens c.</param>
/// <param name="ReferenceLength">Total effective reference tokens r.</param>
public sealed record MultiBleuScore(double[] Scores, double[] Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength)
{
    /// <summary>BLEU-4 with add-one smoothing of p_2..p_4 (<see cref="BleuScore.Smoothed"/>), in 0..100.</summary>
    public double Smoothed { get; init; }
}

/// <summary>
/// Corpus BLEU (Papineni et al. 2002, eq. 1-2), BLEU-4 with one reference per sentence (<see cref="CorpusTokens"/>) or BLEU-1..4 with several (<see cref="CorpusMulti"/>): <c>BLEU = BP * exp(sum_n 1/4 log p_n)</c>, where
/// <c>p_n</c> = clipped n-gram matches / candidate n-grams summed over the corpus, and <c>BP = min(1, exp(1 - r/c))</c>.
/// No smoothing: a corpus with no matching 4-gram scores 0. Tokens come from <see cref="Tokenizer.Translation"/> (lower-cased words and single punctuation marks).
/// </summary>
public static class Bleu
{
    /// <summary>Highest n-gram order.</summary>
    public const int MaxOrder = 4;

    /// <summary>Corpus BLEU of <paramref name="hypotheses"/> against <paramref name="references"/> (same count), tokenised by <see cref="Tokenizer.Translation"/>.</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        CorpusTokens(hypotheses.Select(Tokenizer.Translation.Tokenize).ToList(), references.Select(Tokenizer.Translation.Tokenize).ToList());

    /// <summary>Corpus BLEU of pre-tokenised sentences, one reference each.</summary>
    public static BleuScore CorpusTokens(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"BLEU needs one reference per hypothesis; got {hypotheses.Count} hypotheses and {references.Count} references");
        var m = CorpusMulti(hypotheses, references.Select(r => (IReadOnlyList<IReadOnlyList<string>>)[r]).ToList());
        return new BleuScore(m.Scores[MaxOrder - 1], m.Precisions, m.BrevityPenalty, m.HypothesisLength, m.ReferenceLength) { Smoothed = m.Smoothed };
    }

    /// <summary>
    /// Corpus BLEU-1..4 with several references per sentence (Papineni et al. 2002, section 2.1 and 2.2.2): an n-gram's count is
    /// clipped by its largest count in any one reference; the reference length r sums, per sentence, the reference length closest
    /// to the hypothesis length (the shorter one on a tie, as NLTK and multi-bleu.perl do); BLEU-n is the brevity penalty times
    /// the geometric mean of p_1..p_n (uniform weights 1/n). No smoothing: a zero precision up to n gives BLEU-n = 0.
    /// </summary>
    public static MultiBleuScore CorpusMulti(IReadOnlyList<IReadOnlyList<string>> hypotheses, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> references)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"BLEU needs a reference set per hypothesis; got {hypotheses.Count} hypotheses and {references.Count} reference sets");
        if (hypotheses.Count == 0) throw new ArgumentException("BLEU needs at least one sentence; got none");
        var matches = new long[MaxOrder];
        var totals = new long[MaxOrder];
        long c = 0, r = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var h = hypotheses[i];
            var refs = references[i];
            if (refs.Count == 0) throw new ArgumentException($"sentence {i} has no reference");
            c += h.Count;
            r += refs.Select(x => x.Count).OrderBy(len => Math.Abs(len - h.Count)).ThenBy(len => len).First();
            for (int n = 1; n <= MaxOrder; n++)
            {
                var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var reference in refs)
                    foreach (var (gram, count) in NGrams(reference, n))
                        maxRef[gram] = Math.Max(maxRef.GetValueOrDefault(gram), count);
                foreach (var (gram, count) in NGrams(h, n))
                {
                    totals[n - 1] += count;
                    matches[n - 1] += Math.Min(count, maxRef.GetValueOrDefault(gram));
                }
            }
        }
        var p = new double[MaxOrder];
        for (int n = 0; n < MaxOrder; n++) p[n] = totals[n] == 0 ? 0 : (double)matches[n] / totals[n];
        double bp = c == 0 ? 0 : c > r ? 1 : Math.Exp(1 - (double)r / c);
        var scores = new double[MaxOrder];
        for (int n = 1; n <= MaxOrder; n++)
            scores[n - 1] = p.Take(n).Any(x => x == 0) ? 0 : 100 * bp * Math.Exp(p.Take(n).Select(x => Math.Log(x)).Average());
        double smoothedLog = 0;
        for (int n = 0; n < MaxOrder; n++)
            smoothedLog += Math.Log(n == 0 ? p[0] : (matches[n] + 1.0) / (totals[n] + 1.0)) / MaxOrder;
        double smoothed = p[0] == 0 ? 0 : bp * Math.Exp(smoothedLog);
        return new MultiBleuScore(scores, p, bp, c, r) { Smoothed = 100 * smoothed };
    }

    static Dictionary<string, int> NGrams(IReadOnlyList<string> tokens, int n)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            var key = string.Join('\u0001', tokens.Skip(i).Take(n));
            d[key] = d.GetValueOrDefault(key) + 1;
        }
        return d;
    }
}
