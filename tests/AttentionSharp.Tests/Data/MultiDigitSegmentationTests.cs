using AttentionSharp.Data;
using AttentionSharp.Tests.Models.Segmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Data;

public class MultiDigitSegmentationTests
{
    [Fact]
    public void SameSeedSameScenesOtherSeedOtherScenes()
    {
        var opts = new MultiDigitOptions(Canvas: 20, MinDigits: 2, MaxDigits: 3);
        var a = MultiDigitSegmentation.Generate(UNetTests.Shapes(), 10, 5, opts);
        var b = MultiDigitSegmentation.Generate(UNetTests.Shapes(), 10, 5, opts);
        var c = MultiDigitSegmentation.Generate(UNetTests.Shapes(), 10, 6, opts);
        Assert.Equal(10, a.Count);
        Assert.True(Enumerable.Range(0, 10).All(i => a.Pixels(i).SequenceEqual(b.Pixels(i)) && a.Mask(i).SequenceEqual(b.Mask(i))));
        Assert.False(Enumerable.Range(0, 10).All(i => a.Pixels(i).SequenceEqual(c.Pixels(i))));
    }

    [Fact]
    public void LabelsFollowTheDefinition()
    {
        // Definition: label = class + 1 of the brightest digit at the pixel when that intensity reaches the threshold, else 0;
        // the image is the pixel-wise maximum. With 0/255 shapes: label > 0 exactly where the image is 255, and the label is
        // a shape's class + 1 (1 = square, 2 = cross).
        var opts = new MultiDigitOptions(Canvas: 20, MinDigits: 2, MaxDigits: 3, Threshold: 128);
        var d = MultiDigitSegmentation.Generate(UNetTests.Shapes(), 50, 9, opts);
        int foreground = 0;
        for (int i = 0; i < d.Count; i++)
        {
            var p = d.Pixels(i); var m = d.Mask(i);
            for (int k = 0; k < p.Length; k++)
            {
                Assert.Equal(p[k] == 255, m[k] > 0);
                Assert.True(p[k] is 0 or 255 && m[k] <= 2);
                if (m[k] > 0) foreground++;
            }
            // Each scene holds 2 or 3 shapes (a cross has 16 lit pixels, a square 36; overlaps can hide some).
            Assert.InRange(p.ToArray().Count(v => v == 255), 16, 3 * 36);
        }
        var batch = d.GetBatch([0, 3]);
        Assert.Equal(new long[] { 2, 1, 20, 20 }, batch.Images.shape);
        Assert.Equal(new long[] { 2, 20, 20 }, batch.Masks.shape);
        Assert.Equal(ScalarType.Int64, batch.Masks.dtype);
        Assert.Equal(d.Mask(3)[45], batch.Masks[1, 2, 5].item<long>());
        Assert.True(foreground > 0);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Contains("at least the digit size 8", Assert.Throws<ArgumentException>(() =>
            MultiDigitSegmentation.Generate(UNetTests.Shapes(), 1, 1, new MultiDigitOptions(Canvas: 6))).Message);
        Assert.Contains("1 <= min digits <= max digits", Assert.Throws<ArgumentException>(() => new MultiDigitOptions(MinDigits: 3, MaxDigits: 2).Validate()).Message);
    }
}
