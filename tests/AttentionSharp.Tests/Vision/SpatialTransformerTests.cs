using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

public class SpatialTransformerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FreshTransformerIsTheIdentity(bool attentionOnly)
    {
        torch.manual_seed(1);
        var st = new SpatialTransformer(2, 12, 10, attentionOnly);
        var x = torch.rand(3, 2, 12, 10);
        var (y, theta) = st.Forward(x);
        Assert.Equal(new long[] { 3, 2, 3 }, theta.shape);
        Assert.True(torch.allclose(theta, torch.tensor(new float[] { 1, 0, 0, 0, 1, 0 }).reshape(1, 2, 3).expand(3, 2, 3)));
        Assert.True(torch.allclose(y, x, 1e-5, 1e-5), $"max difference {(y - x).abs().max().item<float>()}");
    }

    [Fact]
    public void ScaleTranslationHalfScaleZoomsOnTheCentre()
    {
        // A 4x4 output at scale 0.5 around the centre of an 8x8 image samples between pixels 2..5: a 2x2 block of ones
        // in the middle of a zero image covers the output's middle 2x2 (x = 3.5 +- 0.5 pixel steps).
        var img = torch.zeros(1, 1, 8, 8);
        img[0, 0, 2..6, 2..6] = torch.ones(4, 4);
        var theta = SpatialTransformer.ScaleTranslation(torch.tensor(new float[] { 0.5f, 0, 0 }).reshape(1, 3));
        var y = SpatialTransformer.Transform(img, theta, 4, 4);
        Assert.True(torch.allclose(y, torch.ones(1, 1, 4, 4)), y.ToString(TorchSharp.TensorStringStyle.Numpy));
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var st = new SpatialTransformer(1, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => st.forward(torch.zeros(2, 3, 8, 8)));
        Assert.Contains("(batch, 1, height, width)", e.Message);
        Assert.Contains("(2, 3, 8, 8)", e.Message);
        e = Assert.Throws<ArgumentException>(() => SpatialTransformer.Transform(torch.zeros(2, 1, 8, 8), torch.zeros(2, 6), 8, 8));
        Assert.Contains("(2, 2, 3)", e.Message);
        Assert.Contains("(2, 6)", e.Message);
    }
}
