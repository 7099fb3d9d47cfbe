using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class LocalAttentionTests
{
    const int B = 2, Tq = 3, Tk = 8, D = 4, Dv = 2;

    [Fact]
    public void LocalM_AttendsOnlyInsideTheWindowAroundT_MatchesNaive()
    {
        torch.manual_seed(60);
        var local = new LocalAttention(new DotScore(D), window: 1, LocalAttentionMode.Monotonic).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, D);
        var k = Naive.Rand(B, Tk, D);
        var v = Naive.Rand(B, Tk, Dv);
        double[] Q = Naive.D(q), K = Naive.D(k), V = Naive.D(v);
        const int offset = 2; // queries are target positions 2, 3, 4
        var ctx = new List<double>();
        var w = new List<double>();
        for (int n = 0; n < B; n++)
            for (int i = 0; i < Tq; i++)
            {
                int pt = i + offset;
                var scores = Enumerable.Range(0, Tk).Select(s => Naive.Dot(Q, (n * Tq + i) * D, K, (n * Tk + s) * D, D)).ToArray();
                var a = Naive.Softmax(scores, Enumerable.Range(0, Tk).Select(s => Math.Abs(s - pt) <= 1).ToArray());
                w.AddRange(a);
                ctx.AddRange(Naive.Weighted(a, V, n * Tk * Dv, Dv));
            }
        var r = local.Forward(q, k, v, queryOffset: offset);
        Naive.Close(ctx.ToArray(), r.Context);
        Naive.Close(w.ToArray(), r.Weights!);
        Naive.Close(new double[] { 2, 3, 4, 2, 3, 4 }, r.Positions);
    }

    [Fact]
    public void LocalP_PredictsPositionAndAppliesGaussian_MatchesNaive_AndGradientReachesPositionNetwork()
    {
        torch.manual_seed(61);
        var local = new LocalAttention(new GeneralScore(D), window: 2, LocalAttentionMode.Predictive, positionHidden: 5).to(ScalarType.Float64);
        var q = Naive.Rand(B, Tq, D);
        var k = Naive.Rand(B, Tk, D);
        var v = Naive.Rand(B, Tk, Dv);
        var valid = AttentionMask.FromLengths(torch.tensor(new long[] { 8, 5 }), Tk);
        double[] Q = Naive.D(q), V = Naive.D(v), Wp = Naive.D(local.PositionProjection!.weight!), vp = Naive.D(local.PositionVector!.weight!);
        var S = Naive.D(local.Score.forward(q, k)); // align scores, checked separately in ScoreTests
        int[] len = { 8, 5 };
        var ctx = new List<double>();
        var pos = new List<double>();
        for (int n = 0; n < B; n++)
            for (int i = 0; i < Tq; i++)
            {
                var hid = Naive.Linear(Wp, null, Q, 5, D, (n * Tq + i) * D).Select(Math.Tanh).ToArray();
                double pt = len[n] / (1 + Math.Exp(-Naive.Dot(vp, 0, hid, 0, 5)));         // p_t = S sigmoid(v_p^T tanh(W_p h_t))
                pos.Add(pt);
                var ok = Enumerable.Range(0, Tk).Select(s => Math.Abs(s - pt) <= 2 && s < len[n]).ToArray();
                var a = Naive.Softmax(S.Skip((n * Tq + i) * Tk).Take(Tk).ToArray(), ok);
                for (int s = 0; s < Tk; s++) a[s] *= Math.Exp(-(s - pt) * (s - pt) / (2 * 1.0 * 1.0)); // sigma = D/2 = 1
                ctx.AddRange(Naive.Weighted(a, V, n * Tk * Dv, Dv));
            }
        var r = local.Forward(q, k, v, valid);
        Naive.Close(pos.ToArray(), r.Positions, what: "positions");
        Naive.Close(ctx.ToArray(), r.Context, what: "context");
        var proj = Naive.Rand(B, Tq, Dv);
        Naive.GradCheck(() => (local.Forward(q, k, v, valid).Context * proj).sum(), local.PositionVector!.weight!);
    }
}
