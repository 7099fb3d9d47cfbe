using AttentionSharp.Models.Baselines;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Baselines;

public class BaselineClassifierTests
{
    [Fact]
    public void FcHasThePapersLayerSizes()
    {
        var m = new BaselineClassifier(new BaselineOptions(Model: BaselineModel.Fc));
        var shapes = m.parameters().Select(p => string.Join("x", p.shape)).ToList();
        Assert.Equal(new[] { "256x784", "256", "256x256", "256", "10x256", "10" }, shapes);
    }

    [Fact]
    public void ConvHasEightTenByTenFiltersStrideFive()
    {
        var m = new BaselineClassifier(new BaselineOptions(Model: BaselineModel.Conv));
        var shapes = m.parameters().Select(p => string.Join("x", p.shape)).ToList();
        // 28x28 -> (28-10)/5+1 = 4 -> 8*4*4 = 128 features
        Assert.Equal(new[] { "8x1x10x10", "8", "256x128", "256", "10x256", "10" }, shapes);
        using var y = m.forward(torch.zeros(3, 1, 28, 28));
        Assert.Equal(new long[] { 3, 10 }, y.shape);
    }

    [Fact]
    public void WrongInputShapeNamesExpectedAndActual()
    {
        var m = new BaselineClassifier(new BaselineOptions());
        var e = Assert.Throws<ArgumentException>(() => m.forward(torch.zeros(2, 1, 60, 60)));
        Assert.Contains("(batch, 1, 28, 28)", e.Message);
        Assert.Contains("(2, 1, 60, 60)", e.Message);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Contains("Model must be one of fc, conv; got 3", Assert.Throws<ArgumentException>(() => new BaselineOptions(Model: (BaselineModel)3).Validate()).Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => new BaselineOptions(Model: BaselineModel.Conv, Height: 8, Width: 8).Validate()).Message);
    }
}
