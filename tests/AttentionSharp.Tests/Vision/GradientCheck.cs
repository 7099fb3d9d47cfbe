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

    /// <summary>A tensor of the row-major values of <paramref name="t"/> as doubles.</summary>
    public static double[] Values(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
}
