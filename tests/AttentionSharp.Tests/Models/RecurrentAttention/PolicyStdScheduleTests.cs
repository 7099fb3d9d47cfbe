using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

/// <summary>The optional linear schedule of the location policy's std (<c>--std-final</c>).</summary>
public class PolicyStdScheduleTests
{
    static RamOptions Tiny(double final = 0) => new(Height: 20, Width: 20, Classes: 4, Patch: 4, Scales: 2, Glimpses: 4,
        GlimpseHidden: 8, GlimpseOut: 16, CoreHidden: 16, LocationStd: 0.2, ReinforceWeight: 0.01, LocationStdFinal: final);

    [Fact]
    public void StdIsFixedWithoutAFinalValueAndLinearWithOne()
    {
        Assert.Equal(0.2, Tiny().StdAt(1, 10));
        Assert.Equal(0.2, Tiny().StdAt(10, 10));
        Assert.Equal(0.2, Tiny().FinalStd);
        var s = Tiny(0.05);
        Assert.Equal(0.05, s.FinalStd);
        Assert.Equal(0.2, s.StdAt(1, 4), 12);
        Assert.Equal(0.15, s.StdAt(2, 4), 12);   // 0.2 + (0.05 - 0.2) * 1/3
        Assert.Equal(0.10, s.StdAt(3, 4), 12);
        Assert.Equal(0.05, s.StdAt(4, 4), 12);
        Assert.Equal(0.05, s.StdAt(1, 1), 12);   // a one-epoch run trains at the final std
        Assert.Equal(0.05, s.StdAt(7, 4), 12);   // epochs past the schedule (a longer resume) stay at the end
        Assert.Throws<ArgumentException>(() => s.StdAt(0, 4));
        Assert.Contains("final location std", Assert.Throws<ArgumentException>(() => Tiny(-0.1).Validate()).Message);
        Assert.Contains("final location std", Assert.Throws<ArgumentException>(() => Tiny(3).Validate()).Message);
    }

    [Fact]
    public void AShorterHorizonEndsTheFallAtItsEpochWhateverTheCeiling()
    {
        var s = Tiny(0.05) with { LocationStdEpochs = 4 };
        foreach (int ceiling in new[] { 4, 10, 200 })
        {
            Assert.Equal(0.2, s.StdAt(1, ceiling), 12);
            Assert.Equal(0.15, s.StdAt(2, ceiling), 12);   // 0.2 + (0.05 - 0.2) * 1/3, as over 4 epochs above
            Assert.Equal(0.10, s.StdAt(3, ceiling), 12);
            Assert.Equal(0.05, s.StdAt(4, ceiling), 12);
            Assert.Equal(0.05, s.StdAt(5, ceiling), 12);   // after the horizon the std stays at the final value
            Assert.Equal(0.05, s.StdAt(ceiling, ceiling), 12);
        }
        // A horizon beyond a short run: the run ends part of the way down, on the same line.
        Assert.Equal(0.15, s.StdAt(2, 2), 12);
        Assert.Equal(0.05, (Tiny(0.05) with { LocationStdEpochs = 1 }).StdAt(1, 10), 12);
        Assert.Contains("first 4 epochs", s.StdScheduleText);
        Assert.Equal("", Tiny().StdScheduleText);
        s.Validate();
        Assert.Contains("epochs of the std schedule", Assert.Throws<ArgumentException>(() => (Tiny(0.05) with { LocationStdEpochs = -1 }).Validate()).Message);
        var noFinal = Assert.Throws<ArgumentException>(() => (Tiny() with { LocationStdEpochs = 5 }).Validate()).Message;
        Assert.Contains("--std-final", noFinal);
        // Without a horizon the checkpoint options are as before; with one it is kept.
        Assert.False(System.Text.Json.JsonSerializer.SerializeToNode(Tiny(0.05), Checkpoint.Json)!.AsObject().ContainsKey(nameof(RamOptions.LocationStdEpochs)));
        Assert.Equal(4, System.Text.Json.JsonSerializer.SerializeToNode(s, Checkpoint.Json)![nameof(RamOptions.LocationStdEpochs)]!.GetValue<int>());
    }

