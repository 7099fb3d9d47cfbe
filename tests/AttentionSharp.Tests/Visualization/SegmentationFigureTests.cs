using AttentionSharp.Visualization;
using SkiaSharp;

namespace AttentionSharp.Tests.Visualization;

public class SegmentationFigureTests
{
    static SegmentationExample Example() => new(
        Image: [0, 1, 1, 0],
        Truth: [0, 2, 2, 0],
        Prediction: [0, 2, 3, 0],
        Attention: [new AttentionMap([0f], 1, 1), new AttentionMap([1f, 0f, 0f, 1f], 2, 2)]);

    [Fact]
    public void DrawsImageTruthPredictionAndEachMapAsCells()
    {
        var png = SegmentationFigure.Render([Example(), Example()], 2, 2, ["a", "b"], scale: 5);
        using var bmp = SKBitmap.Decode(png);
        // 5 columns of 10 px + 6 pads of 4 px; 2 rows of 10 px + 2 pads, an 18 px header and a 22 px legend.
        Assert.Equal(4 + 5 * 14, bmp.Width);
        Assert.Equal(18 + 2 * 14 + 22, bmp.Height);
        int top = 18;
        SKColor At(int col, int px, int py) => bmp.GetPixel(4 + col * 14 + px * 5 + 2, top + py * 5 + 2);
        Assert.Equal(new SKColor(255, 255, 255), At(0, 1, 0));                        // image pixel (0,1) = 1
        Assert.Equal(new SKColor(0, 0, 0), At(0, 0, 0));                              // image pixel (0,0) = 0
        var c2 = SegmentationFigure.ClassColour(2);
        Assert.Equal(new SKColor((byte)(0.75 * c2.Red + 63.75), (byte)(0.75 * c2.Green + 63.75), (byte)(0.75 * c2.Blue + 63.75)), At(1, 1, 0));
        Assert.NotEqual(At(1, 0, 1), At(2, 0, 1));                                    // truth 2 vs prediction 3 at (1,0)
        Assert.Equal(At(3, 0, 0), At(3, 1, 1));                                       // a 1x1 map covers the whole image: same colour
        Assert.True(At(4, 0, 0).Red > At(4, 0, 0).Blue && At(4, 1, 0).Blue > At(4, 1, 0).Red); // 1 = red end, 0 = blue end
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var bad = Example() with { Truth = [0, 1, 2] };
        var e = Assert.Throws<ArgumentException>(() => SegmentationFigure.Render([bad], 2, 2, ["a", "b"]));
        Assert.Contains("needs 4", e.Message);
        Assert.Contains("4, 3, 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => SegmentationFigure.Render([Example()], 2, 2, ["a"]));
        Assert.Contains("1 attention maps", e.Message);
        Assert.Contains("got 2", e.Message);
    }
}
