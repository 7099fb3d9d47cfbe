using AttentionSharp.Models.RelationExtraction;
using AttentionSharp.Tests.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RelationExtraction;

public class PiecewiseMaxPoolTests
{
    /// <summary>Zeng et al. 2015 eq. 3 written as loops: p_ij = max over positions t of piece j of c_it; 0 for an empty piece.</summary>
    static double[] Naive(double[] c, long[] seg, int s, int k, int l, int pieces)
    {
        var p = new double[s * k * pieces];
        for (int a = 0; a < s; a++)
            for (int i = 0; i < k; i++)
                for (int j = 1; j <= pieces; j++)
                {
                    double best = double.NegativeInfinity;
                    for (int t = 0; t < l; t++)
                        if (seg[a * l + t] == j) best = Math.Max(best, c[(a * k + i) * l + t]);
                    p[(a * k + i) * pieces + j - 1] = double.IsNegativeInfinity(best) ? 0 : best;
                }
        return p;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void MatchesANaiveLoopWithPaddingAndEmptyPieces(int pieces)
    {
        const int S = 4, K = 5, L = 7;
        var gen = new Generator(11);
        var c = randn([S, K, L], float64, generator: gen);
        // Sentence 0: full length; 1: padded after 4 tokens; 2: the tail ends the sentence (piece 3 empty); 3: entities at 0 and 1.
        var rows = new[]
        {
            PiecewiseMaxPool.Segments(7, L, (1, 2), (4, 6), pieces),
            PiecewiseMaxPool.Segments(4, L, (2, 3), (0, 1), pieces),
            PiecewiseMaxPool.Segments(5, L, (0, 1), (3, 5), pieces),
            PiecewiseMaxPool.Segments(6, L, (0, 1), (1, 2), pieces),
        };
        var seg = rows.SelectMany(r => r).ToArray();
        var got = GradientCheck.Values(PiecewiseMaxPool.Apply(c, tensor(seg, [S, L]), pieces));
        var want = Naive(GradientCheck.Values(c), seg, S, K, L, pieces);
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 12);
        if (pieces == 3)
        {
            Assert.Equal(new long[] { 1, 2, 2, 2, 2, 0, 0 }, rows[2]);          // head [0,1) closes piece 1; tail [3,5) ends the sentence: piece 3 empty
            Assert.Equal(new long[] { 1, 2, 2, 3, 0, 0, 0 }, rows[1]);          // tail [0,1) starts first and closes piece 1
            Assert.Equal(new long[] { 1, 2, 3, 3, 3, 3, 0 }, rows[3]);
            Assert.All(Enumerable.Range(0, K), i => Assert.Equal(0.0, got[(2 * K + i) * 3 + 2]));
        }
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        const int S = 2, K = 3, L = 6;
        var seg = tensor(PiecewiseMaxPool.Segments(6, L, (1, 2), (3, 4), 3).Concat(PiecewiseMaxPool.Segments(4, L, (0, 1), (3, 4), 3)).ToArray(), [S, L]);
        var x = randn([S, K, L], float64, generator: new Generator(5));
        GradientCheck.Assert(c => PiecewiseMaxPool.Apply(c, seg, 3), x, tolerance: 1e-6);
    }

    [Fact]
    public void BadShapesAreAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => PiecewiseMaxPool.Apply(zeros(2, 3, 4), zeros(2, 5, dtype: int64), 3));
        Assert.Contains("(S, K, L)", e.Message);
        Assert.Contains("(2, 5)", e.Message);
    }
}