    [Fact]
    public void FixedStdRunsKeepTheirCheckpointOptionsUnchanged()
    {
        // Runs trained before the schedule existed must still resume: a fixed std writes no new key.
        var fixedJson = System.Text.Json.JsonSerializer.SerializeToNode(Tiny(), Checkpoint.Json)!.AsObject();
        Assert.False(fixedJson.ContainsKey(nameof(RamOptions.LocationStdFinal)));
        var scheduled = System.Text.Json.JsonSerializer.SerializeToNode(Tiny(0.05), Checkpoint.Json)!.AsObject();
        Assert.Equal(0.05, scheduled[nameof(RamOptions.LocationStdFinal)]!.GetValue<double>());
    }

    /// <summary>Mean over the batch and steps of log pi(l_t): for a Gaussian in 2-D it is <c>2 (-1/2 - log sigma - log(2 pi)/2)</c>.</summary>
    static double MeanPolicyLogProb(RecurrentAttentionModel m)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return m.Rollout(torch.rand(512, 1, 20, 20)).PolicyLogProbs.mean().item<float>();
    }

    [Fact]
    public void RolloutSamplesWithThePolicyStdInForce()
    {
        torch.manual_seed(3);
        var m = new RecurrentAttentionModel(Tiny(0.05));
        Assert.Equal(0.05, m.PolicyStd);   // a built model evaluates at the end-of-training std
        foreach (double std in new[] { 0.01, 0.5 })
        {
            m.PolicyStd = std;
            double want = 2 * (-0.5 - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI));
            Assert.InRange(MeanPolicyLogProb(m), want - 0.15, want + 0.15);
        }
        Assert.Throws<ArgumentException>(() => m.PolicyStd = 0);
    }

    /// <summary>Records the order of the trainer's calls and the std in force at each.</summary>
    sealed class Recorder(RamTask inner, RecurrentAttentionModel net) : ITrainable<ImageBatch>, IEpochAware
    {
        public readonly List<string> Calls = [];
        public nn.Module Model => inner.Model;
        public void BeginEpoch(int epoch) { inner.BeginEpoch(epoch); Calls.Add($"begin {epoch}"); }
        public StepOutput TrainStep(ImageBatch batch) { Record("train"); return inner.TrainStep(batch); }
        public StepOutput EvalStep(ImageBatch batch) { Record("eval"); return inner.EvalStep(batch); }
        void Record(string what)
        {
            string call = $"{what} {net.PolicyStd:0.###}";
            if (Calls.Count == 0 || Calls[^1] != call) Calls.Add(call);
        }
    }

    [Fact]
    public void TrainerSetsEachEpochsStdBeforeItsTrainingAndValidation()
    {
        torch.manual_seed(2);
        var net = new RecurrentAttentionModel(Tiny(0.05));
        var rec = new Recorder(new RamTask(net) { Epochs = 3 }, net);
        var data = AttentionSharp.Tests.Training.TinyData.Halves(64, 1, size: 20);
        new Trainer<ImageBatch>(new TrainerOptions { Epochs = 3, BatchSize = 32, Seed = 2 })
            .Fit(rec, ModelIdentity.Of("ram", net.Options), data, data, new Silent());
        Assert.Equal(new[] { "begin 1", "train 0.2", "eval 0.2", "begin 2", "train 0.125", "eval 0.125", "begin 3", "train 0.05", "eval 0.05" }, rec.Calls);
    }

    sealed class Silent : ITrainingProgress
    {
        public void StartEpoch(int epoch, int epochs, int batches) { }
        public void Step(int batch, double loss) { }
        public void EndEpoch(EpochRecord record) { }
        public void Message(string text) { }
    }
}
