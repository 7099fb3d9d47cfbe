using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class LifetimeAndModeTests
{
    [Fact]
    public void CachedDecodingInDisposeScopes_LeavesNoLiveTensors()
    {
        torch.manual_seed(90);
        var mha = new MultiHeadAttention(8, 2, numKeyValueHeads: 1);
        var cross = new MultiHeadAttention(8, 2);
        var x = torch.randn(2, 5, 8);
        var memory = torch.randn(2, 3, 8);
        void Decode()
        {
            using var selfCache = KeyValueCache.ForSelfAttention();
            using var crossCache = KeyValueCache.ForCrossAttention();
            for (int t = 0; t < 5; t++)
            {
                using var scope = torch.NewDisposeScope();
                var h = mha.Forward(x[.., t..(t + 1)], causal: true, needWeights: t % 2 == 0, cache: selfCache).Context;
                cross.Forward(h, memory, memory, cache: crossCache);
            }
        }
        Decode(); // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 10; i++) Decode();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void Dropout_ActsOnlyInTraining()
    {
        torch.manual_seed(91);
        var attention = new KeyValueAttention(new DotScore(4), dropout: 0.5);
        var plain = new KeyValueAttention(new DotScore(4));
        var q = torch.randn(2, 3, 4);
        var k = torch.randn(2, 6, 4);
        attention.eval();
        Naive.Close(plain.Forward(q, k, k).Context, attention.Forward(q, k, k).Context, 1e-6);
        attention.train();
        var diff = (plain.Forward(q, k, k).Context - attention.Forward(q, k, k).Context).abs().max().item<float>();
        Assert.True(diff > 1e-3, $"training output equals eval output (max diff {diff})");

        var mha = new MultiHeadAttention(8, 2, dropout: 0.5);
        var x = torch.randn(2, 5, 8);
        mha.eval();
        var evalOut = mha.Forward(x).Context;
        Naive.Close(evalOut, mha.Forward(x, needWeights: true).Context, 1e-5);
        mha.train();
        Assert.True((mha.Forward(x).Context - evalOut).abs().max().item<float>() > 1e-3);
    }

    static void SameKeys(string[] expected, nn.Module module)
        => Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal), module.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal));

    [Fact]
    public void StateDictNames_AreStable()
    {
        SameKeys(["q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias"], new MultiHeadAttention(8, 2));
        SameKeys(["score.W_a.weight", "score.U_a.weight", "score.U_a.bias", "score.v_a.weight"], new KeyValueAttention(new AdditiveScore(3, 4, 5)));
        SameKeys(["W.weight", "W.bias", "u_w"], new AttentionPooling(3, 4));
        SameKeys(["score.W_a.weight", "W_p.weight", "v_p.weight"], new LocalAttention(new GeneralScore(4), 2));
    }
}
