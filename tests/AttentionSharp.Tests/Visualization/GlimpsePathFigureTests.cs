using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Visualization;

public class GlimpsePathFigureTests
{
    [Fact]
    public void RolloutBecomesPathsAndAPng()
    {
        torch.manual_seed(1);
        var model = new RecurrentAttentionModel(new RamOptions(Height: 20, Width: 20, Classes: 4, Patch: 4, Scales: 2, Glimpses: 3,
            GlimpseHidden: 8, GlimpseOut: 8, CoreHidden: 8));
        using var scope = NewDisposeScope();
        var images = torch.rand(2, 1, 20, 20);
        var first = torch.tensor(new float[] { -1, -1, 0.5f, 0.25f }, [2, 2]);
        var r = model.Rollout(images, first, keepPatches: true);
        var paths = GlimpsePathFigure.FromRollout(images, torch.tensor(new long[] { 1, 3 }), r, model.Glimpse.Sensor);
        Assert.Equal(2, paths.Count);
        Assert.Equal(new[] { -1.0, -1.0 }, paths[0].Locations[0]);
        Assert.Equal(0.5, paths[1].Locations[0][0], 6);
        Assert.Equal(3, paths[1].Patches.Length);
        Assert.Equal(2, paths[1].Patches[0].Length);
        Assert.Equal(16, paths[1].Patches[0][0].Length);
        Assert.Equal(3, paths[1].Label);
        // the first patch of image 1 equals the sensor's own output
        var want = model.Glimpse.Sensor.Extract(images[1..2], first[1..2]).reshape(-1).data<float>().ToArray();
        Assert.Equal(want[..16], paths[1].Patches[0][0]);

        string dir = Path.Combine(Path.GetTempPath(), "attn-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            string png = Path.Combine(dir, "g.png");
            GlimpsePathFigure.SavePng(png, paths, model.Glimpse.Sensor);
            var bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            using var bmp = GlimpsePathFigure.Render(paths, model.Glimpse.Sensor);
            Assert.True(bmp.Height > 2 * 20 && bmp.Width > 20);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        Assert.Throws<ArgumentException>(() => GlimpsePathFigure.Render([], model.Glimpse.Sensor));
    }
}
