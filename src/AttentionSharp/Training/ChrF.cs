namespace AttentionSharp.Training;

/// <summary>
/// Corpus chrF (Popović 2015, "chrF: character n-gram F-score for automatic MT evaluation"): character n-grams of orders
/// 1..<see cref="MaxOrder"/> with whitespace removed; for each order the clipped matches, hypothesis and reference n-grams
/// are summed over the corpus, precision and recall averaged over the orders, and
/// <c>chrF_beta = (1 + beta^2) P R / (beta^2 P + R)</c> with beta = 2 (recall weighted twice); in 0..100. Text is NFC and
/// lower-cased first, as for the project's <see cref="Bleu"/> (word models output lower case; sacreBLEU keeps case). Orders a
/// corpus has no n-grams of (very short sentences) are left out of the average.
/// </summary>
public static class ChrF
{
    /// <summary>Highest character n-gram order (6, the paper's and sacreBLEU's).</summary>
    public const int MaxOrder = 6;

    /// <summary>Recall weight beta (2).</summary>
    public const double Beta = 2;

    /// <summary>Corpus chrF of <paramref name="hypotheses"/> against <paramref name="references"/> (same count).</summary>
    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"chrF needs one reference per hypothesis; got {hypotheses.Count} hypotheses and {references.Count} references");
        if (hypotheses.Count == 0) throw new ArgumentException("chrF needs at least one sentence; got none");
        var matches = new long[MaxOrder];
        var hypTotals = new long[MaxOrder];
        var refTotals = new long[MaxOrder];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            string h = Squeeze(hypotheses[i]), r = Squeeze(references[i]);
            for (int n = 1; n <= MaxOrder; n++)
            {
                var hc = Grams(h, n);
                var rc = Grams(r, n);
                foreach (var (g, c) in hc) matches[n - 1] += Math.Min(c, rc.GetValueOrDefault(g));
                hypTotals[n - 1] += Math.Max(0, h.Length - n + 1);
                refTotals[n - 1] += Math.Max(0, r.Length - n + 1);
            }
        }
        double precision = 0, recall = 0;
        int orders = 0;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (hypTotals[n] == 0 && refTotals[n] == 0) continue;
            orders++;
            precision += hypTotals[n] == 0 ? 0 : (double)matches[n] / hypTotals[n];
            recall += refTotals[n] == 0 ? 0 : (double)matches[n] / refTotals[n];
        }
        if (orders == 0) return 0;
        precision /= orders;
        recall /= orders;
        double b2 = Beta * Beta;
        return precision + recall == 0 ? 0 : 100 * (1 + b2) * precision * recall / (b2 * precision + recall);
    }

    /// <summary>The text in NFC, lower case, without whitespace.</summary>
    static string Squeeze(string text) =>
        string.Concat(text.Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant().Replace('\u2019', '\'').Where(c => !char.IsWhiteSpace(c)));

    static Dictionary<string, int> Grams(string text, int n)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= text.Length; i++)
        {
            var g = text.Substring(i, n);
            d[g] = d.GetValueOrDefault(g) + 1;
        }
        return d;
    }
}
