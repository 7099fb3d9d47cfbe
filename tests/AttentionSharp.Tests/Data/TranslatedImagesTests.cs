using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data;

public class TranslatedImagesTests
{
    /// <summary>Source "digits": random values 1..199 inside an 8-wide, 12-high box, zero elsewhere.</summary>
    internal static ImageDataset Digits(int count, int seed)
    {
        var rng = new Random(seed);
        var p = new byte[count * 28 * 28];
        for (int i = 0; i < count; i++)
            for (int y = 8; y < 20; y++)
                for (int x = 10; x < 18; x++)
                    p[i * 784 + y * 28 + x] = (byte)rng.Next(1, 200);
        return new ImageDataset(p, [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))], 28, 28);
    }

    static int Sum(ReadOnlySpan<byte> s) { int t = 0; foreach (var b in s) t += b; return t; }

    [Fact]
    public void TranslatedCanvasHoldsTheWholeDigitOnce()
    {
        var src = Digits(20, 1);
        var t = TranslatedImages.Generate(src, 60, seed: 3);
        Assert.Equal((60, 60, 20), (t.Height, t.Width, t.Count));
        for (int i = 0; i < src.Count; i++)
        {
            Assert.Equal(src.Label(i), t.Label(i));
            Assert.Equal(Sum(src.Pixels(i)), Sum(t.Pixels(i)));
            Assert.Equal(src.Pixels(i).ToArray().Count(b => b > 0), t.Pixels(i).ToArray().Count(b => b > 0));
        }
    }

    [Fact]
    public void DeterministicBySeed()
    {
        var src = Digits(10, 2);
        var a = TranslatedImages.Generate(src, 60, 4, seed: 7);
        var b = TranslatedImages.Generate(src, 60, 4, seed: 7);
        var c = TranslatedImages.Generate(src, 60, 4, seed: 8);
        Assert.True(Enumerable.Range(0, 10).All(i => a.Pixels(i).SequenceEqual(b.Pixels(i))));
        Assert.False(Enumerable.Range(0, 10).All(i => a.Pixels(i).SequenceEqual(c.Pixels(i))));
    }

    [Fact]
    public void ClutterAddsDistractorsOnlyFromTheSameSplitAndClips()
    {
        // a split whose images are all 255 inside their 8x12 box: clutter crops come from the same split, so every lit
        // pixel is 255 after clipping, and the canvas has at least the digit's pixels lit
        var p = new byte[5 * 784];
        for (int i = 0; i < 5; i++) for (int y = 8; y < 20; y++) for (int x = 10; x < 18; x++) p[i * 784 + y * 28 + x] = 255;
        var src = new ImageDataset(p, [0, 1, 2, 3, 4], 28, 28);
        var c = TranslatedImages.Generate(src, 100, 8, seed: 1);
        for (int i = 0; i < 5; i++)
        {
            var px = c.Pixels(i).ToArray();
            Assert.All(px, v => Assert.True(v is 0 or 255));
            Assert.True(px.Count(v => v == 255) >= 96);
        }
        int lit = Enumerable.Range(0, 5).Sum(i => c.Pixels(i).ToArray().Count(v => v > 0));
        Assert.True(lit > 5 * 96, "distractors must add pixels");
    }

    [Fact]
    public void BadSizesAreRejected()
    {
        var src = Digits(3, 1);
        Assert.Contains("28x28", Assert.Throws<ArgumentException>(() => TranslatedImages.Generate(src, 20)).Message);
        Assert.Throws<ArgumentException>(() => TranslatedImages.Generate(src, 60, 4, patch: 40));
        Assert.Throws<ArgumentException>(() => TranslatedImages.Generate(src, 60, -1));
    }

    [Fact]
    public void TaskNamesResolveAcrossSources()
    {
        Assert.Equal("translated", ImageTasks.Resolve("translated", "mnist"));
        Assert.Equal("fashion-mnist:cluttered60", ImageTasks.Resolve("cluttered60", "fashion-mnist"));
        Assert.Equal("fashion-mnist", ImageTasks.Resolve("mnist", "fashion-mnist"));
        Assert.Contains("fashion-mnist:cluttered100", ImageTasks.Names);
        Assert.Contains("cluttered100", ImageTasks.Names);
    }
}
