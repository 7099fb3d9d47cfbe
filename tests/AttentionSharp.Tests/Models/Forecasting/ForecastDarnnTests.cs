using AttentionSharp.Training;
using AttentionSharp.Models.Forecasting;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Forecasting;

public class ForecastDarnnTests
{
    const int B = 2, T = 4, N = 3, M = 5, P = 6;

    static double[,] Mat(Tensor w)
    {
        var a = w.detach().to(float64).data<double>().ToArray();
        int r = (int)w.shape[0], c = (int)w.shape[1];
        var m = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = a[i * c + j];
        return m;
    }

    static double[] Vec(Tensor? b, int n) => b is null ? new double[n] : b.detach().to(float64).data<double>().ToArray();

    static double[] MatVec(double[,] w, double[] x)
    {
        var y = new double[w.GetLength(0)];
        for (int i = 0; i < y.Length; i++) for (int j = 0; j < x.Length; j++) y[i] += w[i, j] * x[j];
        return y;
    }

    static double[] Add(params double[][] v) => Enumerable.Range(0, v[0].Length).Select(i => v.Sum(a => a[i])).ToArray();
    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    static double[] Softmax(double[] e) { double mx = e.Max(); var x = e.Select(v => Math.Exp(v - mx)).ToArray(); double s = x.Sum(); return x.Select(v => v / s).ToArray(); }

