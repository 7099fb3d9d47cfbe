using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class ScoreTests
{
    const int B = 2, Tq = 3, Tk = 4, Dq = 5, Dk = 6, H = 7;

    // Naive score matrix (B, Tq, Tk) from a per-pair formula.
    static double[] Pairwise(Tensor q, Tensor k, Func<double[], int, double[], int, double> f)
    {
        double[] Q = Naive.D(q), K = Naive.D(k);
        int dq = (int)q.shape[2], dk = (int)k.shape[2], tq = (int)q.shape[1], tk = (int)k.shape[1], b = (int)q.shape[0];
        var s = new double[b * tq * tk];
        for (int n = 0; n < b; n++)
            for (int i = 0; i < tq; i++)
                for (int j = 0; j < tk; j++)
                    s[(n * tq + i) * tk + j] = f(Q, (n * tq + i) * dq, K, (n * tk + j) * dk);
        return s;
    }

    [Fact]
    public void Dot_And_ScaledDot_MatchFormula()
    {
        torch.manual_seed(10);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dq);
        Naive.Close(Pairwise(q, k, (Q, qo, K, ko) => Naive.Dot(Q, qo, K, ko, Dq)), new DotScore(Dq).forward(q, k));
        Naive.Close(Pairwise(q, k, (Q, qo, K, ko) => Naive.Dot(Q, qo, K, ko, Dq) / Math.Sqrt(Dq)), new ScaledDotScore(Dq).forward(q, k));
    }

    [Fact]
    public void General_MatchesLuongFormula()
    {
        torch.manual_seed(11);
        var score = new GeneralScore(Dq, Dk).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dk);
        var W = Naive.D(score.Projection.weight!); // (Dq, Dk)
        Naive.Close(Pairwise(q, k, (Q, qo, K, ko) =>
        {
            var wk = Naive.Linear(W, null, K, Dq, Dk, ko);
            return Naive.Dot(Q, qo, wk, 0, Dq);
        }), score.forward(q, k));
    }

    [Fact]
    public void Additive_MatchesBahdanauFormula_AndPreparedKeysAreReusable()
    {
        torch.manual_seed(12);
        var score = new AdditiveScore(Dq, Dk, H).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dk);
        double[] W = Naive.D(score.QueryProjection.weight!), U = Naive.D(score.KeyProjection.weight!), Ub = Naive.D(score.KeyProjection.bias!), v = Naive.D(score.Vector.weight!);
        var expected = Pairwise(q, k, (Q, qo, K, ko) =>
        {
            var wq = Naive.Linear(W, null, Q, H, Dq, qo);
            var uk = Naive.Linear(U, Ub, K, H, Dk, ko);
            double e = 0;
            for (int h = 0; h < H; h++) e += v[h] * Math.Tanh(wq[h] + uk[h]);
            return e;
        });
        Naive.Close(expected, score.forward(q, k));
        // decoder loop: keys prepared once, one query step at a time
        var prepared = score.PrepareKeys(k);
        var steps = Enumerable.Range(0, Tq).Select(t => score.Score(q[.., t..(t + 1)], prepared)).ToArray();
        Naive.Close(expected, torch.cat(steps, 1));
    }

    [Fact]
    public void Concat_MatchesLuongFormula()
    {
        torch.manual_seed(13);
        var score = new ConcatScore(Dq, Dk, H).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dk);
        double[] W = Naive.D(score.Projection.weight!), v = Naive.D(score.Vector.weight!);
        Naive.Close(Pairwise(q, k, (Q, qo, K, ko) =>
        {
            var cat = Q.Skip(qo).Take(Dq).Concat(K.Skip(ko).Take(Dk)).ToArray(); // [h_t; h_s]
            var hdn = Naive.Linear(W, null, cat, H, Dq + Dk);
            return Enumerable.Range(0, H).Sum(h => v[h] * Math.Tanh(hdn[h]));
        }), score.forward(q, k));
    }

    [Fact]
    public void Cosine_MatchesFormula()
    {
        torch.manual_seed(14);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dq);
        Naive.Close(Pairwise(q, k, (Q, qo, K, ko) =>
            3.0 * Naive.Dot(Q, qo, K, ko, Dq) / Math.Sqrt(Naive.Dot(Q, qo, Q, qo, Dq) * Naive.Dot(K, ko, K, ko, Dq))),
            new CosineScore(Dq, scale: 3.0).forward(q, k));
    }

    [Fact]
    public void Location_IsSoftmaxOfLinearQueryOverPositions()
    {
        torch.manual_seed(15);
        var score = new LocationScore(Dq, Dk, maxLength: 10).to(ScalarType.Float64);
        var attention = new KeyValueAttention(score);
        var q = Naive.Rand(B, Dq);        // one decoder step
        var k = Naive.Rand(B, Tk, Dk);
        var v = Naive.Rand(B, Tk, 2);
        double[] W = Naive.D(score.Projection.weight!), b = Naive.D(score.Projection.bias!), Q = Naive.D(q), V = Naive.D(v);
        var ctx = new List<double>();
        var weights = new List<double>();
        for (int n = 0; n < B; n++)
        {
            var a = Naive.Softmax(Naive.Linear(W, b, Q, 10, Dq, n * Dq).Take(Tk).ToArray(), null);
            weights.AddRange(a);
            ctx.AddRange(Naive.Weighted(a, V, n * Tk * 2, 2));
        }
        var output = attention.Forward(q, k, v);
        Naive.Close(ctx.ToArray(), output.Context);
        Naive.Close(weights.ToArray(), output.Weights!);
        Assert.Throws<ArgumentException>(() => score.forward(Naive.Rand(B, 1, Dq), Naive.Rand(B, 11, Dk)));
    }

    [Fact]
    public void KeyValueAttention_WithPaddingMask_MatchesNaive_AndGradientsMatchFiniteDifferences()
    {
        torch.manual_seed(16);
        var attention = new KeyValueAttention(new AdditiveScore(Dq, Dk, H)).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, Dq);
        var k = Naive.Rand(B, Tk, Dk).requires_grad_();
        var v = Naive.Rand(B, Tk, 3);
        var mask = AttentionMask.FromLengths(torch.tensor(new long[] { 4, 2 }), Tk); // (B, Tk)
        var scores = attention.Score.forward(q, k);
        var S = Naive.D(scores); var V = Naive.D(v); var M = Naive.B(mask);
        var ctx = new List<double>();
        for (int n = 0; n < B; n++)
            for (int i = 0; i < Tq; i++)
            {
                var a = Naive.Softmax(S.Skip((n * Tq + i) * Tk).Take(Tk).ToArray(), M.Skip(n * Tk).Take(Tk).ToArray());
                ctx.AddRange(Naive.Weighted(a, V, n * Tk * 3, 3));
            }
        var output = attention.Forward(q, k, v, mask);
        Naive.Close(ctx.ToArray(), output.Context);
        Assert.Equal(0.0, output.Weights![1, .., 2..].abs().sum().item<double>());
        var proj = Naive.Rand(B, Tq, 3);
        Naive.GradCheck(() => (attention.Forward(q, k, v, mask).Context * proj).sum(), k);
        var wq = attention.Score.parameters().First();
        Naive.GradCheck(() => (attention.Forward(q, k, v, mask).Context * proj).sum(), wq);
    }

    [Fact]
    public void Scores_RejectWrongShapes_NamingExpectedAndActual()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GeneralScore(8).forward(torch.zeros(2, 7, 32), torch.zeros(2, 5, 8)));
        Assert.Contains("dim=8", ex.Message);
        Assert.Contains("(2, 7, 32)", ex.Message);
    }
}
