using AttentionSharp.Data;
using AttentionSharp.Tests.Models.Segmentation;

namespace AttentionSharp.Tests.Data;

public class RtsMnistTests
{
    [Fact]
    public void ZeroAngleUnitScaleCentredWarpCopiesTheDigit()
    {
        var digits = UNetTests.Shapes();
        var dst = new byte[12 * 12];
        // An 8x8 digit centred at (5.5, 5.5) on a 12x12 canvas lands on rows/columns 2..9 unchanged.
        RtsMnist.Warp(digits.Pixels(1), 8, 8, dst, 12, angle: 0, scale: 1, cx: 5.5, cy: 5.5);
        for (int y = 0; y < 12; y++)
            for (int x = 0; x < 12; x++)
            {
                bool inside = y is >= 2 and <= 9 && x is >= 2 and <= 9;
                Assert.Equal(inside ? digits.Pixels(1)[(y - 2) * 8 + x - 2] : 0, dst[y * 12 + x]);
            }
    }

    [Fact]
    public void QuarterTurnRotatesTheDigit()
    {
        // A vertical bar in column 3 of an 8x8 digit, turned by 90 degrees, becomes a horizontal bar.
        var bar = new byte[64];
        for (int y = 0; y < 8; y++) bar[y * 8 + 3] = 255;
        var dst = new byte[64];
        RtsMnist.Warp(bar, 8, 8, dst, 8, angle: Math.PI / 2, scale: 1, cx: 3.5, cy: 3.5);
        var lit = Enumerable.Range(0, 64).Where(i => dst[i] > 128).ToArray();
        Assert.Equal(8, lit.Length);
        Assert.Single(lit.Select(i => i / 8).Distinct()); // one row
    }

    [Fact]
    public void GenerationIsDeterministicBySeedAndKeepsLabels()
    {
        var a = RtsMnist.Generate(UNetTests.Shapes(), 3, new RtsOptions(Canvas: 20));
        var b = RtsMnist.Generate(UNetTests.Shapes(), 3, new RtsOptions(Canvas: 20));
        var c = RtsMnist.Generate(UNetTests.Shapes(), 4, new RtsOptions(Canvas: 20));
        Assert.Equal(20, a.Height);
        Assert.True(a.Pixels(0).SequenceEqual(b.Pixels(0)) && a.Pixels(1).SequenceEqual(b.Pixels(1)));
        Assert.False(a.Pixels(0).SequenceEqual(c.Pixels(0)) && a.Pixels(1).SequenceEqual(c.Pixels(1)));
        Assert.Equal(0, a.Label(0));
        Assert.Equal(1, a.Label(1));
        Assert.Contains("min scale", Assert.Throws<ArgumentException>(() => new RtsOptions(MinScale: 0).Validate()).Message);
    }
}
