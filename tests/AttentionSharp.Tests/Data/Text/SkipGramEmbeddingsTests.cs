using AttentionSharp.Data.Text;

namespace AttentionSharp.Tests.Data.Text;

public class SkipGramEmbeddingsTests
{
    /// <summary>
    /// Two topics that never mix: sentences of topic A use content words a0..a5 among context words x0..x5, topic B
    /// uses b0..b5 among y0..y5; the function words "the" and "of" occur in both.
    /// </summary>
    static List<List<string>> TopicCorpus(int sentences, int seed)
    {
        var rng = new Random(seed);
        var corpus = new List<List<string>>();
        for (int s = 0; s < sentences; s++)
        {
            bool a = rng.Next(2) == 0;
            var words = new List<string>();
            for (int i = 0; i < 8; i++)
            {
                int kind = rng.Next(3);
                words.Add(kind == 0 ? (a ? "a" : "b") + rng.Next(6) : kind == 1 ? (a ? "x" : "y") + rng.Next(6) : rng.Next(2) == 0 ? "the" : "of");
            }
            corpus.Add(words);
        }
        return corpus;
    }

    static readonly SkipGramOptions Tiny = new(Dimension: 16, Window: 3, Negative: 5, Sample: 0, MinCount: 1, Epochs: 5, Seed: 7);

    [Fact]
    public void WordsThatShareContextsEndUpCloserThanWordsThatDoNot()
    {
        var vectors = SkipGramEmbeddings.Train(TopicCorpus(1500, 1), Tiny);
        Assert.Equal(16, vectors.Dimension);
        Assert.Equal(26, vectors.Count);
        double within = 0, across = 0;
        int nw = 0, na = 0;
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
            {
                across += vectors.Cosine($"a{i}", $"b{j}") + vectors.Cosine($"x{i}", $"y{j}");
                na += 2;
                if (i == j) continue;
                within += vectors.Cosine($"a{i}", $"a{j}") + vectors.Cosine($"b{i}", $"b{j}");
                nw += 2;
            }
        within /= nw;
        across /= na;
        Assert.True(within > across + 0.5, $"mean cosine within a topic {within:0.000} should exceed across topics {across:0.000} by 0.5");
        // Every content word's 5 nearest neighbours are of its own topic.
        for (int i = 0; i < 6; i++)
        {
            Assert.All(vectors.Nearest($"a{i}", 5), n => Assert.True(n.Word[0] is 'a' or 'x', $"a{i}'s neighbour {n.Word} is of the other topic"));
            Assert.All(vectors.Nearest($"b{i}", 5), n => Assert.True(n.Word[0] is 'b' or 'y', $"b{i}'s neighbour {n.Word} is of the other topic"));
        }
    }

    [Fact]
    public void TrainingIsDeterministicBySeed()
    {
        var corpus = TopicCorpus(300, 2);
        var opts = Tiny with { Sample = 1e-2, Epochs = 2 };
        var one = SkipGramEmbeddings.Train(corpus, opts);
        var two = SkipGramEmbeddings.Train(corpus, opts);
        var other = SkipGramEmbeddings.Train(corpus, opts with { Seed = 8 });
        Assert.Equal(one.Words, two.Words);
        Assert.Equal(one.Vectors, two.Vectors);
        Assert.NotEqual(one.Vectors, other.Vectors);
    }

    [Fact]
    public void StepIsGradientDescentOnTheNegativeSamplingLossByFiniteDifferences()
    {
        const int dim = 6, words = 7;
        var rng = new Random(3);
        var input = Enumerable.Range(0, words * dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var output = Enumerable.Range(0, words * dim).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        int centre = 2;
        int[] targets = [4, 0, 5, 6];                      // context word 4, noise words 0, 5, 6
        double[] Row(float[] m, int r) => Enumerable.Range(0, dim).Select(i => (double)m[r * dim + i]).ToArray();
        double LossAt(double[] c, double[][] t) => SkipGramEmbeddings.Loss(c, t);
        var c0 = Row(input, centre);
        var t0 = targets.Select(t => Row(output, t)).ToArray();

        const float rate = 1f;
        var inAfter = (float[])input.Clone();
        var outAfter = (float[])output.Clone();
        double loss = SkipGramEmbeddings.Step(inAfter, centre, outAfter, targets, dim, rate, new float[dim]);
        Assert.Equal(LossAt(c0, t0), loss, 5);

        const double eps = 1e-6;
        for (int i = 0; i < dim; i++)
        {
            var plus = (double[])c0.Clone(); plus[i] += eps;
            var minus = (double[])c0.Clone(); minus[i] -= eps;
            double grad = (LossAt(plus, t0) - LossAt(minus, t0)) / (2 * eps);
            Assert.Equal(-rate * grad, inAfter[centre * dim + i] - input[centre * dim + i], 4);
        }
        for (int k = 0; k < targets.Length; k++)
            for (int i = 0; i < dim; i++)
            {
                var plus = t0.Select(r => (double[])r.Clone()).ToArray(); plus[k][i] += eps;
                var minus = t0.Select(r => (double[])r.Clone()).ToArray(); minus[k][i] -= eps;
                double grad = (LossAt(c0, plus) - LossAt(c0, minus)) / (2 * eps);
                Assert.Equal(-rate * grad, outAfter[targets[k] * dim + i] - output[targets[k] * dim + i], 4);
            }
        // Rows that are neither the centre nor a target do not move.
        Assert.Equal(input.AsSpan(0, dim).ToArray(), inAfter.AsSpan(0, dim).ToArray());
        Assert.Equal(output.AsSpan(dim, dim).ToArray(), outAfter.AsSpan(dim, dim).ToArray());
    }

    [Fact]
    public void SubsamplingFollowsThePaperAndNoiseFollowsTheUnigramToThreeQuarters()
    {
        var keep = SkipGramEmbeddings.KeepProbabilities([500, 10, 1], 1000, 1e-3);
        Assert.Equal(Math.Sqrt(1e-3 / 0.5), keep[0], 12);
        Assert.Equal(Math.Sqrt(1e-3 / 0.01), keep[1], 12);
        Assert.Equal(1.0, keep[2]);                                   // rarer than the threshold: always kept
        Assert.All(SkipGramEmbeddings.KeepProbabilities([500, 10], 1000, 0), k => Assert.Equal(1.0, k));

        long[] counts = [1000, 100, 10, 1];
        var weights = counts.Select(c => Math.Pow(c, 0.75)).ToArray();
        var sampler = new SkipGramEmbeddings.AliasSampler(weights);
        var rng = new SkipGramEmbeddings.SplitRandom(5);
        var hits = new int[4];
        const int draws = 400_000;
        for (int i = 0; i < draws; i++) hits[sampler.Sample(ref rng)]++;
        double z = weights.Sum();
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs((double)hits[i] / draws - weights[i] / z) < 0.005, $"word {i}: drawn {(double)hits[i] / draws:0.0000}, expected {weights[i] / z:0.0000}");
    }

    [Fact]
    public void BadSettingsAndTooSmallCorporaAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new SkipGramOptions(Negative: 0).Validate());
        Assert.Throws<ArgumentException>(() => new SkipGramOptions(Sample: 1).Validate());
        var e = Assert.Throws<ArgumentException>(() => SkipGramEmbeddings.Train([["a", "b"]], Tiny with { MinCount = 2 }));
        Assert.Contains("at least 2 words", e.Message);
    }
}
