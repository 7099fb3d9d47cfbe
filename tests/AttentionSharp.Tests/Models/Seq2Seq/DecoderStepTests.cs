using AttentionSharp.Models.Seq2Seq;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Seq2Seq;

/// <summary>Each decoder step against the paper's formulas written out naively in double precision on tiny tensors.</summary>
public class DecoderStepTests
{
    const long E = 3, H2 = 4, Hd = 4, S = 3;

    static Dictionary<string, Tensor> Params(nn.Module m) => m.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter.detach());

    static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>GRU cell (r, z, n gate order of PyTorch) on plain arrays.</summary>
    static double[] Gru(Dictionary<string, Tensor> p, string prefix, double[] x, double[] h)
    {
        var wi = p[prefix + "weight_ih"]; var wh = p[prefix + "weight_hh"]; var bi = p[prefix + "bias_ih"]; var bh = p[prefix + "bias_hh"];
        int n = h.Length;
        double Gi(int row) { double s = bi[row].item<double>(); for (int j = 0; j < x.Length; j++) s += wi[row, j].item<double>() * x[j]; return s; }
        double Gh(int row) { double s = bh[row].item<double>(); for (int j = 0; j < n; j++) s += wh[row, j].item<double>() * h[j]; return s; }
        var outH = new double[n];
        for (int k = 0; k < n; k++)
        {
            double r = Sigmoid(Gi(k) + Gh(k));
            double z = Sigmoid(Gi(n + k) + Gh(n + k));
            double nn_ = Math.Tanh(Gi(2 * n + k) + r * Gh(2 * n + k));
            outH[k] = (1 - z) * nn_ + z * h[k];
        }
        return outH;
    }

    static double[] Linear(Dictionary<string, Tensor> p, string name, double[] x, bool bias = true)
    {
        var w = p[name + ".weight"];
        var y = new double[w.shape[0]];
        for (int i = 0; i < y.Length; i++)
        {
            double s = bias && p.TryGetValue(name + ".bias", out var b) ? b[i].item<double>() : 0;
            for (int j = 0; j < x.Length; j++) s += w[i, j].item<double>() * x[j];
            y[i] = s;
        }
        return y;
    }

    static double[] Row(Tensor t, params long[] idx) => t[idx.Select(i => TensorIndex.Single(i)).ToArray()].data<double>().ToArray();
    static double[] Cat(params double[][] parts) => parts.SelectMany(p => p).ToArray();
    static double Dot(double[] a, double[] b) => a.Zip(b).Sum(z => z.First * z.Second);
    static double[] Tanh(double[] a) => a.Select(Math.Tanh).ToArray();

    static double[] Softmax(double[] e, int len)
    {
        var w = new double[e.Length];
        double max = e.Take(len).Max(), sum = 0;
        for (int j = 0; j < len; j++) { w[j] = Math.Exp(e[j] - max); sum += w[j]; }
        for (int j = 0; j < len; j++) w[j] /= sum;
        return w; // padded positions stay 0
    }

    static double[] Context(double[] w, Tensor annotations, long b)
    {
        var c = new double[H2];
        for (int j = 0; j < S; j++) { var h = Row(annotations, b, j); for (int k = 0; k < H2; k++) c[k] += w[j] * h[k]; }
        return c;
    }

    static (EncoderMemory Memory, Tensor Embedded, int[] Lengths) Inputs(RnnDecoder decoder)
    {
        torch.manual_seed(5);
        var annotations = torch.randn(2, S, H2, dtype: ScalarType.Float64);
        var mask = torch.tensor(new[] { true, true, true, true, true, false }, [2, S]);
        annotations = annotations * mask.unsqueeze(-1).to(ScalarType.Float64);
        var final = torch.randn(2, H2, dtype: ScalarType.Float64);
        var memory = new EncoderMemory(annotations, decoder.PrepareKeys(annotations), mask, final);
        return (memory, torch.randn(2, E, dtype: ScalarType.Float64), [3, 2]);
    }

    [Fact]
    public void BahdanauStepMatchesEquations()
    {
        torch.manual_seed(1);
        var dec = new BahdanauDecoder(E, H2, Hd);
        dec.to(ScalarType.Float64);
        var p = Params(dec);
        var (memory, emb, lengths) = Inputs(dec);
        var start = dec.Start(memory);
        var step = dec.Step(emb, start);
        for (long b = 0; b < 2; b++)
        {
            var s0 = Tanh(Linear(p, "init", Row(memory.Final, b).Skip((int)H2 / 2).ToArray()));
            Close(s0, Row(start.Hidden, b));
            // e_j = v^T tanh(W s_{t-1} + U h_j + b_U)
            var wq = Linear(p, "attention.score.W_a", s0);
            var e = Enumerable.Range(0, (int)S).Select(j => Dot(Linear(p, "attention.score.v_a", Tanh(wq.Zip(Linear(p, "attention.score.U_a", Row(memory.Annotations, b, j))).Select(z => z.First + z.Second).ToArray())), [1.0])).ToArray();
            var alpha = Softmax(e, lengths[b]);
            Close(alpha, Row(step.Weights!, b));
            var c = Context(alpha, memory.Annotations, b);
            var s1 = Gru(p, "cell.", Cat(Row(emb, b), c), s0);
            Close(s1, Row(step.State.Hidden, b));
            var o = Tanh(Linear(p, "output", Cat(s1, c, Row(emb, b))));
            Close(o, Row(step.Output, b));
        }
    }

    [Theory]
    [InlineData("dot")]
    [InlineData("general")]
    [InlineData("concat")]
    [InlineData("local-p")]
    [InlineData("local-m")]
    [InlineData("location")]
    public void LuongStepMatchesEquations(string score)
    {
        torch.manual_seed(2);
        var dec = new LuongDecoder(score, E, H2, Hd, window: 1);
        dec.to(ScalarType.Float64);
        var p = Params(dec);
        var (memory, emb, lengths) = Inputs(dec);
        var start = dec.Start(memory);
        var feed = Row(torch.randn(2, Hd, dtype: ScalarType.Float64), 0); // a non-zero h~_{t-1} for both rows
        // local-m attends around the target position t: take the third step (t = 2) so the window [1, 3] cuts the source.
        var fed = start with { Feed = torch.tensor(Cat(feed, feed), [2, Hd], dtype: ScalarType.Float64), Step = score == "local-m" ? 2 : 0 };
        var step = dec.Step(emb, fed);
        Assert.Equal(fed.Step + 1, step.State.Step);
        string prefix = score is "local-p" or "local-m" ? "local.score." : "global.score.";
        for (long b = 0; b < 2; b++)
        {
            var h0 = Tanh(Linear(p, "init", Row(memory.Final, b)));
            Close(h0, Row(start.Hidden, b));
            var h1 = Gru(p, "cell.", Cat(Row(emb, b), feed), h0); // input feeding: [E y; h~_{t-1}]
            Close(h1, Row(step.State.Hidden, b));
            var e = new double[S];
            for (int j = 0; j < S; j++)
            {
                var hs = Row(memory.Annotations, b, j);
                e[j] = score switch
                {
                    "dot" => Dot(h1, hs),
                    "general" or "local-p" or "local-m" => Dot(h1, Linear(p, prefix + "W_a", hs, bias: false)),
                    "location" => Linear(p, prefix + "W_a", h1)[j],               // a_t = softmax(W_a h_t): one score per position
                    _ => Linear(p, prefix + "v_a", Tanh(Linear(p, prefix + "W_a", Cat(h1, hs), bias: false)), bias: false)[0],
                };
            }
            double[] a;
            if (score == "local-p")
            {
                // p_t = S * sigmoid(v_p^T tanh(W_p h_t)); window |s - p_t| <= D = 1; a = softmax over window * exp(-(s-p_t)^2 / (2 (D/2)^2))
                double pt = lengths[b] * Sigmoid(Linear(p, "local.v_p", Tanh(Linear(p, "local.W_p", h1, bias: false)), bias: false)[0]);
                var allowed = Enumerable.Range(0, (int)S).Where(j => j < lengths[b] && Math.Abs(j - pt) <= 1).ToList();
                double max = allowed.Max(j => e[j]);
                double sum = allowed.Sum(j => Math.Exp(e[j] - max));
                a = new double[S];
                foreach (int j in allowed) a[j] = Math.Exp(e[j] - max) / sum * Math.Exp(-(j - pt) * (j - pt) / (2 * 0.5 * 0.5));
            }
            else if (score == "local-m")
            {
                // p_t = t = 2; window |s - p_t| <= D = 1 over real positions; plain softmax inside it (no Gaussian factor)
                var allowed = Enumerable.Range(0, (int)S).Where(j => j < lengths[b] && Math.Abs(j - 2) <= 1).ToList();
                double max = allowed.Max(j => e[j]);
                double sum = allowed.Sum(j => Math.Exp(e[j] - max));
                a = new double[S];
                foreach (int j in allowed) a[j] = Math.Exp(e[j] - max) / sum;
            }
            else a = Softmax(e, lengths[b]);
            Close(a, Row(step.Weights!, b));
            var c = Context(a, memory.Annotations, b);
            var ht = Tanh(Linear(p, "W_c", Cat(c, h1), bias: false)); // h~_t = tanh(W_c [c_t; h_t])
            Close(ht, Row(step.Output, b));
            Close(ht, Row(step.State.Feed!, b));
        }
    }

    [Fact]
    public void PlainStepUsesTheFixedFinalContext()
    {
        torch.manual_seed(3);
        var dec = new PlainDecoder(E, H2, Hd);
        dec.to(ScalarType.Float64);
        var p = Params(dec);
        var (memory, emb, _) = Inputs(dec);
        var start = dec.Start(memory);
        var step = dec.Step(emb, start);
        Assert.Null(step.Weights);
        for (long b = 0; b < 2; b++)
        {
            var c = Row(memory.Final, b);
            var s0 = Tanh(Linear(p, "init", c));
            var s1 = Gru(p, "cell.", Cat(Row(emb, b), c), s0);
            Close(s1, Row(step.State.Hidden, b));
            Close(Tanh(Linear(p, "output", Cat(s1, c, Row(emb, b)))), Row(step.Output, b));
        }
    }
}
