using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

/// Naive double-precision references written from the papers' formulas with plain loops, plus tensor helpers.
internal static class Naive
{
    public static Tensor Rand(params long[] shape) => torch.randn(shape, dtype: ScalarType.Float64);

    public static double[] D(Tensor t) => t.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();

    public static bool[] B(Tensor t) => t.detach().to(ScalarType.Bool).contiguous().data<bool>().ToArray();

    /// y = W x + b for one row; W is (out, in) row-major.
    public static double[] Linear(double[] w, double[]? b, double[] x, int outDim, int inDim, int xOffset = 0)
    {
        var y = new double[outDim];
        for (int o = 0; o < outDim; o++)
        {
            double s = b?[o] ?? 0;
            for (int i = 0; i < inDim; i++) s += w[o * inDim + i] * x[xOffset + i];
            y[o] = s;
        }
        return y;
    }

    public static double Dot(double[] a, int ao, double[] b, int bo, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /// softmax over allowed entries; nothing allowed -> all zeros.
    public static double[] Softmax(double[] scores, bool[]? allowed)
    {
        var w = new double[scores.Length];
        double max = double.NegativeInfinity;
        for (int j = 0; j < scores.Length; j++) if (allowed?[j] ?? true) max = Math.Max(max, scores[j]);
        if (double.IsNegativeInfinity(max)) return w;
        double sum = 0;
        for (int j = 0; j < scores.Length; j++) if (allowed?[j] ?? true) { w[j] = Math.Exp(scores[j] - max); sum += w[j]; }
        for (int j = 0; j < scores.Length; j++) w[j] /= sum;
        return w;
    }

    /// context = sum_j w_j v_j with values (Tk, Dv) row-major at offset.
    public static double[] Weighted(double[] w, double[] values, int vOffset, int dv)
    {
        var c = new double[dv];
        for (int j = 0; j < w.Length; j++)
            for (int d = 0; d < dv; d++) c[d] += w[j] * values[vOffset + j * dv + d];
        return c;
    }

    public static void Close(double[] expected, Tensor actual, double tol = 1e-9, string what = "")
    {
        var a = D(actual);
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.False(double.IsNaN(a[i]), $"{what}[{i}] is NaN");
            if (Math.Abs(expected[i] - a[i]) > tol * (1 + Math.Abs(expected[i])))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {a[i]:R} (tol {tol})");
        }
    }

    public static void Close(Tensor expected, Tensor actual, double tol = 1e-9, string what = "") => Close(D(expected), actual, tol, what);

    /// Checks d f / d x against central finite differences at a few entries (double precision).
    public static void GradCheck(Func<Tensor> f, Tensor x, double eps = 1e-6, double tol = 1e-5, int maxEntries = 12)
    {
        if (x.grad is not null) x.grad.zero_();
        var y = f();
        y.backward();
        var analytic = D(x.grad!);
        var flat = x.detach().view(-1);
        long n = flat.shape[0];
        var rnd = new Random(1);
        for (int e = 0; e < Math.Min(maxEntries, n); e++)
        {
            long i = n <= maxEntries ? e : rnd.NextInt64(n);
            double orig = flat[i].item<double>();
            double fp, fm;
            using (torch.no_grad())
            {
                flat[i] = orig + eps; fp = f().item<double>();
                flat[i] = orig - eps; fm = f().item<double>();
                flat[i] = orig;
            }
            double numeric = (fp - fm) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tol * (1 + Math.Abs(numeric)),
                $"gradient entry {i}: finite difference {numeric:R}, autograd {analytic[i]:R}");
        }
    }
}
