using AttentionSharp.Data;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>
/// The retrieval baseline of translation: a source sentence is "translated" by the target side of the most similar training
/// source. Similarity is the cosine of tf-idf vectors over <see cref="Tokenizer.Translation"/> words, <c>idf = ln(N / df)</c>
/// (N training sources, df those holding the word); words in more than <see cref="MaxDocumentFraction"/> of the training
/// sources (punctuation, "the") are left out of the search for speed but stay in the vector norms. Ties go to the training
/// source whose length is closest, then to the first one. A source sharing no searched word with any training source gets
/// the target of the training source of closest length. A model that does not beat this only looks up its training data.
/// </summary>
public sealed class RetrievalBaseline
{
    /// <summary>Words in more than this fraction of training sources are not searched.</summary>
    public const double MaxDocumentFraction = 0.05;

    readonly IReadOnlyList<SentencePair> _train;
    readonly Dictionary<string, double> _idf = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<(int Doc, double Weight)>> _postings = new(StringComparer.Ordinal);
    readonly double[] _norms;
    readonly int[] _lengths;

    /// <summary>Indexes the sources of <paramref name="train"/>.</summary>
    public RetrievalBaseline(IReadOnlyList<SentencePair> train)
    {
        if (train.Count == 0) throw new ArgumentException("the retrieval baseline needs at least one training pair; got none");
        _train = train;
        var docs = train.Select(p => Counts(Tokenizer.Translation.Tokenize(p.Source))).ToList();
        _lengths = train.Select(p => Tokenizer.Translation.Tokenize(p.Source).Count).ToArray();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in docs) foreach (var w in d.Keys) df[w] = df.GetValueOrDefault(w) + 1;
        foreach (var (w, n) in df) _idf[w] = Math.Log((double)train.Count / n);
        _norms = new double[train.Count];
        int maxDf = Math.Max(1, (int)(MaxDocumentFraction * train.Count));
        for (int i = 0; i < docs.Count; i++)
        {
            double norm = 0;
            foreach (var (w, c) in docs[i])
            {
                double weight = c * _idf[w];
                norm += weight * weight;
                if (df[w] > maxDf) continue;
                if (!_postings.TryGetValue(w, out var list)) _postings[w] = list = [];
                list.Add((i, weight));
            }
            _norms[i] = Math.Sqrt(norm);
        }
    }

    static Dictionary<string, int> Counts(List<string> tokens)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tokens) d[t] = d.GetValueOrDefault(t) + 1;
        return d;
    }

    /// <summary>The index of the training pair whose source is most similar to <paramref name="source"/>.</summary>
    public int Nearest(string source)
    {
        var tokens = Tokenizer.Translation.Tokenize(source);
        var query = Counts(tokens);
        double qNorm = Math.Sqrt(query.Sum(kv => Math.Pow(kv.Value * _idf.GetValueOrDefault(kv.Key), 2)));
        var dots = new Dictionary<int, double>();
        foreach (var (w, c) in query)
        {
            if (!_postings.TryGetValue(w, out var list)) continue;
            double q = c * _idf[w];
            foreach (var (doc, weight) in list) dots[doc] = dots.GetValueOrDefault(doc) + q * weight;
        }
        int best = -1;
        double bestScore = double.NegativeInfinity;
        int bestGap = int.MaxValue;
        foreach (var (doc, dot) in dots)
        {
            double score = dot / Math.Max(1e-12, _norms[doc] * qNorm);
            int gap = Math.Abs(_lengths[doc] - tokens.Count);
            if (score > bestScore + 1e-12 || (Math.Abs(score - bestScore) <= 1e-12 && (gap < bestGap || (gap == bestGap && doc < best))))
                (best, bestScore, bestGap) = (doc, score, gap);
        }
        if (best >= 0) return best;
        for (int i = 0; i < _lengths.Length; i++)
        {
            int gap = Math.Abs(_lengths[i] - tokens.Count);
            if (gap < bestGap) (best, bestGap) = (i, gap);
        }
        return best;
    }

    /// <summary>The retrieved translation of each of <paramref name="sources"/>.</summary>
    public List<string> Translate(IEnumerable<string> sources) => sources.Select(s => _train[Nearest(s)].Target).ToList();
}
