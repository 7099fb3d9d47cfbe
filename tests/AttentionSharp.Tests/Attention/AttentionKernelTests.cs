using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class AttentionKernelTests
{
    // Naive softmax(q k^T * scale) v per (batch, head) slice, with a boolean allowed-mask (B?, H?, Tq, Tk) broadcast by index.
    static (double[] ctx, double[] w) NaiveSdpa(Tensor q, Tensor k, Tensor v, Func<int, int, int, bool> allowed, double scale)
    {
        long bh = q.shape[0] * q.shape[1];
        int tq = (int)q.shape[2], tk = (int)k.shape[2], d = (int)q.shape[3], dv = (int)v.shape[3];
        double[] Q = Naive.D(q), K = Naive.D(k), V = Naive.D(v);
        var ctx = new double[bh * tq * dv];
        var w = new double[bh * tq * tk];
        for (int s = 0; s < bh; s++)
            for (int i = 0; i < tq; i++)
            {
                var scores = new double[tk];
                var ok = new bool[tk];
                for (int j = 0; j < tk; j++)
                {
                    scores[j] = Naive.Dot(Q, (s * tq + i) * d, K, (s * tk + j) * d, d) * scale;
                    ok[j] = allowed(s, i, j);
                }
                var wi = Naive.Softmax(scores, ok);
                Array.Copy(wi, 0, w, (s * tq + i) * tk, tk);
                Array.Copy(Naive.Weighted(wi, V, s * tk * dv, dv), 0, ctx, (s * tq + i) * dv, dv);
            }
        return (ctx, w);
    }

    [Fact]
    public void MaskedSoftmax_FullyMaskedRow_GivesZerosNotNaN()
    {
        var scores = Naive.Rand(2, 3, 4);
        var mask = torch.ones(2, 3, 4, dtype: ScalarType.Bool);
        mask[0, 1] = torch.zeros(4, dtype: ScalarType.Bool);
        var w = AttentionKernel.MaskedSoftmax(scores, mask);
        var d = Naive.D(w);
        Assert.All(d, x => Assert.False(double.IsNaN(x)));
        Assert.Equal(0.0, w[0, 1].abs().sum().item<double>());
        Assert.Equal(1.0, w[1, 2].sum().item<double>(), 12);
        // additive -inf mask behaves the same
        var add = AttentionMask.ToAdditive(mask, ScalarType.Float64);
        Naive.Close(w, AttentionKernel.MaskedSoftmax(scores, add), 1e-12);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ScaledDotProduct_MatchesNaive_FusedAndWeightsPaths(bool causal, bool needWeights)
    {
        torch.manual_seed(1);
        var q = Naive.Rand(2, 3, 5, 4);
        var k = Naive.Rand(2, 3, 6, 4);
        var v = Naive.Rand(2, 3, 6, 3);
        // key padding (B, 1, 1, Tk): batch 1 has only 2 valid keys; plus a (Tq, Tk) mask with a fully masked query row 2
        var pad = AttentionMask.FromLengths(torch.tensor(new long[] { 6, 2 }), 6).view(2, 1, 1, 6);
        var rows = torch.ones(5, 6, dtype: ScalarType.Bool);
        rows[2] = torch.zeros(6, dtype: ScalarType.Bool);
        var mask = pad.logical_and(rows); // (B, 1, Tq, Tk)
        var maskArr = Naive.B(mask.expand(2, 3, 5, 6));
        bool Allowed(int s, int i, int j) => maskArr[(s * 5 + i) * 6 + j] && (!causal || j <= i + 1);
        var (ctx, w) = NaiveSdpa(q, k, v, Allowed, 0.5);
        var result = AttentionKernel.ScaledDotProduct(q, k, v, mask, causal, needWeights: needWeights);
        Naive.Close(ctx, result.Context, 1e-9, "context");
        if (needWeights) Naive.Close(w, result.Weights!, 1e-9, "weights");
        else Assert.Null(result.Weights);
        // the fully masked query row gives exactly zero
        Assert.Equal(0.0, result.Context[.., .., 2].abs().sum().item<double>());
    }

    [Fact]
    public void ScaledDotProduct_CausalSquare_UsesFusedCausalAndMatchesNaive()
    {
        torch.manual_seed(2);
        var q = Naive.Rand(1, 2, 5, 4);
        var k = Naive.Rand(1, 2, 5, 4);
        var v = Naive.Rand(1, 2, 5, 4);
        var (ctx, _) = NaiveSdpa(q, k, v, (s, i, j) => j <= i, 0.5);
        Naive.Close(ctx, AttentionKernel.ScaledDotProduct(q, k, v, causal: true).Context, 1e-9);
        Naive.Close(ctx, AttentionKernel.ScaledDotProduct(q, k, v, causal: true, needWeights: true).Context, 1e-9);
    }

    [Fact]
    public void ScaledDotProduct_CustomScaleAndAdditiveMask_MatchNaive()
    {
        torch.manual_seed(3);
        var q = Naive.Rand(2, 1, 4, 3);
        var k = Naive.Rand(2, 1, 5, 3);
        var v = Naive.Rand(2, 1, 5, 2);
        var allowed = torch.rand(2, 1, 4, 5) > 0.3;
        allowed[.., .., .., 0] = torch.tensor(true);
        var additive = AttentionMask.ToAdditive(allowed, ScalarType.Float64);
        var arr = Naive.B(allowed);
        var (ctx, _) = NaiveSdpa(q, k, v, (s, i, j) => arr[(s * 4 + i) * 5 + j], 0.25);
        Naive.Close(ctx, AttentionKernel.ScaledDotProduct(q, k, v, additive, scale: 0.25).Context, 1e-9, "fused");
        Naive.Close(ctx, AttentionKernel.ScaledDotProduct(q, k, v, additive, scale: 0.25, needWeights: true).Context, 1e-9, "weights path");
    }

    [Fact]
    public void ScaledDotProduct_Gradients_MatchFiniteDifferences_WithFullyMaskedRow()
    {
        torch.manual_seed(4);
        var q = Naive.Rand(1, 2, 3, 4).requires_grad_();
        var k = Naive.Rand(1, 2, 4, 4).requires_grad_();
        var v = Naive.Rand(1, 2, 4, 3).requires_grad_();
        var mask = torch.ones(3, 4, dtype: ScalarType.Bool);
        mask[1] = torch.zeros(4, dtype: ScalarType.Bool);
        mask[2, 3] = torch.tensor(false);
        var proj = Naive.Rand(1, 2, 3, 3);
        foreach (bool weights in new[] { false, true })
        {
            Tensor F() => (AttentionKernel.ScaledDotProduct(q, k, v, mask, needWeights: weights).Context * proj).sum();
            Naive.GradCheck(F, q);
            Naive.GradCheck(F, k);
            Naive.GradCheck(F, v);
            Assert.All(Naive.D(q.grad!), g => Assert.False(double.IsNaN(g)));
        }
    }

    [Fact]
    public void Attend_RejectsMismatchedShapes_WithBothShapesInMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => AttentionKernel.Attend(torch.zeros(2, 3, 4), torch.zeros(2, 5, 6)));
        Assert.Contains("(2, 3, 4)", ex.Message);
        Assert.Contains("(2, 5, 6)", ex.Message);
    }

    [Fact]
    public void Masks_CausalAndSlidingWindow_AreBottomRightAligned()
    {
        var c = AttentionMask.Causal(2, 4);
        Assert.Equal(new[] { true, true, true, false, true, true, true, true }, Naive.B(c));
        var w = AttentionMask.SlidingWindow(4, 4, 1);
        Assert.Equal(new[] { true, true, false, false, true, true, true, false, false, true, true, true, false, false, true, true }, Naive.B(w));
        var wc = AttentionMask.SlidingWindow(3, 3, 1, causal: true);
        Assert.Equal(new[] { true, false, false, true, true, false, false, true, true }, Naive.B(wc));
        var lengths = AttentionMask.FromLengths(torch.tensor(new long[] { 1, 3 }), 3);
        Assert.Equal(new[] { true, false, false, true, true, true }, Naive.B(lengths));
    }
}
