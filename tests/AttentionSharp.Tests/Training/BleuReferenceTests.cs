using AttentionSharp.Training;

namespace AttentionSharp.Tests.Training;

/// <summary>
/// Bleu.CorpusTokens against an established implementation: NLTK 3.8's corpus_bleu (BLEU-4, clipped counts summed over the
/// corpus, brevity penalty, no smoothing), scores written down in Fixtures/Bleu/nltk-corpus-bleu.tsv by make_fixtures.py.
/// </summary>
public class BleuReferenceTests
{
    public static TheoryData<string, string, double> Cases()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Bleu", "nltk-corpus-bleu.tsv")))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1], double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorpusBleuEqualsNltk(string name, string pairs, double nltk)
    {
        var split = pairs.Split(" ## ").Select(p => p.Split(" ||| ")).ToList();
        IReadOnlyList<string> Tokens(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var score = Bleu.CorpusTokens(split.Select(p => Tokens(p[0])).ToList(), split.Select(p => Tokens(p[1])).ToList());
        Assert.True(Math.Abs(score.Score - nltk) < 1e-4, $"{name}: ours {score.Score}, NLTK {nltk}");
    }

    [Fact]
    public void AHypothesisShorterThanFourCountsNoHigherOrderNgramsWhereNltkCountsOne()
    {
        // "the cat" / "the cat sat on the mat" and an exact 6-word sentence: every n-gram matches, so the precisions are
        // 8/8, 6/6, 4/4, 3/3 and BLEU is the brevity penalty exp(1 - 12/8) = 60.65. NLTK 3.8 gives 53.38: it divides by
        // max(1, count) per sentence, adding 1 to the first sentence's empty trigram and 4-gram counts (4/5, 3/4).
        var score = Bleu.CorpusTokens([["the", "cat"], ["a", "dog", "ran", "in", "the", "park"]],
            [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "ran", "in", "the", "park"]]);
        Assert.Equal(100 * Math.Exp(-0.5), score.Score, 6);
        Assert.Equal([1.0, 1.0, 1.0, 1.0], score.Precisions);
    }

    public static TheoryData<string, string, double[]> MultiCases()
    {
        var data = new TheoryData<string, string, double[]>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Bleu", "nltk-multi-bleu.tsv")))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1], f[2..].Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MultiCases))]
    public void MultiReferenceCorpusBleuOneToFourEqualsNltk(string name, string sentences, double[] nltk)
    {
        // Fixtures/Bleu/make_multi_fixtures.py: NLTK 3.8 corpus_bleu with several references and weights 1/n for n = 1..4.
        IReadOnlyList<string> Tokens(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var split = sentences.Split(" ## ").Select(p => p.Split(" ||| ")).ToList();
        var score = Bleu.CorpusMulti(split.Select(p => Tokens(p[0])).ToList(),
            split.Select(p => (IReadOnlyList<IReadOnlyList<string>>)p[1].Split(" || ").Select(Tokens).ToList()).ToList());
        for (int n = 0; n < 4; n++)
            Assert.True(Math.Abs(score.Scores[n] - nltk[n]) < 1e-4, $"{name}: BLEU-{n + 1} ours {score.Scores[n]}, NLTK {nltk[n]}");
    }

    [Fact]
    public void MultiReferenceCountsAreClippedByTheLargestCountInOneReferenceAndTheClosestLengthIsUsed()
    {
        // Hand-computed: "the the the the cat" against {"the cat", "the the cat sat on the mat"}: "the" occurs at most 3 times
        // in one reference, so p_1 = (3 + 1) / 5; closest reference length to 5 is 7 (|5-7| = 2 < |5-2| = 3): BP = exp(1 - 7/5).
        var score = Bleu.CorpusMulti([["the", "the", "the", "the", "cat"]], [[["the", "cat"], ["the", "the", "cat", "sat", "on", "the", "mat"]]]);
        Assert.Equal(0.8, score.Precisions[0], 12);
        Assert.Equal(7, score.ReferenceLength);
        Assert.Equal(100 * Math.Exp(1 - 7.0 / 5) * 0.8, score.Scores[0], 9);
        // One reference: CorpusMulti and CorpusTokens agree.
        var one = Bleu.CorpusTokens([["a", "b", "c", "d", "e"]], [["a", "b", "c", "d", "x"]]);
        var multi = Bleu.CorpusMulti([["a", "b", "c", "d", "e"]], [[["a", "b", "c", "d", "x"]]]);
        Assert.Equal(one.Score, multi.Scores[3], 12);
        Assert.Contains("no reference", Assert.Throws<ArgumentException>(() => Bleu.CorpusMulti([["a"]], [[]])).Message);
    }
}
