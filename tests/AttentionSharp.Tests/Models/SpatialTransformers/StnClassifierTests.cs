using AttentionSharp.Models.SpatialTransformers;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.SpatialTransformers;

public class StnClassifierTests
{
    [Fact]
    public void StCnnStartsAsTheCnnOnItsInput()
    {
        torch.manual_seed(1);
        var st = new StnClassifier(new StnOptions(StnModel.StCnn));
        var x = torch.rand(2, 1, 42, 42);
        var (logits, transformed, theta) = st.Forward(x);
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        Assert.True(torch.allclose(transformed, x, 1e-5, 1e-5));
        Assert.NotNull(theta);
        var (cnnLogits, same, none) = new StnClassifier(new StnOptions(StnModel.Cnn)).Forward(x);
        Assert.Equal(new long[] { 2, 10 }, cnnLogits.shape);
        Assert.Same(x, same);
        Assert.Null(none);
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => new StnClassifier(new StnOptions()).forward(torch.zeros(2, 1, 28, 28)));
        Assert.Contains("(batch, 1, 42, 42)", e.Message);
        Assert.Contains("(2, 1, 28, 28)", e.Message);
        Assert.Contains("Model must be one of cnn, st-cnn; got 5", Assert.Throws<ArgumentException>(() => new StnOptions((StnModel)5).Validate()).Message);
    }
}
