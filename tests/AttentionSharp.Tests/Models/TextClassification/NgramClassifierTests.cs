using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;

namespace AttentionSharp.Tests.Models.TextClassification;

/// <summary>The bag-of-n-grams peer: NB log-count ratio, logistic objective and gradient, L-BFGS, lambda search, errors.</summary>
public class NgramClassifierTests
{
    [Fact]
    public void NgramsAreTheDistinctWordsAndWordPairs()
    {
        var g = NgramClassifier.NgramsOf("Good, good film", 2);
        Assert.Equal(new[] { ",", "good", "film", "good\u0001,", ",\u0001good", "good\u0001film" }.OrderBy(s => s, StringComparer.Ordinal),
            g.OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(3, NgramClassifier.NgramsOf("Good, good film", 1).Count);
    }

    [Fact]
    public void LogCountRatioFollowsWangAndManning()
    {
        // features 0..2; two positive rows, one negative
        var rows = new List<int[]> { new[] { 0, 1 }, new[] { 0 }, new[] { 1, 2 } };
        var y = new[] { 1.0, 1.0, -1.0 };
        var r = NgramClassifier.LogCountRatio(rows, y, 3, alpha: 1);
        double[] p = [1 + 2, 1 + 1, 1 + 0], q = [1 + 0, 1 + 1, 1 + 1];
        for (int j = 0; j < 3; j++)
            Assert.Equal(Math.Log(p[j] / p.Sum()) - Math.Log(q[j] / q.Sum()), r[j], 12);
    }

    static LogisticObjective Small(double l2) => new(
        [new[] { 0, 2 }, new[] { 1 }, new[] { 0, 1, 2 }, Array.Empty<int>()],
        [new[] { 0.5, -1.2 }, new[] { 2.0 }, new[] { 1.0, -0.3, 0.7 }, Array.Empty<double>()],
        [1.0, -1.0, 1.0, -1.0], 3, l2);

    [Fact]
    public void LogisticLossMatchesItsFormulaAndItsGradientMatchesFiniteDifferences()
    {
        var obj = Small(0.1);
        var w = new[] { 0.3, -0.7, 0.2, 0.05 };
        var grad = new double[4];
        double f = obj.Evaluate(w, grad);
        // dense reference from the formula
        double[][] x = [[0.5, 0, -1.2], [0, 2.0, 0], [1.0, -0.3, 0.7], [0, 0, 0]];
        double want = 0;
        for (int i = 0; i < 4; i++)
        {
            double z = w[3] + x[i][0] * w[0] + x[i][1] * w[1] + x[i][2] * w[2];
            want += Math.Log(1 + Math.Exp(-obj.Y[i] * z));
        }
        want = want / 4 + 0.05 * (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
        Assert.Equal(want, f, 12);
        for (int j = 0; j < 4; j++)
        {
            var wp = (double[])w.Clone(); wp[j] += 1e-6;
            var wm = (double[])w.Clone(); wm[j] -= 1e-6;
            double numeric = (obj.Evaluate(wp, new double[4]) - obj.Evaluate(wm, new double[4])) / 2e-6;
            Assert.Equal(numeric, grad[j], 7);
        }
    }

    [Fact]
    public void LbfgsReachesTheMinimumOfAStronglyConvexProblem()
    {
        var obj = Small(0.05);
        var w = Lbfgs.Minimize(obj.Evaluate, new double[4]);
        var grad = new double[4];
        obj.Evaluate(w, grad);
        Assert.True(grad.Max(Math.Abs) < 1e-6, $"gradient at the L-BFGS solution: {string.Join(", ", grad)}");
        // and on a quadratic with a known minimum
        var x = Lbfgs.Minimize((v, g) => { g[0] = 2 * (v[0] - 3); g[1] = 20 * (v[1] + 1); return Math.Pow(v[0] - 3, 2) + 10 * Math.Pow(v[1] + 1, 2); }, new double[2]);
        Assert.Equal(3, x[0], 6);
        Assert.Equal(-1, x[1], 6);
    }

    static TextCorpus Toy(int n, int seed)
    {
        var rng = new Random(seed);
        string[] good = ["great", "superb", "moving", "fine"], bad = ["dull", "awful", "boring", "weak"], filler = ["the", "film", "plot", "actor", "was", "a"];
        var texts = new List<string>(); var labels = new List<int>();
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            var words = Enumerable.Range(0, 8).Select(_ => filler[rng.Next(filler.Length)]).ToList();
            words.Insert(rng.Next(words.Count), (label == 1 ? good : bad)[rng.Next(4)]);
            // "not" flips a word of the other class: only a bigram model can read it
            if (rng.Next(3) == 0) words.Insert(rng.Next(words.Count), "not " + (label == 1 ? bad : good)[rng.Next(4)]);
            texts.Add(string.Join(' ', words)); labels.Add(label);
        }
        return new TextCorpus("toy", texts, labels, ["neg", "pos"]);
    }

    [Fact]
    public void LearnsAToyPolarityCorpusAndChoosesLambdaByInnerCrossValidation()
    {
        var train = Toy(200, 1);
        var test = Toy(100, 2);
        var m = NgramClassifier.Train(train, new NgramOptions(L2Grid: [1e-4, 1e-2, 10]));
        Assert.True(m.Accuracy(test) >= 0.95, $"accuracy {m.Accuracy(test)}");
        Assert.Equal(3, m.Search.Count);
        Assert.NotEqual(10, m.ChosenL2); // a penalty that large cannot fit the data
        Assert.Equal(m.Search.MaxBy(s => s.Accuracy).L2, m.ChosenL2);
        Assert.Equal(1, m.Predict("a great film"));
        Assert.Equal(0, m.Predict("a boring film"));
    }

    [Fact]
    public void ThreeClassesTrainOneModelPerClass()
    {
        string[][] words = [["red", "crimson"], ["green", "lime"], ["blue", "navy"]];
        var texts = new List<string>(); var labels = new List<int>();
        for (int i = 0; i < 90; i++) { texts.Add($"the {words[i % 3][i / 3 % 2]} thing"); labels.Add(i % 3); }
        var corpus = new TextCorpus("colours", texts, labels, ["r", "g", "b"]);
        var m = NgramClassifier.Train(corpus, new NgramOptions(L2Grid: [1e-3]));
        Assert.Equal(1.0, m.Accuracy(corpus));
        Assert.Equal(2, m.Predict("a navy one"));
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        var one = new TextCorpus("one", ["a b", "c d"], [1, 1], ["neg", "pos"]);
        Assert.Contains("only one class", Assert.Throws<ArgumentException>(() => NgramClassifier.Train(one)).Message);
        Assert.Contains("MaxOrder must be in 1..5; got 0", Assert.Throws<ArgumentException>(() => new NgramOptions(MaxOrder: 0).Validate()).Message);
        Assert.Contains("L2Grid", Assert.Throws<ArgumentException>(() => new NgramOptions(L2Grid: []).Validate()).Message);
        var m = NgramClassifier.Train(Toy(40, 3), new NgramOptions(L2Grid: [1e-3]));
        var other = new TextCorpus("x", ["a"], [0], ["a", "b"]);
        Assert.Contains("differ from the trained ones", Assert.Throws<ArgumentException>(() => m.Accuracy(other)).Message);
    }
}
