using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

/// <summary>
/// The REINFORCE weight w scales the only gradient the location network gets; Adam's step is invariant to that scale,
/// SGD's is not (docs/ram.md, "Model"). Both halves are checked so that neither can pass vacuously.
/// </summary>
public class ReinforceWeightTests
{
    static RamOptions Tiny(double w) => new(Height: 16, Width: 16, Classes: 3, Patch: 4, Scales: 2, Glimpses: 3,
        GlimpseHidden: 8, GlimpseOut: 16, CoreHidden: 16, LocationStd: 0.2, ReinforceWeight: w);

    static ImageBatch Batch()
    {
        var rng = new Random(3);
        var pixels = new byte[24 * 256];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(rng.Next(4) == 0 ? rng.Next(256) : 0);
        var labels = Enumerable.Range(0, 24).Select(i => (byte)(i % 3)).ToArray();
        return new ImageDataset(pixels, labels, 16, 16, 3).GetBatch([.. Enumerable.Range(0, 24)]);
    }

    /// <summary>Trains a fresh model (same init for every call) for a few steps; returns its parameters by name.</summary>
    static Dictionary<string, float[]> Train(double weight, bool adam)
    {
        manual_seed(11);
        var model = new RecurrentAttentionModel(Tiny(weight));
        var task = new RamTask(model);
        using var opt = adam ? (optim.Optimizer)optim.Adam(model.parameters(), lr: 0.01) : optim.SGD(model.parameters(), 0.5);
        var batch = Batch();
        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            manual_seed(100 + step); // the same glimpse paths for every weight
            var output = task.TrainStep(batch);
            opt.zero_grad();
            output.Loss.backward();
            opt.step();
        }
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().data<float>().ToArray());
    }

    static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

    [Fact]
    public void WithAdamTheWeightChangesNoParameterWithSgdItMovesThePolicy()
    {
        var adamSmall = Train(0.01, adam: true);
        var adamLarge = Train(1.0, adam: true);
        Assert.All(adamSmall, kv => Assert.True(MaxDiff(kv.Value, adamLarge[kv.Key]) < 1e-4,
            $"{kv.Key}: Adam parameters differ by {MaxDiff(kv.Value, adamLarge[kv.Key])} between weights 0.01 and 1"));

        var sgdSmall = Train(0.01, adam: false);
        var sgdLarge = Train(1.0, adam: false);
        var policy = sgdSmall.Keys.Where(k => k.StartsWith("location", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(policy);
        Assert.Contains(policy, k => MaxDiff(sgdSmall[k], sgdLarge[k]) > 1e-3);
    }
}
