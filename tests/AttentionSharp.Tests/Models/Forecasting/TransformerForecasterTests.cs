using AttentionSharp.Models.Forecasting;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Forecasting;

public class TransformerForecasterTests
{
    const int B = 3, T = 5, N = 2, D = 8, H = 2, F = 12, C = 3;

    static Dictionary<string, Tensor> Params(TransformerForecaster m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to(float64));

    static double[,] Mat(Tensor w)
    {
        var a = w.data<double>().ToArray();
        int r = (int)w.shape[0], c = (int)w.shape[1];
        var m = new double[r, c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = a[i * c + j];
        return m;
    }

    static double[] Affine(Dictionary<string, Tensor> p, string name, double[] x)
    {
        var w = Mat(p[name + ".weight"]);
        var b = p[name + ".bias"].data<double>().ToArray();
        return Enumerable.Range(0, w.GetLength(0)).Select(i => b[i] + Enumerable.Range(0, x.Length).Sum(j => w[i, j] * x[j])).ToArray();
    }

    static double[] LayerNorm(Dictionary<string, Tensor> p, string name, double[] x)
    {
        double mean = x.Average(), var = x.Average(v => (v - mean) * (v - mean));
        var g = p[name + ".weight"].data<double>().ToArray();
        var b = p[name + ".bias"].data<double>().ToArray();
        return x.Select((v, i) => (v - mean) / Math.Sqrt(var + 1e-5) * g[i] + b[i]).ToArray();
    }

    static double[] Plus(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    /// <summary>The forecaster for one window, step by step from Vaswani et al.'s equations (pre-norm residuals, sinusoids).</summary>
    static (double Y, double[] Weights) Naive(TransformerForecaster model, double[] y, double[,] x, double[] cal)
    {
        var p = Params(model);
        var o = model.Options;
        var z = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var input = new double[1 + N];
            input[0] = y[t];
            for (int k = 0; k < N; k++) input[1 + k] = x[t, k];
            z[t] = Affine(p, "input", input);
            for (int i = 0; i < D; i += 2)
            {
                double angle = t / Math.Pow(10000, (double)i / D);
                z[t][i] += Math.Sin(angle);
                z[t][i + 1] += Math.Cos(angle);
            }
        }
        double[] weights = new double[T];
        int dh = D / H;
        for (int l = 0; l < o.Layers; l++)
        {
            string L = $"layers.{l}.";
            var a = z.Select(v => LayerNorm(p, L + "norm1", v)).ToArray();
            var q = a.Select(v => Affine(p, L + "self_attn.q_proj", v)).ToArray();
            var k = a.Select(v => Affine(p, L + "self_attn.k_proj", v)).ToArray();
            var v = a.Select(u => Affine(p, L + "self_attn.v_proj", u)).ToArray();
            var context = new double[T][];
            var headMean = new double[T];
            for (int i = 0; i < T; i++)
            {
                context[i] = new double[D];
                for (int h = 0; h < H; h++)
                {
                    var e = Enumerable.Range(0, T).Select(j => Enumerable.Range(h * dh, dh).Sum(c => q[i][c] * k[j][c]) / Math.Sqrt(dh)).ToArray();
                    double mx = e.Max();
                    var w = e.Select(s => Math.Exp(s - mx)).ToArray();
                    double sum = w.Sum();
                    for (int j = 0; j < T; j++)
                    {
                        w[j] /= sum;
                        for (int c = h * dh; c < (h + 1) * dh; c++) context[i][c] += w[j] * v[j][c];
                        if (i == T - 1) headMean[j] += w[j] / H;
                    }
                }
            }
            z = z.Select((zi, i) => Plus(zi, Affine(p, L + "self_attn.out_proj", context[i]))).ToArray();
            z = z.Select(zi => Plus(zi, Affine(p, L + "ffn.w2", Affine(p, L + "ffn.w1", LayerNorm(p, L + "norm2", zi)).Select(u => Math.Max(0, u)).ToArray()))).ToArray();
            weights = headMean;
        }
        var origin = LayerNorm(p, "norm", z[T - 1]);
        var hidden = Affine(p, "outHidden", [.. origin, .. cal]).Select(u => Math.Max(0, u)).ToArray();
        return (Affine(p, "outValue", hidden)[0], weights);
    }

    static TransformerForecaster Model(int layers = 2, int calendar = C, double dropout = 0)
    {
        manual_seed(13);
        var m = new TransformerForecaster(new TransformerForecastOptions(N, T, D, H, layers, F, dropout, calendar));
        m.to(float64);
        return m;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ForecastAndOriginWeightsMatchANaiveLoopOfTheEquations(int layers)
    {
        using var scope = NewDisposeScope();
        var model = Model(layers);
        model.eval();
        var g = new Generator(9);
        var x = randn([B, T, N], dtype: float64, generator: g);
        var y = randn([B, T], dtype: float64, generator: g);
        var cal = rand([B, C], dtype: float64, generator: g);
        using var _ = no_grad();
        var r = model.Run(x, y, cal);
        Assert.Equal([B, T, N], r.InputWeights.shape);
        var xs = x.data<double>().ToArray(); var ys = y.data<double>().ToArray(); var cs = cal.data<double>().ToArray();
        for (int b = 0; b < B; b++)
        {
            var xb = new double[T, N];
            for (int t = 0; t < T; t++) for (int k = 0; k < N; k++) xb[t, k] = xs[(b * T + t) * N + k];
            var (yHat, w) = Naive(model, ys.Skip(b * T).Take(T).ToArray(), xb, cs.Skip(b * C).Take(C).ToArray());
            Assert.Equal(yHat, r.Prediction[b].item<double>(), 9);
            for (int j = 0; j < T; j++) Assert.Equal(w[j], r.TemporalWeights[b, j].item<double>(), 9);
            Assert.Equal(1.0, r.TemporalWeights[b].sum().item<double>(), 9);
        }
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var model = Model(layers: 1);
        var g = new Generator(4);
        var x = randn([B, T, N], dtype: float64, generator: g);
        var y = randn([B, T], dtype: float64, generator: g);
        var cal = rand([B, C], dtype: float64, generator: g);
        var target = randn([B], dtype: float64, generator: g);
        Tensor Loss() => (model.Run(x, y, cal).Prediction - target).square().sum();
        var checkedParams = model.named_parameters().Where(p => p.name is "input.weight" or "layers.0.self_attn.q_proj.weight" or "layers.0.self_attn.k_proj.weight"
            or "layers.0.ffn.w1.weight" or "norm.weight" or "outHidden.weight").Select(p => p.parameter).ToArray();
        Assert.Equal(6, checkedParams.Length);
        AttentionSharp.Tests.Vision.GradientCheck.Parameters(checkedParams, Loss);
    }

    [Fact]
    public void LearnsToForecastASineFromItsWindow()
    {
        // Next value of a sine of random phase from the last T values: a model that did not use the window would stay at
        // the variance (0.5); a few hundred Adam steps bring it below 2% of that.
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = new TransformerForecaster(new TransformerForecastOptions(0, 8, 16, 2, 1, 32, 0.0));
        var optimizer = optim.Adam(model.parameters(), 3e-3);
        var rng = new Random(1);
        (Tensor Y, Tensor Target) Batch(int n)
        {
            var y = new float[n * 8]; var target = new float[n];
            for (int b = 0; b < n; b++)
            {
                double phase = rng.NextDouble() * 2 * Math.PI;
                for (int t = 0; t < 8; t++) y[b * 8 + t] = (float)Math.Sin(phase + 0.5 * t);
                target[b] = (float)Math.Sin(phase + 0.5 * 8);
            }
            return (tensor(y, [n, 8]), tensor(target, [n]));
        }
        for (int step = 0; step < 300; step++)
        {
            using var s = NewDisposeScope();
            var (y, target) = Batch(32);
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.Run(zeros(32, 8, 0), y).Prediction, target);
            loss.backward();
            optimizer.step();
        }
        model.eval();
        var (ty, tt) = Batch(256);
        using var _ = no_grad();
        double mse = nn.functional.mse_loss(model.Run(zeros(256, 8, 0), ty).Prediction, tt).item<float>();
        Assert.True(mse < 0.01, $"test MSE {mse}");
    }

    [Fact]
    public void BadOptionsAndShapesGetClearErrors()
    {
        Assert.Contains("Heads must divide ModelDim (8)", Assert.Throws<ArgumentException>(() => new TransformerForecastOptions(2, ModelDim: 8, Heads: 3).Validate()).Message);
        Assert.Contains("ModelDim must be even", Assert.Throws<ArgumentException>(() => new TransformerForecastOptions(2, ModelDim: 7, Heads: 1).Validate()).Message);
        Assert.Contains("Dropout must be in [0, 1)", Assert.Throws<ArgumentException>(() => new TransformerForecastOptions(2, Dropout: 1).Validate()).Message);
        Assert.Contains("Window must be >= 2", Assert.Throws<ArgumentException>(() => new TransformerForecastOptions(2, Window: 1).Validate()).Message);
        using var scope = NewDisposeScope();
        var model = Model();
        Assert.Contains($"drivers must be (batch, {T}, {N})", Assert.Throws<ArgumentException>(() => model.Run(zeros(B, T, N + 1, dtype: float64), zeros(B, T, dtype: float64), zeros(B, C, dtype: float64))).Message);
        Assert.Contains($"calendar must be (batch={B}, {C})", Assert.Throws<ArgumentException>(() => model.Run(zeros(B, T, N, dtype: float64), zeros(B, T, dtype: float64))).Message);
        Assert.Contains("history must be", Assert.Throws<ArgumentException>(() => model.Run(zeros(B, T, N, dtype: float64), zeros(B, T + 1, dtype: float64), zeros(B, C, dtype: float64))).Message);
    }
}