    /// <summary>An LSTM step written from the equations (gates i, f, g, o in PyTorch's order).</summary>
    sealed class NaiveLstm(TorchSharp.Modules.LSTMCell cell, int hidden)
    {
        readonly Dictionary<string, Tensor> p = cell.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter as Tensor);
        public (double[] H, double[] C) Step(double[] x, double[] h, double[] c)
        {
            var z = Add(MatVec(Mat(p["weight_ih"]), x), MatVec(Mat(p["weight_hh"]), h), Vec(p["bias_ih"], 4 * hidden), Vec(p["bias_hh"], 4 * hidden));
            var hn = new double[hidden]; var cn = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double i = Sigmoid(z[j]), f = Sigmoid(z[hidden + j]), g = Math.Tanh(z[2 * hidden + j]), o = Sigmoid(z[3 * hidden + j]);
                cn[j] = f * c[j] + i * g;
                hn[j] = o * Math.Tanh(cn[j]);
            }
            return (hn, cn);
        }
    }

    /// <summary>The additive score v^T tanh(W q + U k + b) of one query against one key.</summary>
    static double Score(AttentionSharp.Attention.AttentionScore any, double[] q, double[] k)
    {
        if (any is AttentionSharp.Attention.GeneralScore general)   // Luong's general score q^T W k
            return MatVec(Mat(general.Projection.weight!), k).Select((wk, j) => q[j] * wk).Sum();
        var score = (AttentionSharp.Attention.AdditiveScore)any;
        var hid = Add(MatVec(Mat(score.QueryProjection.weight!), q), MatVec(Mat(score.KeyProjection.weight!), k), Vec(score.KeyProjection.bias, (int)score.HiddenDim));
        var v = Vec(score.Vector.weight!.reshape(-1), (int)score.HiddenDim);
        return hid.Select((x, j) => v[j] * Math.Tanh(x)).Sum();
    }

    /// <summary>DA-RNN for one example, looping over steps, drivers and encoder states as Qin et al.'s equations 8-22 read.</summary>
    static (double Y, double[][] Alpha, double[] Beta) Naive(DualStageAttentionRnn model, double[,] x, double[] y)
    {
        var o = model.Options;
        int N = x.GetLength(1);
        var enc = new NaiveLstm(model.Encoder, M);
        var dec = new NaiveLstm(model.Decoder, P);
        double[] h = new double[M], s = new double[M];
        var alphas = new double[T][];
        var H = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var xt = Enumerable.Range(0, N).Select(k => x[t, k]).ToArray();
            if (o.UsesInputAttention)
            {
                var e = Enumerable.Range(0, N).Select(k => Score(model.InputScore, [.. h, .. s], Enumerable.Range(0, T).Select(i => x[i, k]).ToArray())).ToArray();
                alphas[t] = Softmax(e);
                xt = xt.Select((v, k) => alphas[t][k] * v).ToArray();
            }
            else alphas[t] = Enumerable.Repeat(1.0, N).ToArray();
            (h, s) = enc.Step(xt, h, s);
            H[t] = h;
        }
        double[] d = new double[P], sd = new double[P];
        (double[] C, double[] Beta) Attend()
        {
            if (!o.UsesTemporalAttention) return (H[T - 1], Enumerable.Range(0, T).Select(i => i == T - 1 ? 1.0 : 0).ToArray());
            var beta = Softmax(Enumerable.Range(0, T).Select(i => Score(model.TemporalScore, [.. d, .. sd], H[i])).ToArray());
            var c = new double[M];
            for (int i = 0; i < T; i++) for (int j = 0; j < M; j++) c[j] += beta[i] * H[i][j];
            return (c, beta);
        }
        var wt = Mat(model.DecoderInput.weight!); var bt = Vec(model.DecoderInput.bias, 1);
        for (int t = 0; t < T; t++)
        {
            var (c, _) = Attend();
            double yTilde = MatVec(wt, [y[t], .. c])[0] + bt[0];
            (d, sd) = dec.Step([yTilde], d, sd);
        }
        var (cT, betaT) = Attend();
        var (wy, vy) = model.Output;
        var hidden = Add(MatVec(Mat(wy.weight!), [.. d, .. cT]), Vec(wy.bias, P));
        double yHat = MatVec(Mat(vy.weight!), hidden)[0] + Vec(vy.bias, 1)[0];
        return (yHat, alphas, betaT);
    }

    static (Tensor X, Tensor Y) Inputs(long seed)
    {
        var g = new Generator((ulong)seed);
        return (randn([B, T, N], dtype: float64, generator: g), randn([B, T], dtype: float64, generator: g));
    }

    [Theory]
    [InlineData("dual", "additive")]
    [InlineData("input", "additive")]
    [InlineData("temporal", "additive")]
    [InlineData("none", "additive")]
    [InlineData("dual", "general")]
    [InlineData("temporal", "general")]
    public void WeightsAndForecastMatchANaiveLoopOfThePapersEquations(string attention, string score)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var model = new DualStageAttentionRnn(new DarnnOptions(N, T, M, P, Variant.Parse<DarnnAttention>(attention, "attention"), Score: Variant.Parse<DarnnScore>(score, "score")));
        model.to(float64);
        var (x, y) = Inputs(3);
        using var _ = no_grad();
        var r = model.Run(x, y);
        var xs = x.data<double>().ToArray(); var ys = y.data<double>().ToArray();
        var alpha = r.InputWeights.data<double>().ToArray(); var beta = r.TemporalWeights.data<double>().ToArray();
        var pred = r.Prediction.data<double>().ToArray();
        for (int b = 0; b < B; b++)
        {
            var xb = new double[T, N];
            for (int t = 0; t < T; t++) for (int k = 0; k < N; k++) xb[t, k] = xs[(b * T + t) * N + k];
            var (yHat, na, nb) = Naive(model, xb, ys.Skip(b * T).Take(T).ToArray());
            Assert.Equal(yHat, pred[b], 9);
            for (int t = 0; t < T; t++)
            {
                for (int k = 0; k < N; k++) Assert.Equal(na[t][k], alpha[(b * T + t) * N + k], 9);
                Assert.Equal(nb[t], beta[b * T + t], 9);
            }
        }
        if (attention is "dual" or "input")
            Assert.True(Enumerable.Range(0, B * T).All(i => Math.Abs(alpha.Skip(i * N).Take(N).Sum() - 1) < 1e-9), "alpha sums to 1 over drivers");
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var model = new DualStageAttentionRnn(new DarnnOptions(N, T, M, P, DarnnAttention.Dual));
        model.to(float64);
        var (x, y) = Inputs(5);
        var target = tensor(new[] { 0.3, -0.7 }, dtype: float64);
        Tensor Loss() => (model.forward(x, y) - target).pow(tensor(2.0, dtype: float64)).sum();
        var checkedParams = new[] { model.InputScore.QueryProjection.weight!, model.InputScore.KeyProjection.weight!, model.InputScore.Vector.weight!,
            ((AttentionSharp.Attention.AdditiveScore)model.TemporalScore).KeyProjection.weight!, model.DecoderInput.weight!, model.Output.Hidden.weight! };
        AttentionSharp.Tests.Vision.GradientCheck.Parameters(checkedParams, Loss);
    }

    [Theory]
    [InlineData("temporal")]
    [InlineData("none")]
    public void WithoutDriversTheEncoderReadsTheTargetHistory(string attention)
    {
        // n = 0: the encoder's single input is y_t, so the model equals the naive loop with y as the one driver column.
        using var scope = NewDisposeScope();
        manual_seed(5);
        var model = new DualStageAttentionRnn(new DarnnOptions(0, T, M, P, Variant.Parse<DarnnAttention>(attention, "attention")));
        model.to(float64);
        var (_, y) = Inputs(4);
        using var _ = no_grad();
        var r = model.Run(zeros(B, T, 0, dtype: float64), y);
        Assert.Equal([B, T, 0], r.InputWeights.shape);
        var ys = y.data<double>().ToArray();
        for (int b = 0; b < B; b++)
        {
            var yb = ys.Skip(b * T).Take(T).ToArray();
            var xb = new double[T, 1];
            for (int t = 0; t < T; t++) xb[t, 0] = yb[t];
            Assert.Equal(Naive(model, xb, yb).Y, r.Prediction.data<double>()[b], 9);
        }
        Assert.Contains("Drivers must be >= 1 with input attention", Assert.Throws<ArgumentException>(() => new DarnnOptions(0, T, Attention: DarnnAttention.Dual).Validate()).Message);
    }

    [Fact]
    public void BadShapesAndOptionsGetClearErrors()
    {
        Assert.Contains("Score must be one of", Assert.Throws<ArgumentException>(() => new DarnnOptions(3, Score: (DarnnScore)5).Validate()).Message);
        Assert.Contains("Attention must be one of", Assert.Throws<ArgumentException>(() => new DarnnOptions(3, Attention: (DarnnAttention)9).Validate()).Message);
        Assert.Contains("Window must be >= 2", Assert.Throws<ArgumentException>(() => new DarnnOptions(3, Window: 1).Validate()).Message);
        using var scope = NewDisposeScope();
        var model = new DualStageAttentionRnn(new DarnnOptions(N, T, M, P));
        var e = Assert.Throws<ArgumentException>(() => model.Run(zeros(B, T, N + 1), zeros(B, T)));
        Assert.Contains($"drivers must be (batch, {T}, {N})", e.Message);
    }

    [Fact]
    public void CalendarFeaturesEnterTheOutputLayerLinearly()
    {
        // With zero weights on the calendar columns of W_y the model forecasts as the same model without calendar; the
        // forecast then moves by v_y^T W_cal k when the calendar columns get weights.
        using var scope = NewDisposeScope();
        const int C = 4;
        manual_seed(7);
        var plain = new DualStageAttentionRnn(new DarnnOptions(N, T, M, P, DarnnAttention.Dual));
        var withCal = new DualStageAttentionRnn(new DarnnOptions(N, T, M, P, DarnnAttention.Dual, Calendar: C));
        plain.to(float64);
        withCal.to(float64);
        var target = withCal.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            foreach (var (name, p) in plain.named_parameters())
            {
                if (name == "outHidden.weight")
                {
                    target[name].zero_();
                    target[name].narrow(1, 0, P + M).copy_(p);
                }
                else target[name].copy_(p);
            }
        }
        Assert.Equal(plain.parameters().Sum(p => p.numel()) + (long)P * C, withCal.parameters().Sum(p => p.numel()));
        var (x, y) = Inputs(9);
        var k = tensor(new double[] { 1, 0, 1, 0, 0, 1, 0, 0 }, [B, C], dtype: float64);
        using (no_grad())
        {
            var p0 = plain.forward(x, y).data<double>().ToArray();
            Assert.Equal(p0, withCal.Run(x, y, k).Prediction.data<double>().ToArray(), new ToleranceComparer(1e-12));
            var wCal = randn(P, C, dtype: float64);
            target["outHidden.weight"].narrow(1, P + M, C).copy_(wCal);
            var p1 = withCal.Run(x, y, k).Prediction.data<double>().ToArray();
            var shift = matmul(withCal.Output.Value.weight!, matmul(wCal, k.t())).squeeze(0).data<double>().ToArray();   // (B)
            for (int b = 0; b < B; b++) Assert.Equal(p0[b] + shift[b], p1[b], 10);
        }
        Assert.Contains("calendar must be (batch=2, 4)", Assert.Throws<ArgumentException>(() => withCal.Run(x, y)).Message);
        Assert.Contains("without calendar", Assert.Throws<ArgumentException>(() => plain.Run(x, y, k)).Message);
    }

    sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(double v) => 0;
    }
}
