using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

public class RecurrentAttentionModelTests
{
    static RamOptions Tiny(string core = "rnn") => new(Height: 20, Width: 20, Classes: 4, Patch: 4, Scales: 3, Glimpses: 3,
        GlimpseHidden: 16, GlimpseOut: 32, CoreHidden: 32, Core: Variant.Parse<RamCore>(core, "core"), LocationStd: 0.1, ReinforceWeight: 1.0);

    /// <summary>4 classes of 6x6 shapes (horizontal bar, vertical bar, diagonal, hollow square) at random positions on a 20x20 canvas.</summary>
    static ImageDataset Shapes(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 400];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(4), oy = rng.Next(15), ox = rng.Next(15);
            labels[i] = (byte)c;
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 6; x++)
                {
                    bool on = c switch { 0 => y is 2 or 3, 1 => x is 2 or 3, 2 => Math.Abs(x - y) <= 0, _ => x is 0 or 5 || y is 0 or 5 };
                    if (on) pixels[i * 400 + (oy + y) * 20 + ox + x] = 255;
                }
        }
        return new ImageDataset(pixels, labels, 20, 20, 4);
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    public void RolloutHasThePapersShapes(string core)
    {
        torch.manual_seed(1);
        var m = new RecurrentAttentionModel(Tiny(core));
        using var scope = NewDisposeScope();
        var r = m.Rollout(torch.rand(5, 1, 20, 20), keepPatches: true);
        Assert.Equal(new long[] { 5, 4 }, r.LogProbs.shape);
        Assert.Equal(new long[] { 5, 2 }, r.PolicyLogProbs.shape);
        Assert.Equal(new long[] { 5, 2 }, r.Baselines.shape);
        Assert.Equal(new long[] { 5, 3, 2 }, r.Locations.shape);
        Assert.Equal(new long[] { 5, 3, 3, 1, 4, 4 }, r.Patches!.shape);
        Assert.True(r.Locations.abs().max().item<float>() <= 1f);
        Assert.False(r.Locations.requires_grad);
        Assert.Equal(1.0, r.LogProbs.exp().sum(1).mean().item<float>(), 5);
    }

    [Fact]
    public void PapersGlimpseAndCoreSizes()
    {
        var m = new RecurrentAttentionModel(RamOptions.ForImage(60, 60));
        var shapes = m.named_parameters().ToDictionary(p => p.name, p => string.Join("x", p.parameter.shape));
        Assert.Equal("128x432", shapes["glimpse.what.weight"]);   // 3 scales of 12x12
        Assert.Equal("128x2", shapes["glimpse.where.weight"]);
        Assert.Equal("256x128", shapes["glimpse.whatOut.weight"]);
        Assert.Equal("256x256", shapes["core.hidden_to_hidden.weight"]);
        Assert.Equal("2x256", shapes["location.mean.weight"]);
        Assert.Equal("10x256", shapes["action.output.weight"]);
        Assert.Equal("1x256", shapes["baseline.value.weight"]);
        Assert.Equal((8, 1), (RamOptions.ForImage(28, 28).Patch, RamOptions.ForImage(28, 28).Scales));
        Assert.Equal((12, 4), (RamOptions.ForImage(100, 100).Patch, RamOptions.ForImage(100, 100).Scales));
    }

    internal static Dictionary<string, double> GradNorms(RecurrentAttentionModel m) =>
        m.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is null ? 0.0 : p.parameter.grad.abs().sum().item<float>());

    [Fact]
    public void ReinforceTrainsOnlyTheLocationNetwork()
    {
        torch.manual_seed(2);
        var m = new RecurrentAttentionModel(Tiny());
        using var scope = NewDisposeScope();
        var images = torch.rand(8, 1, 20, 20);
        var labels = torch.tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        var r = m.Rollout(images);
        var (_, _, reinforce, reward) = RamTask.Losses(r, labels);
        // make the advantage non-zero for sure: the term depends on R - b, with b from an untrained net
        m.zero_grad();
        reinforce.backward();
        var g = GradNorms(m);
        Assert.True(g["location.mean.weight"] > 0, "REINFORCE must reach the location network");
        foreach (var kv in g.Where(kv => !kv.Key.StartsWith("location.")))
            Assert.True(kv.Value == 0, $"REINFORCE leaked into {kv.Key}: |grad| = {kv.Value}");
    }

    [Fact]
    public void ClassificationLossDoesNotReachThePolicyAndBaselineLossOnlyTrainsTheBaseline()
    {
        torch.manual_seed(3);
        var m = new RecurrentAttentionModel(Tiny());
        using var scope = NewDisposeScope();
        var labels = torch.tensor(new long[] { 0, 1, 2, 3 });
        var (nll, mse, _, _) = RamTask.Losses(m.Rollout(torch.rand(4, 1, 20, 20)), labels);
        m.zero_grad();
        nll.backward();
        var g = GradNorms(m);
        Assert.Equal(0.0, g["location.mean.weight"]);
        Assert.Equal(0.0, g["baseline.value.weight"]);
        Assert.True(g["glimpse.what.weight"] > 0 && g["core.input_to_hidden.weight"] > 0 && g["action.output.weight"] > 0);

        (_, mse, _, _) = RamTask.Losses(m.Rollout(torch.rand(4, 1, 20, 20)), labels);
        m.zero_grad();
        mse.backward();
        g = GradNorms(m);
        Assert.True(g["baseline.value.weight"] > 0);
        foreach (var kv in g.Where(kv => !kv.Key.StartsWith("baseline.")))
            Assert.True(kv.Value == 0, $"baseline loss leaked into {kv.Key}");
    }

    [Fact]
    public void LogProbabilityIsTheGaussianDensityOfTheSample()
    {
        torch.manual_seed(4);
        var net = new LocationNetwork(6);
        net.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var h = torch.randn(5, 6, dtype: ScalarType.Float64) * 0.1;
        const double std = 0.05;
        var (l, logp) = net.Sample(h, std);
        var mu = net.Mean(h).data<double>().ToArray();
        var lv = l.data<double>().ToArray();
        var lp = logp.data<double>().ToArray();
        for (int i = 0; i < 5; i++)
        {
            double want = 0;
            for (int d = 0; d < 2; d++)
            {
                double z = (lv[i * 2 + d] - mu[i * 2 + d]) / std;
                want += -0.5 * z * z - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI);
            }
            Assert.Equal(want, lp[i], 9);
        }
        Assert.False(l.requires_grad);
        Assert.True(logp.requires_grad);
    }

    /// <summary>Two images, two classes, two decisions: p(class) = (0.7, 0.3) and (0.2, 0.8), log pi = (-1, -2) and (-0.5, -0.25), b = (0.5, 0.25) and (0.75, 1).</summary>
    internal static RamRollout HandRollout() => new(
        torch.log(torch.tensor(new double[] { 0.7, 0.3, 0.2, 0.8 }, [2, 2])),
        torch.tensor(new double[] { -1.0, -2.0, -0.5, -0.25 }, [2, 2]),
        torch.tensor(new double[] { 0.5, 0.25, 0.75, 1.0 }, [2, 2]),
        torch.zeros(2, 3, 2), null);

    [Fact]
    public void HybridLossCombinesTheThreeTerms()
    {
        var r = HandRollout();
        var (nll, mse, reinforce, reward) = RamTask.Losses(r, torch.tensor(new long[] { 0, 0 }));
        Assert.Equal(new double[] { 1, 0 }, reward.data<double>().ToArray());
        Assert.Equal(-(Math.Log(0.7) + Math.Log(0.2)) / 2, nll.item<double>(), 12);
        Assert.Equal((0.25 + 0.5625 + 0.5625 + 1.0) / 4, mse.item<double>(), 12);
        // -mean_b sum_t logpi (R - b): b=0: -(-1*0.5 + -2*0.75) = 2; b=1: -(-0.5*-0.75 + -0.25*-1) = -0.625
        Assert.Equal((2 - 0.625) / 2, reinforce.item<double>(), 12);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void LearnsAGeneratedShapeTaskAboveChanceInSeconds()
    {
        torch.manual_seed(5);
        var train = Shapes(600, 1);
        var test = Shapes(200, 2);
        var model = new RecurrentAttentionModel(Tiny() with { ReinforceWeight = 0.01 });
        var task = new RamTask(model);
        var trainer = new Trainer<ImageBatch>(new TrainerOptions { Epochs = 12, BatchSize = 32, LearningRate = 3e-3, Seed = 5 });
        trainer.Fit(task, ModelIdentity.Of("ram", model.Options), train, null, new SilentProgress());
        task.EvalSamples = 4;
        var metrics = Trainer<ImageBatch>.Evaluate(task, test, 100);
        Assert.True(metrics["error"] < 0.45, $"test error {metrics["error"]:P1} is not clearly below chance (75%)");
    }

    [Fact]
    public void TrainingAndMonteCarloEvaluationLeaveNoLiveTensorsBehind()
    {
        torch.manual_seed(7);
        var train = Shapes(64, 4);
        var model = new RecurrentAttentionModel(Tiny());
        var task = new RamTask(model) { EvalSamples = 3 };
        var options = new TrainerOptions { Epochs = 1, BatchSize = 16, Seed = 7 };
        new Trainer<ImageBatch>(options).Fit(task, ModelIdentity.Of("ram", model.Options), train, train, new SilentProgress()); // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++)
            new Trainer<ImageBatch>(options).Fit(task, ModelIdentity.Of("ram", model.Options), train, train, new SilentProgress());
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after - before <= 0, $"live tensors grew from {before} to {after} over 3 epochs");
    }

    [Fact]
    public void MonteCarloEvaluationAveragesProbabilities()
    {
        torch.manual_seed(6);
        var model = new RecurrentAttentionModel(Tiny());
        var data = Shapes(16, 3);
        var task = new RamTask(model) { EvalSamples = 5 };
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var o = task.EvalStep(data.GetBatch([.. Enumerable.Range(0, 16)]));
        Assert.Equal(16, o.Examples);
        Assert.InRange(o.Sums["error"], 0, 16);
        Assert.True(double.IsFinite(o.Loss.item<float>()));
        task.EvalSamples = 0;
        Assert.Throws<ArgumentException>(() => task.EvalStep(data.GetBatch([0])));
    }

    [Fact]
    public void BadInputsNameExpectedAndActual()
    {
        var m = new RecurrentAttentionModel(Tiny());
        var e = Assert.Throws<ArgumentException>(() => m.Rollout(torch.zeros(2, 1, 28, 28)));
        Assert.Contains("(batch, 1, 20, 20)", e.Message);
        Assert.Contains("(2, 1, 28, 28)", e.Message);
        Assert.Throws<ArgumentException>(() => m.Rollout(torch.zeros(2, 1, 20, 20), torch.zeros(3, 2)));
        Assert.Contains("96", Assert.Throws<ArgumentException>(() => new RecurrentAttentionModel(new RamOptions(Patch: 12, Scales: 4))).Message);
        Assert.Contains("lstm", Assert.Throws<ArgumentException>(() => new RamOptions(Core: (RamCore)7).Validate()).Message);
        Assert.Contains("std", Assert.Throws<ArgumentException>(() => new RamOptions(LocationStd: 0).Validate()).Message);
        Assert.Throws<ArgumentException>(() => new RamOptions(Glimpses: 0).Validate());
    }

    sealed class SilentProgress : ITrainingProgress
    {
        public void StartEpoch(int epoch, int epochs, int batches) { }
        public void Step(int batch, double loss) { }
        public void EndEpoch(EpochRecord record) { }
        public void Message(string text) { }
    }
}
