using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

/// <summary>The location-policy options of issue 21: hidden layer, policy gradient to the core, first location, test policy.</summary>
public class PolicyOptionsTests
{
    static RamOptions Tiny() => new(Height: 20, Width: 20, Classes: 4, Patch: 4, Scales: 3, Glimpses: 3,
        GlimpseHidden: 16, GlimpseOut: 32, CoreHidden: 32, Core: RamCore.Lstm, LocationStd: 0.1, ReinforceWeight: 1.0);

    static Dictionary<string, double> GradNorms(RecurrentAttentionModel m) => RecurrentAttentionModelTests.GradNorms(m);

    static (Tensor Images, Tensor Labels) Batch(int n = 8) =>
        (torch.rand(n, 1, 20, 20), torch.tensor(Enumerable.Range(0, n).Select(i => (long)(i % 4)).ToArray()));

    [Fact]
    public void HiddenLayerPolicyHasTheRequestedShapeAndTheLinearOneKeepsItsCheckpointNames()
    {
        var deep = new RecurrentAttentionModel(Tiny() with { LocationHidden = 24 });
        var shapes = deep.named_parameters().ToDictionary(p => p.name, p => string.Join("x", p.parameter.shape));
        Assert.Equal("24x32", shapes["location.hidden.weight"]);
        Assert.Equal("2x24", shapes["location.mean.weight"]);
        var linear = new RecurrentAttentionModel(Tiny());
        var names = linear.named_parameters().Select(p => p.name).Where(n => n.StartsWith("location.")).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "location.mean.bias", "location.mean.weight" }, names);
    }

    [Fact]
    public void HiddenLayerMeanIsTanhOfTheTwoLayerFormula()
    {
        torch.manual_seed(3);
        var net = new LocationNetwork(5, 4);
        net.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        var h = torch.randn(3, 5, dtype: ScalarType.Float64);
        var p = net.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var want = torch.tanh(torch.nn.functional.relu(h.matmul(p["hidden.weight"].t()) + p["hidden.bias"]).matmul(p["mean.weight"].t()) + p["mean.bias"]);
        Assert.True((net.Mean(h) - want).abs().max().item<double>() < 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PolicyGradientReachesTheCoreOnlyWhenAsked(bool toCore)
    {
        torch.manual_seed(2);
        var m = new RecurrentAttentionModel(Tiny() with { PolicyGradientToCore = toCore, LocationHidden = 8 });
        using var scope = NewDisposeScope();
        var (images, labels) = Batch();
        var (_, _, reinforce, _) = RamTask.Losses(m.Rollout(images), labels);
        m.zero_grad();
        reinforce.backward();
        var g = GradNorms(m);
        Assert.True(g["location.mean.weight"] > 0 && g["location.hidden.weight"] > 0);
        foreach (var name in new[] { "core.lstm.weight_ih", "glimpse.what.weight" })
            Assert.True(toCore ? g[name] > 0 : g[name] == 0, $"{name}: |grad| = {g[name]} with PolicyGradientToCore = {toCore}");
        Assert.Equal(0.0, g["action.output.weight"]);
        Assert.Equal(0.0, g["baseline.value.weight"]);
    }

    [Fact]
    public void CentreFirstLocationStartsEveryImageAtTheCentre()
    {
        torch.manual_seed(4);
        var m = new RecurrentAttentionModel(Tiny() with { FirstLocation = RamFirstLocation.Centre });
        using var scope = NewDisposeScope();
        var r = m.Rollout(torch.rand(6, 1, 20, 20));
        Assert.Equal(0.0, r.Locations.select(1, 0).abs().max().item<float>());
        Assert.Equal(new long[] { 6, 2 }, r.PolicyLogProbs.shape); // N - 1 decisions
    }

    [Fact]
    public void LearnedFirstLocationIsAPolicyDecisionWithItsOwnBaseline()
    {
        torch.manual_seed(5);
        var o = Tiny() with { FirstLocation = RamFirstLocation.Learned };
        Assert.Equal(3, o.Decisions);
        var m = new RecurrentAttentionModel(o);
        using var scope = NewDisposeScope();
        var (images, labels) = Batch(6);
        var r = m.Rollout(images);
        Assert.Equal(new long[] { 6, 3 }, r.PolicyLogProbs.shape);
        Assert.Equal(new long[] { 6, 3 }, r.Baselines.shape);
        // sampled around the same mean (the policy at the zero state): the spread is the policy's std, not uniform
        var first = r.Locations.select(1, 0);
        Assert.True(first.std(0).max().item<float>() < 0.3f);
        // with the mean policy every image starts at exactly the same, learned place
        var rm = m.Rollout(images, meanPolicy: true);
        var f = rm.Locations.select(1, 0);
        Assert.Equal(0.0, (f - f[0]).abs().max().item<float>());
        // REINFORCE reaches the location network's bias through the first decision too
        m.zero_grad();
        RamTask.Losses(r, labels).Reinforce.backward();
        Assert.True(m.Location.named_parameters().First(p => p.name == "mean.bias").parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void MeanPolicyGivesOneDeterministicPathAndSamplingDoesNot()
    {
        torch.manual_seed(6);
        var m = new RecurrentAttentionModel(Tiny() with { FirstLocation = RamFirstLocation.Centre, TestPolicy = RamTestPolicy.Mean });
        m.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = torch.rand(5, 1, 20, 20);
        var a = m.Rollout(images, meanPolicy: true);
        var b = m.Rollout(images, meanPolicy: true);
        Assert.Equal(0.0, (a.Locations - b.Locations).abs().max().item<float>());
        Assert.Equal(0.0, (a.LogProbs - b.LogProbs).abs().max().item<float>());
        var s = m.Rollout(images);
        Assert.True((a.Locations - s.Locations).abs().max().item<float>() > 0);
        // the mean path's locations are the policy means, reproduced step by step by hand
        var c = torch.zeros(5, 32); var h = torch.zeros(5, 32);
        var l = torch.zeros(5, 2);
        for (int t = 0; t < 3; t++)
        {
            Assert.True((a.Locations.select(1, t) - l).abs().max().item<float>() < 1e-6);
            (h, c) = m.Core.Forward(m.Glimpse.Forward(m.Glimpse.Sensor.Extract(images, l), l), h, c);
            l = m.Location.Mean(h);
        }
        // RamTask follows the options' test policy by default: M = 3 mean paths equal one
        var task = new RamTask(m) { EvalSamples = 3 };
        Assert.Equal(RamTestPolicy.Mean, task.EvalPolicy);
        var labels = torch.tensor(new long[] { 0, 1, 2, 3, 0 });
        var one = new RamTask(m).EvalStep(new ImageBatch(images, labels)).Loss.item<float>();
        Assert.Equal(one, task.EvalStep(new ImageBatch(images, labels)).Loss.item<float>(), 5);
    }

    [Fact]
    public void ProbabilityRewardIsTheTrueClassProbabilityAndCorrectRewardIsZeroOne()
    {
        var r = RecurrentAttentionModelTests.HandRollout();
        var labels = torch.tensor(new long[] { 0, 0 });
        var (_, _, _, correct) = RamTask.Losses(r, labels);
        Assert.Equal(new double[] { 1, 0 }, correct.data<double>().ToArray());
        var (_, mse, reinforce, p) = RamTask.Losses(r, labels, RamReward.Probability);
        var pv = p.data<double>().ToArray();
        Assert.Equal(0.7, pv[0], 12);
        Assert.Equal(0.2, pv[1], 12);
        // baseline error and REINFORCE against the reward R = (0.7, 0.2), written out
        Assert.Equal((Math.Pow(0.5 - 0.7, 2) + Math.Pow(0.25 - 0.7, 2) + Math.Pow(0.75 - 0.2, 2) + Math.Pow(1.0 - 0.2, 2)) / 4, mse.item<double>(), 12);
        double b0 = -(-1.0 * (0.7 - 0.5) + -2.0 * (0.7 - 0.25)), b1 = -(-0.5 * (0.2 - 0.75) + -0.25 * (0.2 - 1.0));
        Assert.Equal((b0 + b1) / 2, reinforce.item<double>(), 12);
    }

    [Theory]
    [InlineData(28, 8, 1, "rnn", "uniform", true, 0.1)]
    [InlineData(60, 12, 3, "lstm", "centre", true, 0.1)]
    [InlineData(100, 12, 4, "lstm", "uniform", true, 1.0)]
    public void RecommendedKeepsThePapersSensorAndAddsTheMeasuredPolicyChoices(int side, int patch, int scales, string core, string first, bool toCore, double weight)
    {
        var o = RamOptions.Recommended(side, side, glimpses: 8);
        Assert.Equal((patch, scales, 8), (o.Patch, o.Scales, o.Glimpses));
        Assert.Equal((core, "probability", "mean", first), (Variant.Name(o.Core), Variant.Name(o.Reward), Variant.Name(o.TestPolicy), Variant.Name(o.FirstLocation)));
        Assert.Equal((0, toCore, weight), (o.LocationHidden, o.PolicyGradientToCore, o.ReinforceWeight));
        var paper = RamOptions.ForImage(side, side);
        Assert.Equal((RamCore.Rnn, RamReward.Correct, RamTestPolicy.Sample, RamFirstLocation.Uniform), (paper.Core, paper.Reward, paper.TestPolicy, paper.FirstLocation));
    }

    [Fact]
    public void TheReinforceWeightFollowsWhereThePolicyGradientGoesUnlessGiven()
    {
        Assert.Equal((true, 1.0), Resolved(new RamTrainSpec(Task: "cluttered100"), 100));
        Assert.Equal((true, 0.1), Resolved(new RamTrainSpec(Task: "translated"), 60));
        Assert.Equal((false, 0.01), Resolved(new RamTrainSpec(Task: "translated", PolicyGradientToCore: false), 60));
        Assert.Equal((true, 0.1), Resolved(new RamTrainSpec(Task: "translated", PolicyGradientToCore: true), 60));
        Assert.Equal((true, 1.0), Resolved(new RamTrainSpec(Task: "translated", ReinforceWeight: 1), 60));
        Assert.Equal((false, 0.01), Resolved(new RamTrainSpec(Task: "cluttered100", PolicyGradientToCore: false), 100));
        Assert.Equal((true, 0.1), Resolved(new RamTrainSpec(Task: "cluttered100", ReinforceWeight: 0.1), 100));
        static (bool, double) Resolved(RamTrainSpec spec, int side)
        {
            var o = spec.Resolve(side, side, 10);
            return (o.PolicyGradientToCore, o.ReinforceWeight);
        }
    }

    [Fact]
    public void OptionsWithoutTheNewFieldsReadAsTheEarlierModel()
    {
        // a RamOptions record as checkpoints before issue 21 wrote it
        const string old = """{"Height":60,"Width":60,"Channels":1,"Classes":10,"Patch":12,"Scales":3,"Glimpses":6,"GlimpseHidden":128,"GlimpseOut":256,"CoreHidden":256,"Core":"lstm","LocationStd":0.1,"ReinforceWeight":0.01}""";
        var o = JsonSerializer.Deserialize<RamOptions>(old, Checkpoint.Json)!;
        Assert.Equal((0, false, RamFirstLocation.Uniform, RamTestPolicy.Sample, RamReward.Correct), (o.LocationHidden, o.PolicyGradientToCore, o.FirstLocation, o.TestPolicy, o.Reward));
        var back = JsonSerializer.Deserialize<RamOptions>(JsonSerializer.Serialize(o with { LocationHidden = 64, PolicyGradientToCore = true, FirstLocation = RamFirstLocation.Learned, TestPolicy = RamTestPolicy.Mean }, Checkpoint.Json), Checkpoint.Json)!;
        Assert.Equal((64, true, RamFirstLocation.Learned, RamTestPolicy.Mean), (back.LocationHidden, back.PolicyGradientToCore, back.FirstLocation, back.TestPolicy));
    }

    [Fact]
    public void SeveralTrainPathsUseTheOtherPathsMeanRewardAsBaseline()
    {
        // two images, three paths each (rows 0-2 image 0, rows 3-5 image 1), two decisions per path
        var probs = new double[] { 0.9, 0.1, 0.6, 0.4, 0.3, 0.7, 0.2, 0.8, 0.5, 0.5, 0.4, 0.6 };
        var logPi = new double[] { -1, -2, -0.5, -0.25, -3, -1.5, -0.1, -0.2, -2, -1, -0.7, -0.3 };
        var r = new RamRollout(torch.log(torch.tensor(probs, [6, 2])), torch.tensor(logPi, [6, 2]),
            torch.full(6, 2, 0.5, dtype: ScalarType.Float64), torch.zeros(6, 3, 2), null);
        var labels = torch.zeros(6, dtype: ScalarType.Int64);
        var (_, mse, reinforce, reward) = RamTask.Losses(r, labels, RamReward.Probability, paths: 3);
        var rv = reward.data<double>().ToArray();
        Assert.Equal(new[] { 0.9, 0.6, 0.3, 0.2, 0.5, 0.4 }, rv.Select(v => Math.Round(v, 12)).ToArray());
        // written out: advantage of path j = R_j - mean of the image's other two rewards; the same for both decisions
        double want = 0;
        for (int i = 0; i < 6; i++)
        {
            int g = i / 3 * 3;
            double others = (Enumerable.Range(g, 3).Sum(k => rv[k]) - rv[i]) / 2;
            want += -(logPi[2 * i] + logPi[2 * i + 1]) * (rv[i] - others);
        }
        Assert.Equal(want / 6, reinforce.item<double>(), 12);
        // the learned baseline is still fit to the reward
        Assert.Equal(rv.Sum(v => 2 * Math.Pow(0.5 - v, 2)) / 12, mse.item<double>(), 12);
        // each entry is the mean of its group's other entries
        var flat = RamTask.LeaveOneOutMean(torch.tensor(new double[] { 0.4, 0.4, 0.4, 1, 0, 0.5 }), 3).data<double>().ToArray();
        Assert.Equal(new[] { 0.4, 0.4, 0.4, 0.25, 0.75, 0.5 }, flat.Select(v => Math.Round(v, 12)).ToArray());
        Assert.Throws<ArgumentException>(() => RamTask.Losses(r, labels, RamReward.Probability, paths: 4));
    }

    [Fact]
    public void TrainStepRollsEachImageOutOncePerPathWithTheCopiesAdjacent()
    {
        var x = torch.arange(3).view(3, 1);
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2 }, RamTask.RepeatPaths(x, 2).view(-1).data<long>().ToArray());
        torch.manual_seed(8);
        var m = new RecurrentAttentionModel(Tiny() with { TrainPaths = 3, Reward = RamReward.Probability }); // graded: paths of one image differ
        using var scope = NewDisposeScope();
        var (images, labels) = Batch(4);
        var step = new RamTask(m).TrainStep(new ImageBatch(images, labels));
        Assert.Equal(12, step.Examples); // 4 images x 3 paths
        step.Loss.backward();
        Assert.True(m.Location.named_parameters().First(p => p.name == "mean.weight").parameter.grad!.abs().sum().item<float>() > 0);
        Assert.Contains("TrainPaths must be in 1..64; got 0", Assert.Throws<ArgumentException>(() => (Tiny() with { TrainPaths = 0 }).Validate()).Message);
    }

    [Theory]
    [InlineData("LocationHidden", "LocationHidden must be >= 0")]
    [InlineData("FirstLocation", "FirstLocation must be one of uniform, centre, learned; got 3")]
    [InlineData("TestPolicy", "TestPolicy must be one of sample, mean; got 2")]
    [InlineData("Reward", "Reward must be one of correct, probability; got 9")]
    public void BadPolicyOptionsNameTheProperty(string property, string message)
    {
        var o = property switch
        {
            "LocationHidden" => Tiny() with { LocationHidden = -1 },
            "FirstLocation" => Tiny() with { FirstLocation = (RamFirstLocation)3 },
            "Reward" => Tiny() with { Reward = (RamReward)9 },
            _ => Tiny() with { TestPolicy = (RamTestPolicy)2 },
        };
        var e = Assert.Throws<ArgumentException>(() => o.Validate());
        Assert.Contains(message, e.Message);
    }
}
