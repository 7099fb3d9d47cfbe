using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Sequence;

public class CrfTests
{
    /// <summary>A CRF in double precision with random parameters, its emissions and a mask of the given lengths.</summary>
    static (Crf Crf, Tensor Emissions, Tensor Mask) Make(int k, int[] lengths, int seed, CrfForward forward = CrfForward.LogSumExp, TransitionConstraints? constraints = null)
    {
        torch.manual_seed(seed);
        var crf = new Crf(k, constraints) { Forward = forward };
        crf.to(ScalarType.Float64);
        using (torch.no_grad())
        {
            crf.transitions.normal_(0, 1.5);
            crf.start_transitions.normal_(0, 1.5);
            crf.end_transitions.normal_(0, 1.5);
        }
        int t = lengths.Max();
        var emissions = torch.randn(lengths.Length, t, k, dtype: ScalarType.Float64).mul(2);
        var mask = torch.zeros(lengths.Length, t, dtype: ScalarType.Bool);
        for (int b = 0; b < lengths.Length; b++) mask[b, ..lengths[b]] = true;
        return (crf, emissions, mask);
    }

    static double[,] Read2(Tensor t)
    {
        var d = t.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        int r = (int)t.shape[0], c = (int)t.shape[1];
        var a = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) a[i, j] = d[i * c + j];
        return a;
    }

    static double[] Read1(Tensor t) => t.detach().cpu().to(ScalarType.Float64).data<double>().ToArray();

    /// <summary>Score of one path written from the definition.</summary>
    static double PathScore(Crf crf, double[,] em, int[] path)
    {
        var a = Read2(crf.transitions);
        var s = Read1(crf.start_transitions);
        var e = Read1(crf.end_transitions);
        double score = s[path[0]] + e[path[^1]];
        for (int i = 0; i < path.Length; i++) score += em[i, path[i]];
        for (int i = 1; i < path.Length; i++) score += a[path[i - 1], path[i]];
        return score;
    }

    static IEnumerable<int[]> AllPaths(int k, int len)
    {
        var total = (int)Math.Pow(k, len);
        for (int code = 0; code < total; code++)
        {
            var p = new int[len];
            int c = code;
            for (int i = 0; i < len; i++) { p[i] = c % k; c /= k; }
            yield return p;
        }
    }

    static double[,] EmissionsOf(Tensor emissions, int b, int len)
    {
        var all = Read2(emissions[b]);
        var em = new double[len, all.GetLength(1)];
        for (int i = 0; i < len; i++) for (int j = 0; j < all.GetLength(1); j++) em[i, j] = all[i, j];
        return em;
    }

    [Theory]
    [InlineData(1, CrfForward.LogSumExp)]
    [InlineData(2, CrfForward.LogSumExp)]
    [InlineData(3, CrfForward.LogSumExp)]
    [InlineData(4, CrfForward.LogSumExp)]
    [InlineData(3, CrfForward.ScaledMatmul)]
    [InlineData(4, CrfForward.ScaledMatmul)]
    public void LogPartitionEqualsBruteForceWithMasks(int k, CrfForward forward)
    {
        int[] lengths = [5, 1, 3, 4];
        var (crf, emissions, mask) = Make(k, lengths, seed: 10 + k, forward);
        var logZ = Read1(crf.LogPartition(emissions, mask));
        for (int b = 0; b < lengths.Length; b++)
        {
            var em = EmissionsOf(emissions, b, lengths[b]);
            var scores = AllPaths(k, lengths[b]).Select(p => PathScore(crf, em, p)).ToArray();
            double max = scores.Max();
            double expected = max + Math.Log(scores.Sum(s => Math.Exp(s - max)));
            Assert.Equal(expected, logZ[b], 9);
        }
    }

    [Fact]
    public void ScoreAndLikelihoodMatchDefinition()
    {
        int[] lengths = [4, 2, 5];
        var (crf, emissions, mask) = Make(3, lengths, seed: 3);
        var tags = torch.randint(0, 3, [3, 5], dtype: ScalarType.Int64);
        var score = Read1(crf.Score(emissions, tags, mask));
        var nll = Read1(crf.NegativeLogLikelihood(emissions, tags, mask));
        var logZ = Read1(crf.LogPartition(emissions, mask));
        var t = tags.data<long>().ToArray();
        for (int b = 0; b < 3; b++)
        {
            var path = Enumerable.Range(0, lengths[b]).Select(i => (int)t[b * 5 + i]).ToArray();
            double expected = PathScore(crf, EmissionsOf(emissions, b, lengths[b]), path);
            Assert.Equal(expected, score[b], 9);
            Assert.Equal(logZ[b] - expected, nll[b], 9);
            Assert.True(nll[b] > 0);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ViterbiEqualsBruteForceArgmax(int k)
    {
        int[] lengths = [5, 3, 1, 4];
        var (crf, emissions, mask) = Make(k, lengths, seed: 20 + k);
        var decoded = crf.Decode(emissions, mask);
        for (int b = 0; b < lengths.Length; b++)
        {
            var em = EmissionsOf(emissions, b, lengths[b]);
            var best = AllPaths(k, lengths[b]).MaxBy(p => PathScore(crf, em, p))!;
            Assert.Equal(best, decoded[b]);
        }
    }

    [Fact]
    public void ConstrainedViterbiEqualsBruteForceOverValidPaths()
    {
        string[] tags = ["O", "B-X", "I-X", "B-Y"];
        var constraints = TransitionConstraints.Bio(tags);
        int[] lengths = [5, 4, 2];
        for (int seed = 0; seed < 5; seed++)
        {
            var (crf, emissions, mask) = Make(4, lengths, seed: 40 + seed, constraints: constraints);
            var decoded = crf.Decode(emissions, mask);
            for (int b = 0; b < lengths.Length; b++)
            {
                var em = EmissionsOf(emissions, b, lengths[b]);
                var best = AllPaths(4, lengths[b]).Where(constraints.IsValid).MaxBy(p => PathScore(crf, em, p))!;
                Assert.Equal(best, decoded[b]);
            }
        }
    }

    [Fact]
    public void ConstrainedDecodingNeverYieldsInvalidBio()
    {
        string[] tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        var constraints = TransitionConstraints.Bio(tags);
        torch.manual_seed(5);
        var crf = new Crf(5, constraints);
        using (torch.no_grad())
        {
            // Transitions and emissions that push hard towards invalid sequences (I- after O, I-LOC after B-PER, I- first).
            crf.transitions.copy_(torch.randn(5, 5).mul(5));
            crf.transitions[0, 2] = 20f;
            crf.transitions[1, 4] = 20f;
            crf.start_transitions[2] = 20f;
        }
        var emissions = torch.randn(16, 9, 5).mul(6);
        emissions[.., .., 2] += 4f;
        var mask = torch.ones(16, 9, dtype: ScalarType.Bool);
        for (int b = 0; b < 16; b++) mask[b, (1 + b % 9)..] = false;
        var decoded = crf.Decode(emissions, mask);
        Assert.All(decoded, p => Assert.True(constraints.IsValid(p), string.Join(" ", p.Select(i => tags[i]))));
        // Without constraints the same scores do produce invalid sequences, so the check above is not vacuous.
        var free = new Crf(5);
        using (torch.no_grad()) foreach (var (a, b) in free.parameters().Zip(crf.parameters())) a.copy_(b);
        Assert.Contains(free.Decode(emissions, mask), p => !constraints.IsValid(p));
    }

    [Fact]
    public void BioConstraintsAllowExactlyValidTransitions()
    {
        string[] tags = ["O", "B-A", "I-A", "B-B", "I-B"];
        var c = TransitionConstraints.Bio(tags);
        Assert.Equal([true, true, false, true, false], c.Start);
        Assert.True(c.Allowed[1, 2]);
        Assert.True(c.Allowed[2, 2]);
        Assert.False(c.Allowed[0, 2]);
        Assert.False(c.Allowed[3, 2]);
        Assert.False(c.Allowed[4, 2]);
        Assert.True(c.Allowed[2, 0]);
        Assert.True(c.Allowed[4, 1]);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        int[] lengths = [4, 2, 3];
        foreach (var forward in new[] { CrfForward.LogSumExp, CrfForward.ScaledMatmul })
        {
            var (crf, emissions, mask) = Make(3, lengths, seed: 7, forward);
            emissions.requires_grad_(true);
            var tags = torch.tensor(new long[] { 0, 1, 2, 1, 2, 2, 0, 0, 1, 0, 2, 0 }).reshape(3, 4);
            Tensor Loss() => crf.NegativeLogLikelihood(emissions, tags, mask).sum();
            var loss = Loss();
            loss.backward();
            var targets = new List<Tensor> { emissions, crf.transitions, crf.start_transitions, crf.end_transitions };
            foreach (var p in targets)
            {
                var grad = Read1(p.grad!.reshape(-1));
                var flat = p.detach().reshape(-1);
                double h = 1e-6;
                for (int i = 0; i < grad.Length; i++)
                {
                    double old = flat[i].item<double>();
                    using (torch.no_grad())
                    {
                        flat[i] = old + h;
                        double up = Loss().item<double>();
                        flat[i] = old - h;
                        double down = Loss().item<double>();
                        flat[i] = old;
                        Assert.Equal((up - down) / (2 * h), grad[i], 6);
                    }
                }
            }
        }
    }

    [Fact]
    public void ScaledMatmulMatchesLogSumExpForManyTagsInFloat()
    {
        torch.manual_seed(2);
        var crf = new Crf(40);
        using (torch.no_grad()) crf.transitions.normal_(0, 3);
        var emissions = torch.randn(6, 12, 40).mul(8);
        var mask = torch.ones(6, 12, dtype: ScalarType.Bool);
        mask[0, 5..] = false;
        crf.Forward = CrfForward.LogSumExp;
        var exact = Read1(crf.LogPartition(emissions, mask));
        crf.Forward = CrfForward.ScaledMatmul;
        var fast = Read1(crf.LogPartition(emissions, mask));
        for (int b = 0; b < 6; b++) Assert.Equal(exact[b], fast[b], 3);
    }

    [Fact]
    public void BadInputsAreRejectedWithClearMessages()
    {
        var crf = new Crf(3);
        var em = torch.randn(2, 4, 3);
        var ok = torch.ones(2, 4, dtype: ScalarType.Bool);
        var e1 = Assert.Throws<ArgumentException>(() => crf.LogPartition(torch.randn(2, 4, 5), ok));
        Assert.Contains("tags=3", e1.Message);
        Assert.Contains("(2, 4, 5)", e1.Message);
        var gap = ok.clone();
        gap[0, 1] = false;
        Assert.Contains("prefix", Assert.Throws<ArgumentException>(() => crf.LogPartition(em, gap)).Message);
        var empty = ok.clone();
        empty[1, ..] = false;
        Assert.Contains("t = 0", Assert.Throws<ArgumentException>(() => crf.Decode(em, empty)).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => crf.LogPartition(em, torch.ones(2, 4))).Message);
        var badTags = torch.full(2, 4, 3L);
        Assert.Contains("0..2", Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(em, badTags, ok)).Message);
        var negative = torch.zeros(2, 4, dtype: ScalarType.Int64);
        negative[1, 2] = -1;
        Assert.Contains("found -1", Assert.Throws<ArgumentException>(() => crf.NegativeLogLikelihood(em, negative, ok)).Message);
        // An out-of-range tag on padding is not an error: only real tokens are checked.
        var padded = ok.clone();
        padded[1, 3] = false;
        var tagsOnPadding = torch.zeros(2, 4, dtype: ScalarType.Int64);
        tagsOnPadding[1, 3] = 7;
        Assert.True(float.IsFinite(crf.NegativeLogLikelihood(em, tagsOnPadding, padded).sum().item<float>()));
        Assert.Throws<ArgumentException>(() => new Crf(0));
        Assert.Throws<ArgumentException>(() => new Crf(4, TransitionConstraints.Bio(["O", "B-X", "I-X"])));
    }
}
