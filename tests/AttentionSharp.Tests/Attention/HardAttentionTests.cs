using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class HardAttentionTests
{
    [Fact]
    public void LogProbEntropyAndEvalArgmax_MatchDefinitions()
    {
        torch.manual_seed(50);
        var scores = Naive.Rand(3, 2, 5);
        var values = Naive.Rand(3, 5, 4);
        var mask = torch.ones(3, 2, 5, dtype: ScalarType.Bool);
        mask[1, .., 3..] = torch.zeros(2, 2, dtype: ScalarType.Bool);
        mask[2, 1] = torch.zeros(5, dtype: ScalarType.Bool); // nothing allowed
        double[] S = Naive.D(scores), V = Naive.D(values);
        bool[] M = Naive.B(mask);
        foreach (bool training in new[] { true, false })
        {
            var r = HardAttention.Select(scores, values, mask, training);
            long[] idx = r.Index.data<long>().ToArray();
            double[] lp = Naive.D(r.LogProb), ent = Naive.D(r.Entropy), ctx = Naive.D(r.Context);
            for (int n = 0; n < 3; n++)
                for (int i = 0; i < 2; i++)
                {
                    int row = n * 2 + i;
                    var ok = M.Skip(row * 5).Take(5).ToArray();
                    var p = Naive.Softmax(S.Skip(row * 5).Take(5).ToArray(), ok);
                    if (!ok.Any(x => x))
                    {
                        Assert.Equal(0.0, lp[row]); Assert.Equal(0.0, ent[row]);
                        Assert.All(ctx.Skip(row * 4).Take(4), c => Assert.Equal(0.0, c));
                        continue;
                    }
                    int k = (int)idx[row];
                    Assert.True(ok[k], $"selected masked position {k} in row {row}, training={training}, probs={string.Join(",", Naive.D(r.Probabilities).Skip(row * 5).Take(5))}");
                    Assert.Equal(Math.Log(p[k]), lp[row], 10);
                    Assert.Equal(-p.Where(x => x > 0).Sum(x => x * Math.Log(x)), ent[row], 10);
                    if (!training) Assert.Equal(Array.IndexOf(p, p.Max()), k);
                    for (int d = 0; d < 4; d++) Assert.Equal(V[(n * 5 + k) * 4 + d], ctx[row * 4 + d], 12);
                }
        }
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Sampling_FollowsTheAttentionDistribution()
    {
        torch.manual_seed(51);
        var scores = torch.tensor(new double[] { 0.0, Math.Log(3.0), double.NaN }).view(1, 3).expand(5000, 3).contiguous();
        var mask = torch.tensor(new[] { true, true, false }).view(1, 3).expand(5000, 3);
        scores = scores.nan_to_num(0.0);
        var r = HardAttention.Select(scores, Naive.Rand(5000, 3, 1), mask, training: true);
        double frac1 = (r.Index == 1).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(frac1, 0.72, 0.78); // p = 3/4; binomial sd 0.006
        Assert.Equal(0L, (r.Index == 2).sum().item<long>());
    }

    [Fact]
    public void GumbelStraightThrough_IsOneHotForward_WithSoftmaxGradient()
    {
        torch.manual_seed(52);
        var scores = Naive.Rand(4, 6).requires_grad_();
        var values = Naive.Rand(4, 6, 3);
        var r = HardAttention.Select(scores, values.unsqueeze(1).squeeze(1).view(4, 6, 3), null, training: true, HardAttentionMode.GumbelStraightThrough, 0.5);
        Assert.Equal(4.0, r.Selection.sum().item<double>(), 12);
        Assert.Equal(1.0, r.Selection.max().item<double>(), 12);
        // straight-through: forward one-hot rows, gradient nonzero for every allowed position
        var ctx = torch.matmul(r.Selection.unsqueeze(1), values).squeeze(1);
        ctx.sum().backward();
        Assert.True(scores.grad!.abs().min().item<double>() > 0);
    }

    [Fact]
    public void Reinforce_PolicyLearnsToAttendToTheRewardedPosition()
    {
        // The query says which of 5 positions is rewarded (one-hot); reward 1 when the hard attention picks it.
        torch.manual_seed(53);
        var attention = new HardAttention(new GeneralScore(5, 5));
        var keys = torch.eye(5).unsqueeze(0).expand(64, 5, 5); // key j = e_j
        var opt = torch.optim.Adam(attention.parameters(), 0.1);
        double baseline = 0;
        for (int step = 0; step < 120; step++)
        {
            using var scope = torch.NewDisposeScope();
            var target = torch.randint(0, 5, [64]);
            var query = nn.functional.one_hot(target, 5).to(ScalarType.Float32);
            var r = attention.Forward(query, keys, keys);
            var reward = (r.Index == target).to(ScalarType.Float32);
            var loss = -((reward - baseline) * r.LogProb).mean() - 0.01 * r.Entropy.mean();
            baseline = 0.9 * baseline + 0.1 * reward.mean().item<float>();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        attention.eval();
        var t = torch.arange(5);
        var q = nn.functional.one_hot(t, 5).to(ScalarType.Float32);
        var pick = attention.Forward(q, keys[..5], keys[..5]);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, pick.Index.data<long>().ToArray());
        Assert.True(pick.Probabilities.gather(1, t.unsqueeze(1)).min().item<float>() > 0.9, "policy is not confident");
    }
}
