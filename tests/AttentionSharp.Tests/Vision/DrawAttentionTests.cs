using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

public class DrawAttentionTests
{
    // (g~x, g~y, log sigma^2, log delta~, log gamma) for two examples.
    static Tensor RawParameters() => torch.tensor(new double[] { 0.2, -0.3, 0.5, -0.4, 0.3, -0.6, 0.1, -0.2, 0.2, -0.1 }).reshape(2, 5);

    /// <summary>F[i, a] straight from Gregor et al. eq. 19-26, with loops; A = size, pixels 1..A, i = 1..N.</summary>
    static double[,] Bank(double gTilde, double logSigma2, double logDeltaTilde, int n, int size, int maxSide)
    {
        double g = (size + 1) / 2.0 * (gTilde + 1);
        double delta = (maxSide - 1) / (double)(n - 1) * Math.Exp(logDeltaTilde);
        double sigma2 = Math.Exp(logSigma2);
        var f = new double[n, size];
        for (int i = 1; i <= n; i++)
        {
            double mu = g + (i - n / 2.0 - 0.5) * delta, z = 0;
            for (int a = 1; a <= size; a++) { f[i - 1, a - 1] = Math.Exp(-(a - mu) * (a - mu) / (2 * sigma2)); z += f[i - 1, a - 1]; }
            for (int a = 0; a < size; a++) f[i - 1, a] /= z;
        }
        return f;
    }

    [Fact]
    public void FilterbanksMatchTheFormulasAndRowsSumToOne()
    {
        const int n = 3, h = 7, w = 9;
        var p = RawParameters();
        var f = DrawAttention.Filterbanks(p, n, h, w);
        Assert.Equal(new long[] { 2, n, w }, f.FX.shape);
        Assert.Equal(new long[] { 2, n, h }, f.FY.shape);
        var ps = GradientCheck.Values(p);
        var fx = GradientCheck.Values(f.FX); var fy = GradientCheck.Values(f.FY);
        for (int b = 0; b < 2; b++)
        {
            var rx = Bank(ps[b * 5], ps[b * 5 + 2], ps[b * 5 + 3], n, w, Math.Max(h, w));
            var ry = Bank(ps[b * 5 + 1], ps[b * 5 + 2], ps[b * 5 + 3], n, h, Math.Max(h, w));
            for (int i = 0; i < n; i++)
            {
                for (int a = 0; a < w; a++) Assert.Equal(rx[i, a], fx[(b * n + i) * w + a], 12);
                for (int a = 0; a < h; a++) Assert.Equal(ry[i, a], fy[(b * n + i) * h + a], 12);
            }
        }
        Assert.True(torch.allclose(f.FX.sum(2), torch.ones(2, n, dtype: ScalarType.Float64), 1e-12, 1e-12));
        Assert.True(torch.allclose(f.FY.sum(2), torch.ones(2, n, dtype: ScalarType.Float64), 1e-12, 1e-12));
        Assert.Equal(Math.Exp(0.3), f.Gamma[0].item<double>(), 12);
    }

    [Fact]
    public void ReadAndWriteMatchTheMatrixProductsByLoop()
    {
        const int n = 3, h = 7, w = 9, c = 2;
        torch.manual_seed(1);
        var p = RawParameters();
        var x = torch.rand(2, c, h, w, ScalarType.Float64);
        var patch = torch.rand(2, c, n, n, ScalarType.Float64);
        var read = GradientCheck.Values(DrawAttention.Read(x, p, n));
        var written = GradientCheck.Values(DrawAttention.Write(patch, p, h, w));
        var ps = GradientCheck.Values(p); var xs = GradientCheck.Values(x); var ws = GradientCheck.Values(patch);
        for (int b = 0; b < 2; b++)
        {
            var fx = Bank(ps[b * 5], ps[b * 5 + 2], ps[b * 5 + 3], n, w, w);
            var fy = Bank(ps[b * 5 + 1], ps[b * 5 + 2], ps[b * 5 + 3], n, h, w);
            double gamma = Math.Exp(ps[b * 5 + 4]);
            for (int ch = 0; ch < c; ch++)
            {
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                    {
                        double s = 0;
                        for (int yy = 0; yy < h; yy++) for (int xx = 0; xx < w; xx++) s += fy[j, yy] * xs[((b * c + ch) * h + yy) * w + xx] * fx[i, xx];
                        Assert.Equal(gamma * s, read[((b * c + ch) * n + j) * n + i], 12);
                    }
                for (int yy = 0; yy < h; yy++)
                    for (int xx = 0; xx < w; xx++)
                    {
                        double s = 0;
                        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) s += fy[j, yy] * ws[((b * c + ch) * n + j) * n + i] * fx[i, xx];
                        Assert.Equal(s / gamma, written[((b * c + ch) * h + yy) * w + xx], 12);
                    }
            }
        }
    }

    [Fact]
    public void CentredUnitStrideSharpGridReadsTheWholeImage()
    {
        // N = A = B, g~ = 0 (centre), delta~ = 1 (stride 1), tiny sigma, gamma = 1: the glimpse is the image.
        var x = torch.rand(1, 1, 5, 5, ScalarType.Float64);
        var p = torch.tensor(new double[] { 0, 0, -12, 0, 0 }).reshape(1, 5);
        Assert.True(torch.allclose(DrawAttention.Read(x, p, 5), x, 1e-9, 1e-9));
        Assert.True(torch.allclose(DrawAttention.Write(x, p, 5, 5), x, 1e-9, 1e-9));
    }

    [Fact]
    public void ReadGradientsMatchFiniteDifferences()
    {
        torch.manual_seed(2);
        var x = torch.rand(2, 1, 6, 5, ScalarType.Float64);
        var p = RawParameters();
        GradientCheck.Assert(pi => DrawAttention.Read(x, pi, 3), p);
        GradientCheck.Assert(xi => DrawAttention.Read(xi, p, 3), x);
    }

    [Fact]
    public void ModuleReadsFromAState()
    {
        torch.manual_seed(3);
        var draw = new DrawAttention(stateSize: 4, gridSize: 3, height: 10, width: 8);
        var y = draw.forward(torch.rand(2, 1, 10, 8), torch.randn(2, 4));
        Assert.Equal(new long[] { 2, 1, 3, 3 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
        var e = Assert.Throws<ArgumentException>(() => draw.forward(torch.rand(2, 1, 8, 8), torch.randn(2, 4)));
        Assert.Contains("(batch, channels, 10, 8)", e.Message);
        Assert.Contains("(2, 1, 8, 8)", e.Message);
        e = Assert.Throws<ArgumentException>(() => draw.forward(torch.rand(2, 1, 10, 8), torch.randn(2, 3)));
        Assert.Contains("(2, 4)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => DrawAttention.Read(torch.zeros(2, 1, 6, 6), torch.zeros(2, 4), 3));
        Assert.Contains("(2, 5)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => DrawAttention.Write(torch.zeros(2, 1, 3, 4), torch.zeros(2, 5), 6, 6));
        Assert.Contains("square", e.Message);
        Assert.Contains("(2, 1, 3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => DrawAttention.Read(torch.zeros(6, 6), torch.zeros(1, 5), 3));
        Assert.Contains("(6, 6)", e.Message);
    }
}
