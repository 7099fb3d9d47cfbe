using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class MultiHeadAttentionTests
{
    // Naive multi-head attention from Vaswani et al. eq. 1 and section 3.2.2, per batch, head and query, in double.
    internal static (double[] output, double[] weights) NaiveMha(MultiHeadAttention mha, Tensor query, Tensor key, Tensor value, Func<int, int, int, int, bool> allowed)
    {
        int b = (int)query.shape[0], tq = (int)query.shape[1], tk = (int)key.shape[1];
        int e = (int)mha.EmbedDim, h = (int)mha.NumHeads, hkv = (int)mha.NumKeyValueHeads, dh = (int)mha.HeadDim, kd = (int)mha.KeyDim, vd = (int)mha.ValueDim;
        double[] Wq = Naive.D(mha.QueryProjection.weight!), bq = Naive.D(mha.QueryProjection.bias!);
        double[] Wk = Naive.D(mha.KeyProjection.weight!), bk = Naive.D(mha.KeyProjection.bias!);
        double[] Wv = Naive.D(mha.ValueProjection.weight!), bv = Naive.D(mha.ValueProjection.bias!);
        double[] Wo = Naive.D(mha.OutputProjection.weight!), bo = Naive.D(mha.OutputProjection.bias!);
        double[] Q = Naive.D(query), K = Naive.D(key), V = Naive.D(value);
        var output = new double[b * tq * e];
        var weights = new double[b * h * tq * tk];
        for (int n = 0; n < b; n++)
        {
            var qp = Enumerable.Range(0, tq).Select(i => Naive.Linear(Wq, bq, Q, e, e, (n * tq + i) * e)).ToArray();
            var kp = Enumerable.Range(0, tk).Select(j => Naive.Linear(Wk, bk, K, hkv * dh, kd, (n * tk + j) * kd)).ToArray();
            var vp = Enumerable.Range(0, tk).Select(j => Naive.Linear(Wv, bv, V, hkv * dh, vd, (n * tk + j) * vd)).ToArray();
            for (int i = 0; i < tq; i++)
            {
                var concat = new double[e];
                for (int hd = 0; hd < h; hd++)
                {
                    int g = hd / (h / hkv); // key/value head of this query head
                    var scores = new double[tk];
                    var ok = new bool[tk];
                    for (int j = 0; j < tk; j++)
                    {
                        scores[j] = Naive.Dot(qp[i], hd * dh, kp[j], g * dh, dh) / Math.Sqrt(dh);
                        ok[j] = allowed(n, hd, i, j);
                    }
                    var a = Naive.Softmax(scores, ok);
                    Array.Copy(a, 0, weights, ((n * h + hd) * tq + i) * tk, tk);
                    for (int j = 0; j < tk; j++)
                        for (int d = 0; d < dh; d++) concat[hd * dh + d] += a[j] * vp[j][g * dh + d];
                }
                Array.Copy(Naive.Linear(Wo, bo, concat, e, e), 0, output, (n * tq + i) * e, e);
            }
        }
        return (output, weights);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SelfAttention_WithCausalAndPadding_MatchesNaive(bool needWeights)
    {
        torch.manual_seed(30);
        var mha = new MultiHeadAttention(8, 2).to(ScalarType.Float64);
        var x = Naive.Rand(2, 5, 8);
        var pad = AttentionMask.FromLengths(torch.tensor(new long[] { 5, 3 }), 5);
        var P = Naive.B(pad);
        var (o, w) = NaiveMha(mha, x, x, x, (n, hd, i, j) => P[n * 5 + j] && j <= i);
        var result = mha.Forward(x, keyPaddingMask: pad, causal: true, needWeights: needWeights);
        Naive.Close(o, result.Context, 1e-9, "output");
        if (needWeights)
        {
            Assert.Equal(new long[] { 2, 2, 5, 5 }, result.Weights!.shape);
            Naive.Close(w, result.Weights!, 1e-9, "weights");
        }
    }

    [Fact]
    public void CrossAttention_KdimVdim_GroupedQuery_AdditiveMask_MatchesNaive()
    {
        torch.manual_seed(31);
        var mha = new MultiHeadAttention(12, 4, kdim: 5, vdim: 7, numKeyValueHeads: 2).to(ScalarType.Float64);
        var q = Naive.Rand(2, 3, 12);
        var k = Naive.Rand(2, 6, 5);
        var v = Naive.Rand(2, 6, 7);
        var allowed = torch.rand(2, 4, 3, 6) > 0.4;
        allowed[0, 1, 2] = torch.zeros(6, dtype: ScalarType.Bool); // one fully masked (batch, head, query)
        var A = Naive.B(allowed);
        var (o, w) = NaiveMha(mha, q, k, v, (n, hd, i, j) => A[((n * 4 + hd) * 3 + i) * 6 + j]);
        var additive = AttentionMask.ToAdditive(allowed, ScalarType.Float64);
        Naive.Close(o, mha.Forward(q, k, v, attentionMask: additive).Context, 1e-9, "fused additive");
        var r = mha.Forward(q, k, v, attentionMask: allowed, needWeights: true);
        Naive.Close(o, r.Context, 1e-9, "weights path bool");
        Naive.Close(w, r.Weights!, 1e-9, "weights");
    }

    [Fact]
    public void EqualsTorchSharpMultiheadAttention_GivenSameWeights()
    {
        torch.manual_seed(32);
        const int E = 16, Hh = 4, B = 3, T = 6, S = 7;
        var theirs = nn.MultiheadAttention(E, Hh).to(ScalarType.Float64);
        var ours = new MultiHeadAttention(E, Hh).to(ScalarType.Float64);
        var p = theirs.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using (torch.no_grad())
        {
            var w = p["in_proj_weight"]; var bias = p["in_proj_bias"];
            ours.QueryProjection.weight!.copy_(w[..E]); ours.QueryProjection.bias!.copy_(bias[..E]);
            ours.KeyProjection.weight!.copy_(w[E..(2 * E)]); ours.KeyProjection.bias!.copy_(bias[E..(2 * E)]);
            ours.ValueProjection.weight!.copy_(w[(2 * E)..]); ours.ValueProjection.bias!.copy_(bias[(2 * E)..]);
            ours.OutputProjection.weight!.copy_(p["out_proj.weight"]); ours.OutputProjection.bias!.copy_(p["out_proj.bias"]);
        }
        var q = Naive.Rand(B, T, E);
        var kv = Naive.Rand(B, S, E);
        var valid = AttentionMask.FromLengths(torch.tensor(new long[] { 7, 4, 2 }), S); // ours: true = valid
        var allowed = torch.rand(T, S) > 0.3;
        allowed[.., 0] = torch.tensor(true);
        // theirs: sequence-first, key_padding_mask true = IGNORE; TorchSharp 0.107 does not apply a boolean attn_mask
        // as PyTorch does (neither polarity matches), so it gets the additive form (-inf = blocked).
        var (theirOut, theirWeights) = theirs.forward(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1),
            AttentionMask.InvertPolarity(valid), true, AttentionMask.ToAdditive(allowed, ScalarType.Float64));
        var r = ours.Forward(q, kv, kv, keyPaddingMask: valid, attentionMask: allowed, needWeights: true);
        Naive.Close(theirOut.transpose(0, 1), r.Context, 1e-9, "output");
        Naive.Close(theirWeights, MultiHeadAttention.AverageHeads(r.Weights!), 1e-9, "averaged weights");
        Naive.Close(theirOut.transpose(0, 1), ours.Forward(q, kv, kv, keyPaddingMask: valid, attentionMask: allowed).Context, 1e-9, "fused output");
    }

    [Fact]
    public void Gradients_MatchFiniteDifferences()
    {
        torch.manual_seed(33);
        var mha = new MultiHeadAttention(6, 2, numKeyValueHeads: 1).to(ScalarType.Float64);
        var x = Naive.Rand(2, 4, 6).requires_grad_();
        var pad = AttentionMask.FromLengths(torch.tensor(new long[] { 4, 2 }), 4);
        var proj = Naive.Rand(2, 4, 6);
        foreach (bool w in new[] { false, true })
        {
            Tensor F() => (mha.Forward(x, keyPaddingMask: pad, causal: true, needWeights: w).Context * proj).sum();
            Naive.GradCheck(F, x);
            Naive.GradCheck(F, mha.KeyProjection.weight!);
            Naive.GradCheck(F, mha.QueryProjection.weight!);
        }
    }

    [Fact]
    public void RejectsBadShapes_NamingExpectedAndActual()
    {
        var mha = new MultiHeadAttention(64, 8);
        var ex = Assert.Throws<ArgumentException>(() => mha.Forward(torch.zeros(2, 7, 32)));
        Assert.Equal("query must be (batch, time, dim) with dim=64; got (2, 7, 32)", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => mha.Forward(torch.zeros(2, 7, 64), keyPaddingMask: torch.ones(2, 6, dtype: ScalarType.Bool)));
        Assert.Contains("(2, 6)", ex2.Message);
        Assert.Throws<ArgumentException>(() => new MultiHeadAttention(64, 8, numKeyValueHeads: 3));
    }
}
