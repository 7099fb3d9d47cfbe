using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

public class AttentionGateTests
{
    static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    static Dictionary<string, double[]> Params(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => GradientCheck.Values(kv.Value));

    /// <summary>The formula on x's grid sub-sampled by s (theta_x a s x s stride-s conv), alpha on the coarse grid.</summary>
    static double[,,] CoarseAlpha(Dictionary<string, double[]> p, double[] x, double[] g, int b, int cx, int cg, int fi, int h, int w, int s)
    {
        int hc = h / s, wc = w / s;
        var alpha = new double[b, hc, wc];
        for (int n = 0; n < b; n++)
            for (int i = 0; i < hc; i++)
                for (int j = 0; j < wc; j++)
                {
                    double q = p["psi.bias"][0];
                    for (int k = 0; k < fi; k++)
                    {
                        double a = p["phi_g.bias"][k];
                        for (int c = 0; c < cg; c++) a += p["phi_g.weight"][k * cg + c] * g[((n * cg + c) * hc + i) * wc + j];
                        for (int c = 0; c < cx; c++)
                            for (int di = 0; di < s; di++)
                                for (int dj = 0; dj < s; dj++)
                                    a += p["theta_x.weight"][((k * cx + c) * s + di) * s + dj] * x[((n * cx + c) * h + i * s + di) * w + j * s + dj];
                        q += p["psi.weight"][k] * Math.Max(0, a);
                    }
                    alpha[n, i, j] = Sigmoid(q);
                }
        return alpha;
    }

    /// <summary>Output 1x1 conv of alpha * x, then eval-mode batch norm with fresh statistics (mean 0, var 1, eps 1e-5).</summary>
    static double Output(Dictionary<string, double[]> p, double[] x, double alpha, int n, int o, int i, int j, int cx, int h, int w)
    {
        double v = p["out_conv.bias"][o];
        for (int c = 0; c < cx; c++) v += p["out_conv.weight"][o * cx + c] * alpha * x[((n * cx + c) * h + i) * w + j];
        return v / Math.Sqrt(1 + 1e-5);
    }

    [Fact]
    public void OutputEqualsTheFormulaOnTheSameGrid()
    {
        torch.manual_seed(3);
        var gate = new AttentionGate(2, 3, 4, subSample: 1);
        gate.to(ScalarType.Float64); gate.eval();
        var x = torch.randn(2, 2, 3, 3, ScalarType.Float64);
        var g = torch.randn(2, 3, 3, 3, ScalarType.Float64);
        var (y, alpha) = gate.Forward(x, g);
        var p = Params(gate);
        var xs = GradientCheck.Values(x); var gs = GradientCheck.Values(g);
        var a = CoarseAlpha(p, xs, gs, 2, 2, 3, 4, 3, 3, 1);
        var ys = GradientCheck.Values(y); var al = GradientCheck.Values(alpha);
        Assert.Equal(new long[] { 2, 1, 3, 3 }, alpha.shape);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(a[n, i, j], al[(n * 3 + i) * 3 + j], 12);
                    for (int o = 0; o < 2; o++)
                        Assert.Equal(Output(p, xs, a[n, i, j], n, o, i, j, 2, 3, 3), ys[((n * 2 + o) * 3 + i) * 3 + j], 12);
                }
    }

    [Fact]
    public void CoarseGatingIsResampledBilinearlyToTheSkipGrid()
    {
        torch.manual_seed(4);
        var gate = new AttentionGate(2, 3, 4, subSample: 2);
        gate.to(ScalarType.Float64); gate.eval();
        var x = torch.randn(1, 2, 4, 4, ScalarType.Float64);
        var g = torch.randn(1, 3, 2, 2, ScalarType.Float64);
        var (y, alpha) = gate.Forward(x, g);
        var p = Params(gate);
        var xs = GradientCheck.Values(x);
        var coarse = CoarseAlpha(p, xs, GradientCheck.Values(g), 1, 2, 3, 4, 4, 4, 2);
        // Bilinear 2x2 -> 4x4, half-pixel centres: source = (i + 0.5) / 2 - 0.5, clamped to the edge.
        double Up(int i, int j)
        {
            static (int, int, double) Src(int k) { double s = Math.Max(0, (k + 0.5) / 2 - 0.5); int lo = (int)Math.Floor(s); return (lo, Math.Min(lo + 1, 1), s - lo); }
            var (i0, i1, wi) = Src(i); var (j0, j1, wj) = Src(j);
            return (1 - wi) * ((1 - wj) * coarse[0, i0, j0] + wj * coarse[0, i0, j1]) + wi * ((1 - wj) * coarse[0, i1, j0] + wj * coarse[0, i1, j1]);
        }
        var al = GradientCheck.Values(alpha); var ys = GradientCheck.Values(y);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, alpha.shape);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(Up(i, j), al[i * 4 + j], 12);
                for (int o = 0; o < 2; o++) Assert.Equal(Output(p, xs, Up(i, j), 0, o, i, j, 2, 4, 4), ys[(o * 4 + i) * 4 + j], 12);
            }
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        torch.manual_seed(5);
        var gate = new AttentionGate(2, 3, 3, subSample: 2);
        gate.to(ScalarType.Float64); gate.eval();
        var x = torch.randn(1, 2, 4, 4, ScalarType.Float64);
        var g = torch.randn(1, 3, 2, 2, ScalarType.Float64);
        GradientCheck.Assert(xi => gate.forward(xi, g), x);
        GradientCheck.Assert(gi => gate.forward(x, gi), g);
    }

    [Fact]
    public void BadShapesNameExpectedAndActual()
    {
        var gate = new AttentionGate(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => gate.forward(torch.zeros(1, 5, 4, 4), torch.zeros(1, 3, 2, 2)));
        Assert.Contains("(batch, 2, height, width)", e.Message);
        Assert.Contains("(1, 5, 4, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => gate.forward(torch.zeros(1, 2, 4, 4), torch.zeros(1, 3, 2)));
        Assert.Contains("(batch, 3, height, width)", e.Message);
        Assert.Contains("(1, 3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => gate.forward(torch.zeros(2, 2, 4, 4), torch.zeros(1, 3, 2, 2)));
        Assert.Contains("same batch size", e.Message);
    }
}
