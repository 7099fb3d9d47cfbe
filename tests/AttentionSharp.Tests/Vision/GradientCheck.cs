using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

/// <summary>Autograd gradients against central finite differences, in double precision.</summary>
internal static class GradientCheck
{
    /// <summary>Asserts that d(sum(w * f(x)))/dx from autograd matches central differences within <paramref name="tolerance"/>.</summary>
    public static void Assert(Func<Tensor, Tensor> f, Tensor x, double tolerance = 1e-6, double h = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var input = x.to(ScalarType.Float64).detach().requires_grad_(true);
        var y0 = f(input);
        var gen = new torch.Generator(7);
        var w = torch.rand(y0.shape, ScalarType.Float64, generator: gen) - 0.5;
        var loss = (y0 * w).sum();
        var grad = torch.autograd.grad([loss], [input])[0].contiguous();
        var analytic = grad.data<double>().ToArray();
        var flat = input.detach().clone().reshape(-1);
        var numeric = new double[flat.shape[0]];
        using (torch.no_grad())
        {
            for (int i = 0; i < numeric.Length; i++)
            {
                double v = flat[i].item<double>();
                flat[i] = v + h;
                double up = (f(flat.reshape(x.shape)) * w).sum().item<double>();
                flat[i] = v - h;
                double down = (f(flat.reshape(x.shape)) * w).sum().item<double>();
                flat[i] = v;
                numeric[i] = (up - down) / (2 * h);
            }
        }
        for (int i = 0; i < numeric.Length; i++)
            Xunit.Assert.True(Math.Abs(analytic[i] - numeric[i]) <= tolerance * Math.Max(1, Math.Abs(numeric[i])),
                $"gradient element {i}: autograd {analytic[i]}, finite difference {numeric[i]}");
    }

    /// <summary>
    /// Asserts that the autograd gradient of <paramref name="loss"/> with respect to each parameter (double precision) matches
    /// central differences at its first, middle and last element, within 1e-6 + 1e-5 |analytic|.
    /// </summary>
    public static void Parameters(IEnumerable<Tensor> parameters, Func<Tensor> loss, double eps = 1e-6)
    {
        var list = parameters.ToList();
        foreach (var p in list) p.grad?.zero_();
        loss().backward();
        foreach (var p in list)
        {
            var grad = p.grad!.clone();
            var flat = p.detach().view(-1);
            foreach (long i in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 })
            {
                double orig, up, down;
                using (torch.no_grad())
                {
                    orig = flat[i].item<double>();
                    flat[i] = orig + eps;
                    up = loss().item<double>();
                    flat[i] = orig - eps;
                    down = loss().item<double>();
                    flat[i] = orig;
                }
                double numeric = (up - down) / (2 * eps), analytic = grad.view(-1)[i].item<double>();
                Xunit.Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + 1e-5 * Math.Abs(analytic), $"gradient {i}: analytic {analytic}, numeric {numeric}");
            }
        }
    }

    /// <summary>A tensor of the row-major values of <paramref name="t"/> as doubles.</summary>
    public static double[] Values(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
}
