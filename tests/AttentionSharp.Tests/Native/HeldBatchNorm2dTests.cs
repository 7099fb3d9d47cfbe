using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Native;

public class HeldBatchNorm2dTests
{
    static void AssertClose(Tensor expected, Tensor actual, string what) =>
        Assert.True(expected.allclose(actual, rtol: 1e-6, atol: 1e-6), $"{what}: max difference {(expected - actual).abs().max().item<float>()}");

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void TrainsAndEvaluatesAsTorchSharpsBatchNorm2d(double momentum)
    {
        manual_seed(3);
        using var reference = nn.BatchNorm2d(4, momentum: momentum);
        using var held = new HeldBatchNorm2d(4, momentum: momentum);
        using (no_grad())
        {
            reference.weight!.copy_(rand(4) + 0.5);
            reference.bias!.copy_(randn(4));
        }
        held.load_state_dict(reference.state_dict());
        Assert.Equal(reference.state_dict().Keys.OrderBy(k => k), held.state_dict().Keys.OrderBy(k => k));
        for (int step = 0; step < 3; step++)
        {
            var x = randn(5, 4, 3, 3) * 2 + step;
            var xr = x.clone().requires_grad_(true);
            var xh = x.clone().requires_grad_(true);
            var yr = reference.forward(xr);
            var yh = held.forward(xh);
            AssertClose(yr, yh, $"training output, step {step}");
            (yr * yr).sum().backward();
            (yh * yh).sum().backward();
            AssertClose(xr.grad!, xh.grad!, $"input gradient, step {step}");
            AssertClose(reference.weight!.grad!, held.weight!.grad!, $"weight gradient, step {step}");
        }
        AssertClose(reference.running_mean!, held.running_mean!, "running mean");
        AssertClose(reference.running_var!, held.running_var!, "running variance");
        Assert.Equal(3, held.num_batches_tracked!.item<long>());
        Assert.Equal(reference.num_batches_tracked!.item<long>(), held.num_batches_tracked!.item<long>());
        reference.eval();
        held.eval();
        var test = randn(2, 4, 3, 3);
        AssertClose(reference.forward(test), held.forward(test), "evaluation output");
        Assert.Equal(3, held.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void RejectsInputThatIsNotFourDimensional()
    {
        using var held = new HeldBatchNorm2d(4);
        var e = Assert.Throws<ArgumentException>(() => held.forward(randn(5, 4)));
        Assert.Contains("4D", e.Message);
    }
}
