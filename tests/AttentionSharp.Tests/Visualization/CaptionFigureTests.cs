using AttentionSharp.Visualization;
using SkiaSharp;

namespace AttentionSharp.Tests.Visualization;

public class CaptionFigureTests
{
    // A black 16x16 image, two words, a 2x2 region grid: word 0 attends to the top-left region, word 1 to the bottom-right.
    static CaptionExample Example() => new(new byte[16 * 16], 16, ["a", "bag"],
        [[1f, 0f, 0f, 0f], [0f, 0f, 0f, 1f]], 2, "#0: matches a reference");

    [Fact]
    public void EachWordsPanelIsHotWhereItsAttentionIs()
    {
        using var bmp = SKBitmap.Decode(CaptionFigure.Render([Example()], scale: 2));
        // pad 6; panels of 32 px: the image, then one per word; one row of title 18 + label 16 + panel + pad.
        Assert.Equal(420, bmp.Width);                                       // 6 + 3 * 38 = 120, widened to the 420 minimum
        Assert.Equal(6 + 18 + 16 + 32 + 6, bmp.Height);
        int top = 6 + 18 + 16;
        SKColor At(int panel, int x, int y) => bmp.GetPixel(6 + panel * 38 + x, top + y);
        Assert.Equal(new SKColor(0, 0, 0), At(0, 4, 4));                    // the plain image
        // Word 0: full heat (alpha 0.7 of orange 255/140/0 over black) in the top-left corner (before the first cell centre the upsampled map is flat), none in the bottom-right one.
        Assert.Equal(new SKColor(178, 98, 0), At(1, 2, 2));
        Assert.Equal(new SKColor(0, 0, 0), At(1, 29, 29));
        Assert.Equal(new SKColor(178, 98, 0), At(2, 29, 29));               // word 1: the other corner
        Assert.Equal(new SKColor(0, 0, 0), At(2, 2, 2));
    }

    [Fact]
    public void TheCaptionGoesOnTheTitleLineSoThatItDoesNotCoverThePanels()
    {
        // Rendered with and without a long caption: the label row over the word panels must not change (the caption is not
        // drawn there), while the title row does.
        var shortOne = Example();
        var longOne = shortOne with { Words = ["a", "bag", "left", "of", "a", "sandal", "left", "of", "a", "boot"], Weights = Enumerable.Repeat(new[] { 1f, 0f, 0f, 0f }, 10).ToArray() };
        using var a = SKBitmap.Decode(CaptionFigure.Render([shortOne with { Words = ["a", "bag"] }]));
        using var b = SKBitmap.Decode(CaptionFigure.Render([longOne]));
        int InkInRow(SKBitmap bmp, int y0, int y1, int x0, int x1)
        {
            int n = 0;
            for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) if (bmp.GetPixel(x, y).Red < 128) n++;
            return n;
        }
        // Label row (y 24..40) over the image panel: "image" in both figures, whatever the caption's length.
        Assert.Equal(InkInRow(a, 24, 40, 6, 38), InkInRow(b, 24, 40, 6, 38));
        // Label row over the second word's panel ("bag" in both): the same ink, so no caption runs into it.
        Assert.Equal(InkInRow(a, 24, 40, 6 + 2 * 38, 6 + 3 * 38), InkInRow(b, 24, 40, 6 + 2 * 38, 6 + 3 * 38));
        // The title row holds the caption: more ink for the longer one.
        Assert.True(InkInRow(b, 6, 24, 0, b.Width) > InkInRow(a, 6, 24, 0, a.Width));
        // Without attention there are no word panels and the caption stays over the image.
        using var c = SKBitmap.Decode(CaptionFigure.Render([shortOne with { Weights = null }]));
        Assert.True(InkInRow(c, 24, 40, 6, 38) > 0);
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionFigure.Render([Example() with { Pixels = new byte[10] }]));
        Assert.Equal("a 16x16 image needs 256 pixels; got 10", e.Message);
        e = Assert.Throws<ArgumentException>(() => CaptionFigure.Render([Example() with { Weights = [[1f, 0f, 0f, 0f]] }]));
        Assert.Equal("2 words need as many attention rows; got 1", e.Message);
        Assert.Throws<ArgumentException>(() => CaptionFigure.Render([]));
    }
}
