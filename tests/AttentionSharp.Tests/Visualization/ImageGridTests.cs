using AttentionSharp.Visualization;
using SkiaSharp;

namespace AttentionSharp.Tests.Visualization;

public class ImageGridTests
{
    [Fact]
    public void DrawsEachImageInItsCell()
    {
        (float[], int, int) a = ([0f, 1f, 0.5f, 0f], 2, 2), b = ([1f], 1, 1);
        var png = ImageGrid.Render([[a, b]], ["a", "b"], scale: 4);
        using var bmp = SKBitmap.Decode(png);
        Assert.Equal(4 + 8 + 4 + 4 + 4, bmp.Width);   // pad + 2x2 image at scale 4 + pad + 1x1 image + pad
        Assert.Equal(18 + 8 + 4, bmp.Height);          // header + row + pad
        Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(4 + 1, 18 + 1));
        Assert.Equal(new SKColor(255, 255, 255), bmp.GetPixel(4 + 5, 18 + 1));
        Assert.Equal(new SKColor(127, 127, 127), bmp.GetPixel(4 + 1, 18 + 5));
        Assert.Equal(new SKColor(255, 255, 255), bmp.GetPixel(4 + 8 + 4 + 1, 18 + 1));
        var e = Assert.Throws<ArgumentException>(() => ImageGrid.Render([[([0f, 1f], 2, 2)]], ["a"]));
        Assert.Contains("2x2 needs 4", e.Message);
        Assert.Contains("got 2", e.Message);
    }
}
