using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using TorchSharp;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

public class GlimpseDiagnosticsTests
{
    [Fact]
    public void FoveaHitsDistancesAndOffsetBinsFollowTheirDefinitions()
    {
        // 100x100 canvases, 12-pixel fovea, 28x28 digits. Location x maps to column floor((x + 1) / 2 * 100).
        var boxes = new[]
        {
            new ObjectBox(36, 36, 28, 28), // centre (50, 50): offset 0
            new ObjectBox(0, 0, 28, 28),   // centre (14, 14): offset sqrt(2) * 36 = 50.9, the largest possible
            new ObjectBox(0, 36, 28, 28),  // centre row 14, col 50: offset 36
        };
        var locations = new[]
        {
            new[] { 0.5, 0.5, 0.0, 0.0 },    // glimpse 2 at pixel (50, 50): the fovea [44, 56) covers the centre; last distance 0
            new[] { -0.72, -0.72, 0.0, 0.0 },// glimpse 1 at pixel 14 (floor(0.14 * 100)): hit; last at (50, 50): distance 36 * sqrt(2)
            new[] { 0.0, 0.0, 0.0, 0.0 },     // never closer than 36 rows: no hit
        };
        var d = GlimpseDiagnostics.FromLocations(locations, [false, true, true], boxes, 100, 100, 12, bins: 2);
        Assert.Equal(3, d.Images);
        Assert.Equal(2.0 / 3, d.Error, 12);
        Assert.Equal(2.0 / 3, d.FoveaHitRate, 12);
        Assert.Equal((0 + 36 * Math.Sqrt(2) + 36) / 3, d.MeanLastDistance, 9);
        Assert.Equal((0 + 0 + 36) / 3.0, d.MeanMinDistance, 9);
        double max = 36 * Math.Sqrt(2);
        Assert.Equal(2, d.ErrorByOffset.Count);
        Assert.Equal((0.0, 1, 0.0), (d.ErrorByOffset[0].FromPixels, d.ErrorByOffset[0].Images, d.ErrorByOffset[0].Error));
        Assert.Equal(max / 2, d.ErrorByOffset[0].ToPixels, 9);
        Assert.Equal((2, 1.0), (d.ErrorByOffset[1].Images, d.ErrorByOffset[1].Error));
        Assert.Equal(max, d.ErrorByOffset[1].ToPixels, 9);
    }

    [Fact]
    public void FoveaEdgeIsHalfOpen()
    {
        // glimpse centre at column/row 50 covers [44, 56): a digit centred at 56 is outside, at 55.5 inside
        var loc = new[] { new[] { 0.0, 0.0 } };
        Assert.Equal(0.0, GlimpseDiagnostics.FromLocations(loc, [false], [new ObjectBox(42, 42, 28, 28)], 100, 100, 12).FoveaHitRate);
        Assert.Equal(1.0, GlimpseDiagnostics.FromLocations(loc, [false], [new ObjectBox(41, 41, 29, 29)], 100, 100, 12).FoveaHitRate);
    }

    [Fact]
    public void MeasureNeedsBoxesAndAgreesWithTheRollout()
    {
        torch.manual_seed(1);
        var src = Data.TranslatedImagesTests.Digits(12, 2);
        var canvases = TranslatedImages.Generate(src, 40, seed: 5);
        Assert.NotNull(canvases.Boxes);
        var model = new RecurrentAttentionModel(new RamOptions(Height: 40, Width: 40, Patch: 6, Scales: 2, Glimpses: 3,
            GlimpseHidden: 8, GlimpseOut: 8, CoreHidden: 8, FirstLocation: RamFirstLocation.Centre, TestPolicy: RamTestPolicy.Mean));
        var d = GlimpseDiagnostics.Measure(model, canvases, batchSize: 5, meanPolicy: true);
        Assert.Equal(12, d.Images);
        Assert.InRange(d.FoveaHitRate, 0, 1);
        Assert.Equal(12, d.ErrorByOffset.Sum(b => b.Images));
        var e = Assert.Throws<ArgumentException>(() => GlimpseDiagnostics.Measure(model, src.Subset([.. Enumerable.Range(0, 2)]), 5));
        Assert.Contains("object boxes", e.Message);
    }

    [Fact]
    public void GeneratedCanvasesRecordWhereTheDigitWasPasted()
    {
        var src = Data.TranslatedImagesTests.Digits(10, 3); // ink only in rows 8..19, cols 10..17 of each 28x28 digit
        var t = TranslatedImages.Generate(src, 60, seed: 4);
        for (int i = 0; i < t.Count; i++)
        {
            var b = t.Boxes![i];
            Assert.Equal((28, 28), (b.Height, b.Width));
            var px = t.Pixels(i);
            for (int y = 0; y < 60; y++)
                for (int x = 0; x < 60; x++)
                {
                    bool ink = y >= b.Top + 8 && y < b.Top + 20 && x >= b.Left + 10 && x < b.Left + 18;
                    Assert.Equal(ink, px[y * 60 + x] > 0);
                }
        }
        var sub = t.Subset([3, 1]);
        Assert.Equal(new[] { t.Boxes![3], t.Boxes[1] }, sub.Boxes);
    }
}
