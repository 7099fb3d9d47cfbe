using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Training;

/// <summary>chrF and smoothed BLEU against naive references written from the formulas; the retrieval baseline; step warm-up.</summary>
public class TranslationScoresTests
{
    /// <summary>chrF written out directly: per order, clipped matches of character n-grams (spaces removed), P and R averaged over orders, F_beta.</summary>
    static double NaiveChrF(IReadOnlyList<string> hyps, IReadOnlyList<string> refs, int maxN = 6, double beta = 2)
    {
        double ps = 0, rs = 0;
        int orders = 0;
        for (int n = 1; n <= maxN; n++)
        {
            long m = 0, h = 0, r = 0;
            for (int i = 0; i < hyps.Count; i++)
            {
                string a = hyps[i].Replace(" ", "").ToLowerInvariant(), b = refs[i].Replace(" ", "").ToLowerInvariant();
                var ga = Enumerable.Range(0, Math.Max(0, a.Length - n + 1)).Select(k => a.Substring(k, n)).ToList();
                var gb = Enumerable.Range(0, Math.Max(0, b.Length - n + 1)).Select(k => b.Substring(k, n)).ToList();
                h += ga.Count; r += gb.Count;
                foreach (var g in ga.Distinct()) m += Math.Min(ga.Count(x => x == g), gb.Count(x => x == g));
            }
            if (h == 0 && r == 0) continue;
            orders++;
            ps += h == 0 ? 0 : (double)m / h;
            rs += r == 0 ? 0 : (double)m / r;
        }
        double p = ps / orders, rr = rs / orders;
        return p + rr == 0 ? 0 : 100 * (1 + beta * beta) * p * rr / (beta * beta * p + rr);
    }

    [Fact]
    public void ChrFMatchesTheFormula()
    {
        string[] hyps = ["Die Datei wurde gelöscht", "Öffnen", "Speichern unter"], refs = ["Die Datei ist gelöscht", "Datei öffnen", "Speichern als"];
        Assert.Equal(NaiveChrF(hyps, refs), ChrF.Corpus(hyps, refs), 9);
        Assert.Equal(100, ChrF.Corpus(["a b c"], ["abc"]), 9);          // whitespace is ignored
        Assert.Equal(0, ChrF.Corpus(["xyz"], ["abc"]), 9);
    }

    [Fact]
    public void ChrFOfAHandExample()
    {
        // hyp "ab", ref "abc": n=1: m=2, h=2, r=3; n=2: m=1, h=1, r=2; n=3: h=0, r=1 (m=0); orders 1-3 count, 4-6 have no n-grams.
        // P = (1 + 1 + 0) / 3 = 2/3; R = (2/3 + 1/2 + 0) / 3 = 7/18; F2 = 5 P R / (4 P + R)
        double p = 2.0 / 3, r = 7.0 / 18;
        Assert.Equal(100 * 5 * p * r / (4 * p + r), ChrF.Corpus(["ab"], ["abc"]), 9);
        Assert.Throws<ArgumentException>(() => ChrF.Corpus(["a"], []));
    }

    [Fact]
    public void SmoothedBleuAddsOneToHigherOrderPrecisions()
    {
        // hyp "the cat sat" vs ref "the cat sat down": p1 = 3/3, m2/t2 = 2/2, m3/t3 = 1/1, m4/t4 = 0/0 -> plain BLEU 0,
        // smoothed: (3/3 * 3/3 * 2/2 * 1/1)^(1/4) with add-one for n >= 2 = 1, times BP = exp(1 - 4/3)
        var s = Bleu.Corpus(["the cat sat"], ["the cat sat down"]);
        Assert.Equal(0, s.Score);
        Assert.Equal(100 * Math.Exp(1 - 4.0 / 3), s.Smoothed, 9);
        var t = Bleu.Corpus(["the cat sat on mat"], ["the cat sat on the mat"]);
        double expected = Math.Exp(-0.2) * Math.Pow(1.0 * (4.0 / 5) * (3.0 / 4) * (2.0 / 3), 0.25);
        Assert.Equal(100 * expected, t.Smoothed, 9);
        Assert.True(t.Smoothed > t.Score);
    }

    [Fact]
    public void RetrievalReturnsTheTranslationOfTheMostSimilarSource()
    {
        var train = new List<SentencePair>
        {
            new("Open the file", "Datei öffnen"), new("Save the file", "Datei speichern"),
            new("Close the window", "Fenster schließen"), new("Print the document", "Dokument drucken"),
        };
        var r = new RetrievalBaseline(train);
        Assert.Equal(["Datei speichern", "Fenster schließen", "Datei öffnen"], r.Translate(["save file", "close this window now", "Open the file"]));
        Assert.Equal(0, r.Nearest("xyzzy qqq"));   // shares nothing: the source of closest length (ties: first)
        Assert.Throws<ArgumentException>(() => new RetrievalBaseline([]));
    }

    [Fact]
    public void WarmupRisesLinearlyOverSteps()
    {
        Assert.Equal(0.001 * 1 / 100, Trainer<int>.StepRate(0.001, 1, 100), 15);
        Assert.Equal(0.001 * 50 / 100, Trainer<int>.StepRate(0.001, 50, 100), 15);
        Assert.Equal(0.001, Trainer<int>.StepRate(0.001, 100, 100), 15);
        Assert.Equal(0.001, Trainer<int>.StepRate(0.001, 5000, 100), 15);
        Assert.Equal(0.001, Trainer<int>.StepRate(0.001, 1, 0), 15);
        Assert.Throws<ArgumentException>(() => new TrainerOptions { WarmupSteps = -1 }.Validate());
        Assert.True(new TrainerOptions { Monitor = "bleu" }.MonitorHigherIsBetter);
        Assert.False(new TrainerOptions { Monitor = "loss" }.MonitorHigherIsBetter);
    }
}
