using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Vision;

public class GlimpseSensorTests
{
    /// <summary>Naive reference: crop each scale pixel by pixel (zero outside), average g x g blocks, in double.</summary>
    static double[,,,,] Reference(double[,,,] img, double[,] loc, int g, int k)
    {
        int b = img.GetLength(0), c = img.GetLength(1), h = img.GetLength(2), w = img.GetLength(3);
        var outp = new double[b, k, c, g, g];
        for (int i = 0; i < b; i++)
        {
            double x = Math.Clamp(loc[i, 0], -1, 1), y = Math.Clamp(loc[i, 1], -1, 1);
            int cx = (int)Math.Floor((x + 1) / 2 * w), cy = (int)Math.Floor((y + 1) / 2 * h);
            for (int s = 0; s < k; s++)
            {
                int crop = g * (1 << s), f = crop / g;
                int top = cy - crop / 2, left = cx - crop / 2;
                for (int ch = 0; ch < c; ch++)
                    for (int r = 0; r < g; r++)
                        for (int q = 0; q < g; q++)
                        {
                            double sum = 0;
                            for (int u = 0; u < f; u++)
                                for (int v = 0; v < f; v++)
                                {
                                    int py = top + r * f + u, px = left + q * f + v;
                                    if (py >= 0 && py < h && px >= 0 && px < w) sum += img[i, ch, py, px];
                                }
                            outp[i, s, ch, r, q] = sum / (f * f);
                        }
            }
        }
        return outp;
    }

    [Theory]
    [InlineData(3, 3, 13, 17)]
    [InlineData(4, 2, 16, 16)]
    [InlineData(2, 4, 9, 11)]
    public void MatchesNaiveCropAndAverageAtEveryScaleBorderAndImage(int g, int k, int h, int w)
    {
        var rng = new Random(7);
        double[,] loc = { { -1, -1 }, { 1, 1 }, { 1, -1 }, { -1, 1 }, { 0, 0 }, { 0.37, -0.81 }, { -1.5, 2.0 }, { 0.999, -0.999 } };
        int b = loc.GetLength(0), c = 2;
        var img = new double[b, c, h, w];
        var flat = new double[b * c * h * w];
        for (int i = 0; i < flat.Length; i++) flat[i] = rng.NextDouble();
        Buffer.BlockCopy(flat, 0, img, 0, flat.Length * sizeof(double));
        var locFlat = new double[b * 2];
        Buffer.BlockCopy(loc, 0, locFlat, 0, locFlat.Length * sizeof(double));

        var sensor = new GlimpseSensor(g, k, h, w);
        using var images = tensor(flat, [b, c, h, w], ScalarType.Float64);
        using var locations = tensor(locFlat, [b, 2], ScalarType.Float64);
        var want = Reference(img, loc, g, k);
        var wantFlat = new double[want.Length];
        Buffer.BlockCopy(want, 0, wantFlat, 0, wantFlat.Length * sizeof(double));
        Assert.True(wantFlat.Any(v => v == 0) && wantFlat.Any(v => v > 0)); // borders were exercised
        // both paths: the summed-area table (Extract) and the crop-gather-pool reference (ExtractByCrops)
        foreach (var path in new Func<Tensor>[] { () => sensor.Extract(images, locations), () => sensor.ExtractByCrops(images, locations) })
        {
            using var got = path();
            Assert.Equal(new long[] { b, k, c, g, g }, got.shape);
            var gotFlat = got.data<double>().ToArray();
            for (int i = 0; i < wantFlat.Length; i++) Assert.True(Math.Abs(wantFlat[i] - gotFlat[i]) < 1e-12, $"element {i}: want {wantFlat[i]}, got {gotFlat[i]}");
        }
    }

    [Fact]
    public void SummedAreaPathMatchesCropsOnFloatImagesAtThePapersSizes()
    {
        torch.manual_seed(11);
        foreach (var (size, k) in new[] { (60, 3), (100, 4) })
        {
            var sensor = new GlimpseSensor(12, k, size, size);
            using var scope = NewDisposeScope();
            var img = (torch.rand(16, 1, size, size) * 255).floor() / 255; // byte-valued pixels, as the datasets give
            var l = torch.rand(16, 2) * 2.4 - 1.2;                         // some outside [-1, 1]: clamped
            var table = sensor.SummedArea(img);
            var fast = sensor.Extract(table, l);
            var slow = sensor.ExtractByCrops(img, l);
            Assert.Equal(ScalarType.Float32, fast.dtype);
            Assert.True((fast - slow).abs().max().item<float>() < 1e-5f, $"{size}x{size}: summed-area and crop paths differ");
        }
    }

    [Fact]
    public void TopLeftCornerReadsZeroBeyondTheBorder()
    {
        var sensor = new GlimpseSensor(4, 1, 8, 8);
        using var ones = torch.ones(1, 1, 8, 8);
        using var l = torch.tensor(new float[] { -1, -1 }, [1, 2]);
        using var p = sensor.Extract(ones, l);
        // centre pixel (0, 0), crop rows/cols -2..1: only the bottom-right 2x2 is inside the image
        var v = p.reshape(4, 4).data<float>().ToArray();
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1 }, v);
    }

    [Fact]
    public void CentreLocationCoversTheMiddleOfTheImage()
    {
        var sensor = new GlimpseSensor(2, 1, 6, 6);
        using var img = torch.arange(36, dtype: ScalarType.Float32).reshape(1, 1, 6, 6);
        using var l = torch.zeros(1, 2);
        using var p = sensor.Extract(img, l);
        Assert.Equal(new float[] { 14, 15, 20, 21 }, p.reshape(4).data<float>().ToArray()); // rows 2-3, cols 2-3
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var sensor = new GlimpseSensor(12, 3, 60, 60);
        var e = Assert.Throws<ArgumentException>(() => sensor.Extract(torch.zeros(2, 1, 28, 28), torch.zeros(2, 2)));
        Assert.Contains("(batch, channels, 60, 60)", e.Message);
        Assert.Contains("(2, 1, 28, 28)", e.Message);
        e = Assert.Throws<ArgumentException>(() => sensor.Extract(torch.zeros(2, 1, 60, 60), torch.zeros(3, 2)));
        Assert.Contains("(2, 2)", e.Message);
        Assert.Contains("(3, 2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GlimpseSensor(12, 4, 28, 28));
        Assert.Contains("96", e.Message);
        Assert.Contains("56", e.Message);
        Assert.Throws<ArgumentException>(() => new GlimpseSensor(0, 1, 28, 28));
        Assert.Throws<ArgumentException>(() => new GlimpseSensor(8, 0, 28, 28));
    }

    [Fact]
    public void NoLoopOverTheBatchMeansLargeBatchesAgreeWithSmallOnes()
    {
        var sensor = new GlimpseSensor(3, 2, 10, 10);
        torch.manual_seed(3);
        using var img = torch.rand(32, 1, 10, 10);
        using var l = torch.rand(32, 2) * 2 - 1;
        using var all = sensor.Extract(img, l);
        using var one = sensor.Extract(img[17..18], l[17..18]);
        Assert.Equal(0.0, (all[17..18] - one).abs().max().item<float>());
    }
}
