using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class AttentionPoolingTests
{
    [Fact]
    public void MatchesHanFormula_WithMask_AndAllPaddingRowIsZero()
    {
        torch.manual_seed(20);
        const int B = 3, T = 5, D = 4, A = 6;
        var pool = new AttentionPooling(D, A).to(ScalarType.Float64);
        var h = Naive.Rand(B, T, D);
        var mask = AttentionMask.FromLengths(torch.tensor(new long[] { 5, 2, 0 }), T);
        double[] W = Naive.D(pool.Projection.weight!), b = Naive.D(pool.Projection.bias!), uw = Naive.D(pool.ContextVector), H = Naive.D(h);
        bool[] M = Naive.B(mask);
        var ctx = new List<double>();
        var weights = new List<double>();
        for (int n = 0; n < B; n++)
        {
            var scores = new double[T];
            for (int t = 0; t < T; t++)
            {
                var u = Naive.Linear(W, b, H, A, D, (n * T + t) * D).Select(Math.Tanh).ToArray(); // u_it = tanh(W h_it + b)
                scores[t] = Naive.Dot(u, 0, uw, 0, A);                                              // u_it^T u_w
            }
            var a = Naive.Softmax(scores, M.Skip(n * T).Take(T).ToArray());
            weights.AddRange(a);
            ctx.AddRange(Naive.Weighted(a, H, n * T * D, D));
        }
        var output = pool.Forward(h, mask);
        Naive.Close(ctx.ToArray(), output.Context, what: "context");
        Naive.Close(weights.ToArray(), output.Weights!, what: "weights");
        Assert.Equal(0.0, output.Context[2].abs().sum().item<double>());
        var proj = Naive.Rand(B, D);
        Naive.GradCheck(() => (pool.Forward(h, mask).Context * proj).sum(), pool.ContextVector);
    }

    [Fact]
    public void LearnsToPickTheMarkedPosition()
    {
        // Each sequence has one position whose first feature is 1; the target is that position's second feature.
        torch.manual_seed(21);
        var pool = new AttentionPooling(4, 8);
        var readout = nn.Linear(4, 1);
        var opt = torch.optim.Adam(pool.parameters().Concat(readout.parameters()), 0.05);
        double loss = double.NaN;
        for (int step = 0; step < 150; step++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(32, 6, 4);
            x[.., .., 0] = torch.zeros(32, 6);
            var pos = torch.randint(0, 6, [32]);
            x[torch.arange(32), pos, 0] = torch.ones(32);
            var target = x[torch.arange(32), pos, 1].unsqueeze(1);
            var l = nn.functional.mse_loss(readout.forward(pool.forward(x)), target);
            opt.zero_grad();
            l.backward();
            opt.step();
            loss = l.item<float>();
        }
        Assert.True(loss < 0.05, $"final loss {loss}");
    }
}
