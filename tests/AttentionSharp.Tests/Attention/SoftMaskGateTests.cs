using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class SoftMaskGateTests
{
    [Fact]
    public void VectorGate_IsSigmoidOfLinearTimesFeatures_WithGradient()
    {
        torch.manual_seed(80);
        var gate = new SoftMaskGate(4, gateInputDim: 3).to(ScalarType.Float64);
        var z = Naive.Rand(2, 4);
        var g = Naive.Rand(2, 3).requires_grad_();
        double[] W = Naive.D(gate.Gate.weight!), b = Naive.D(gate.Gate.bias!), Z = Naive.D(z), G = Naive.D(g);
        var expected = new List<double>();
        for (int n = 0; n < 2; n++)
        {
            var a = Naive.Linear(W, b, G, 4, 3, n * 3).Select(x => 1 / (1 + Math.Exp(-x))).ToArray();
            expected.AddRange(a.Select((ai, d) => ai * Z[n * 4 + d]));
        }
        var r = gate.Forward(z, g);
        Naive.Close(expected.ToArray(), r.Context);
        Assert.True(r.Weights!.min().item<double>() > 0 && r.Weights!.max().item<double>() < 1);
        Naive.GradCheck(() => gate.Forward(z, g).Context.pow(2).sum(), g);
    }

    [Fact]
    public void FeatureMapMask_IsSpatialSigmoidOf1x1Conv()
    {
        torch.manual_seed(81);
        var mask = new FeatureMapSoftMask(3, gateChannels: 2).to(ScalarType.Float64);
        var z = Naive.Rand(1, 3, 2, 2);
        var g = Naive.Rand(1, 2, 2, 2);
        double[] W = Naive.D(mask.Gate.weight!), b = Naive.D(mask.Gate.bias!), Z = Naive.D(z), G = Naive.D(g);
        var expected = new double[12];
        for (int p = 0; p < 4; p++)
        {
            double a = 1 / (1 + Math.Exp(-(W[0] * G[p] + W[1] * G[4 + p] + b[0]))); // one gate per pixel
            for (int c = 0; c < 3; c++) expected[c * 4 + p] = a * Z[c * 4 + p];
        }
        var r = mask.Forward(z, g);
        Naive.Close(expected, r.Context);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, r.Weights!.shape);
        Assert.Throws<ArgumentException>(() => mask.Forward(Naive.Rand(1, 4, 2, 2)));
    }
}
