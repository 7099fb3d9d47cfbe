using AttentionSharp.Data;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Segmentation;

public class UNetTests
{
    [Fact]
    public void ShapesAndGatesPerLevel()
    {
        torch.manual_seed(1);
        var unet = UNet2D.Create(new SegmentationOptions(SegmentationModel.UNet, Classes: 5, BaseFilters: 4, Depth: 3));
        var att = UNet2D.Create(new SegmentationOptions(SegmentationModel.AttentionUNet, Classes: 5, BaseFilters: 4, Depth: 3));
        var all = UNet2D.Create(new SegmentationOptions(SegmentationModel.AttentionUNet, Classes: 5, BaseFilters: 4, Depth: 3, GateFinestLevel: true));
        Assert.IsType<UNet2D>(unet);
        Assert.IsType<AttentionUNet2D>(att);
        Assert.Empty(unet.GatedLevels);
        Assert.Equal(new[] { 1, 2 }, att.GatedLevels);
        Assert.Equal(new[] { 0, 1, 2 }, all.GatedLevels);
        var x = torch.rand(2, 1, 16, 24);
        var (logits, maps) = att.Forward(x);
        Assert.Equal(new long[] { 2, 5, 16, 24 }, logits.shape);
        Assert.Equal(2, maps.Count);
        Assert.Equal(new long[] { 2, 1, 8, 12 }, maps[0].shape);
        Assert.Equal(new long[] { 2, 1, 4, 6 }, maps[1].shape);
        Assert.True(maps.All(m => m.min().item<float>() > 0 && m.max().item<float>() < 1));
        Assert.Empty(unet.Forward(x).Attention);
        Assert.Equal(3, all.Forward(x).Attention.Count);
        Assert.True(att.Module.parameters().Sum(p => p.numel()) > unet.Module.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var net = UNet2D.Create(new SegmentationOptions(SegmentationModel.UNet, BaseFilters: 2, Depth: 2));
        var e = Assert.Throws<ArgumentException>(() => net.Forward(torch.zeros(1, 1, 10, 8)));
        Assert.Contains("multiples of 4", e.Message);
        Assert.Contains("(1, 1, 10, 8)", e.Message);
        Assert.Contains("Model must be one of unet, attention-unet; got 4", Assert.Throws<ArgumentException>(() => new SegmentationOptions((SegmentationModel)4).Validate()).Message);
    }

    /// <summary>Two 8x8 "digit" shapes (a filled square for class 0, a cross for class 1) as a tiny MNIST stand-in.</summary>
    internal static ImageDataset Shapes()
    {
        var pixels = new byte[2 * 64];
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                if (y is >= 1 and <= 6 && x is >= 1 and <= 6) pixels[y * 8 + x] = 255;
                if (x == y || x == 7 - y) pixels[64 + y * 8 + x] = 255;
            }
        return new ImageDataset(pixels, [0, 1], 8, 8);
    }

    [Trait("Category", "Slow")]
    [Theory]
    [InlineData("unet")]
    [InlineData("attention-unet")]
    public void TinyModelLearnsAGeneratedSegmentationTask(string model)
    {
        var opts = new MultiDigitOptions(Canvas: 16, MinDigits: 1, MaxDigits: 2, Threshold: 128);
        var train = MultiDigitSegmentation.Generate(Shapes(), 64, seed: 1, opts);
        var test = MultiDigitSegmentation.Generate(Shapes(), 32, seed: 2, opts);
        torch.manual_seed(1);
        var net = UNet2D.Create(new SegmentationOptions(Variant.Parse<SegmentationModel>(model, "model"), Classes: MultiDigitSegmentation.Classes, BaseFilters: 4, Depth: 2));
        var before = SegmentationTask.Evaluate(net, test, 32).MeanForeground();
        var trainer = new Trainer<SegmentationBatch>(new TrainerOptions { Epochs = 20, BatchSize = 16, LearningRate = 2e-2, Monitor = "dice_error" });
        var summary = trainer.Fit(new SegmentationTask(net), ModelIdentity.Of("segment", net.Options), train, null, new PlainProgress(TextWriter.Null));
        var after = SegmentationTask.Evaluate(net, test, 32);
        Assert.True(summary.History[^1].Train["loss"] < summary.History[0].Train["loss"] * 0.5,
            $"loss {summary.History[0].Train["loss"]} -> {summary.History[^1].Train["loss"]}");
        Assert.True(after.MeanForeground() > 0.8, $"mean foreground Dice {before} -> {after.MeanForeground()}");
    }
}
