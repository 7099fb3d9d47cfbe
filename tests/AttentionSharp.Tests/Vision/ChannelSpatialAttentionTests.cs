using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

public class ChannelSpatialAttentionTests
{
    [Fact]
    public void SqueezeExcitationScalesEachChannelByAWeightInZeroOne()
    {
        torch.manual_seed(1);
        var se = new ChannelAttention(6, reduction: 2);
        var x = torch.randn(3, 6, 5, 4);
        var (y, w) = se.Forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 3, 6, 1, 1 }, w.shape);
        Assert.True(w.min().item<float>() > 0 && w.max().item<float>() < 1);
        Assert.True(torch.allclose(y, x * w));
        // Hu et al. eq. 2-3 by hand: z = mean over H, W; s = sigmoid(W2 relu(W1 z + b1) + b2).
        var p = se.state_dict();
        var z = x.mean([2, 3]);
        var s = torch.sigmoid(nn.functional.relu(z.matmul(p["fc1.weight"].t()) + p["fc1.bias"]).matmul(p["fc2.weight"].t()) + p["fc2.bias"]);
        Assert.True(torch.allclose(w.reshape(3, 6), s, 1e-6, 1e-6));
    }

    [Fact]
    public void SpatialAttentionMapIsOneChannelInZeroOne()
    {
        torch.manual_seed(2);
        var sa = new SpatialAttention(7);
        var x = torch.randn(2, 5, 9, 8);
        var (y, m) = sa.Forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 2, 1, 9, 8 }, m.shape);
        Assert.True(m.min().item<float>() > 0 && m.max().item<float>() < 1);
        Assert.True(torch.allclose(y, x * m));
    }

    [Fact]
    public void CbamAppliesChannelThenSpatialAttention()
    {
        torch.manual_seed(3);
        var cbam = new CbamBlock(8, reduction: 4, kernelSize: 3);
        var x = torch.randn(2, 8, 6, 6);
        var (y, wc, ms) = cbam.Forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 2, 8, 1, 1 }, wc.shape);
        Assert.Equal(new long[] { 2, 1, 6, 6 }, ms.shape);
        Assert.True(torch.allclose(y, x * wc * ms, 1e-6, 1e-6));
        Assert.True(wc.min().item<float>() > 0 && wc.max().item<float>() < 1 && ms.min().item<float>() > 0 && ms.max().item<float>() < 1);
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => new ChannelAttention(4).forward(torch.zeros(2, 3, 5, 5)));
        Assert.Contains("(batch, 4, height, width)", e.Message);
        Assert.Contains("(2, 3, 5, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SpatialAttention().forward(torch.zeros(3, 5, 5)));
        Assert.Contains("(3, 5, 5)", e.Message);
        Assert.Contains("odd", Assert.Throws<ArgumentException>(() => new SpatialAttention(4)).Message);
    }
}
