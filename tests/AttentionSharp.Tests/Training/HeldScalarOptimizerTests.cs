using AttentionSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Training;

public class HeldScalarOptimizerTests
{
    static List<Parameter> Params(long seed)
    {
        torch.manual_seed(seed);
        return [new Parameter(torch.randn(7, 5)), new Parameter(torch.randn(5)), new Parameter(torch.randn(3, 2, 2))];
    }

    /// <summary>Runs 100 steps of both optimisers on equal parameters with equal (seeded random) gradients.</summary>
    static double MaxDifference(Func<List<Parameter>, optim.Optimizer> ours, Func<List<Parameter>, optim.Optimizer> theirs, bool changeLr = false)
    {
        var a = Params(1);
        var b = Params(1);
        using var oa = ours(a);
        using var ob = theirs(b);
        var rng = new Generator(5);
        for (int step = 1; step <= 100; step++)
        {
            using var scope = torch.NewDisposeScope();
            for (int i = 0; i < a.Count; i++)
            {
                var g = torch.randn(a[i].shape, generator: rng);
                a[i].grad = g.clone();
                b[i].grad = g.clone();
            }
            if (changeLr && step == 50)
                foreach (var (ga, gb) in oa.ParamGroups.Zip(ob.ParamGroups)) { ga.LearningRate *= 0.1; gb.LearningRate *= 0.1; }
            oa.step();
            ob.step();
        }
        return a.Zip(b).Max(p => (p.First - p.Second).abs().max().item<float>());
    }

    public static TheoryData<string> Configurations => ["adam", "adam-wd", "adam-amsgrad", "adamw", "adamw-amsgrad", "sgd", "sgd-momentum", "sgd-nesterov",
        "rmsprop", "rmsprop-centered-momentum"];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EqualTorchSharpsOptimisersOver100Steps(string config)
    {
        (Func<List<Parameter>, optim.Optimizer> Ours, Func<List<Parameter>, optim.Optimizer> Theirs) pair = config switch
        {
            "adam" => (p => new AttentionSharp.Training.Optimizers.Adam(p, 0.01), p => optim.Adam(p, 0.01)),
            "adam-wd" => (p => new AttentionSharp.Training.Optimizers.Adam(p, 0.01, weightDecay: 0.1), p => optim.Adam(p, 0.01, weight_decay: 0.1)),
            "adam-amsgrad" => (p => new AttentionSharp.Training.Optimizers.Adam(p, 0.01, amsgrad: true, maximize: true), p => optim.Adam(p, 0.01, amsgrad: true, maximize: true)),
            "adamw" => (p => new AttentionSharp.Training.Optimizers.AdamW(p, 0.01, weightDecay: 0.05), p => optim.AdamW(p, 0.01, weight_decay: 0.05)),
            "adamw-amsgrad" => (p => new AttentionSharp.Training.Optimizers.AdamW(p, 0.01, weightDecay: 0.05, amsgrad: true), p => optim.AdamW(p, 0.01, weight_decay: 0.05, amsgrad: true)),
            "sgd" => (p => new AttentionSharp.Training.Optimizers.SGD(p, 0.05), p => optim.SGD(p, 0.05)),
            "sgd-momentum" => (p => new AttentionSharp.Training.Optimizers.SGD(p, 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01), p => optim.SGD(p, 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01)),
            "sgd-nesterov" => (p => new AttentionSharp.Training.Optimizers.SGD(p, 0.05, momentum: 0.9, nesterov: true), p => optim.SGD(p, 0.05, momentum: 0.9, nesterov: true)),
            "rmsprop" => (p => new AttentionSharp.Training.Optimizers.RMSProp(p, 0.01), p => optim.RMSProp(p, 0.01)),
            "rmsprop-centered-momentum" => (p => new AttentionSharp.Training.Optimizers.RMSProp(p, 0.01, weightDecay: 0.01, momentum: 0.9, centered: true),
                p => optim.RMSProp(p, 0.01, weight_decay: 0.01, momentum: 0.9, centered: true)),
            _ => throw new ArgumentException(config),
        };
        double diff = MaxDifference(pair.Ours, pair.Theirs, changeLr: true);
        Assert.True(diff < 1e-6, $"{config}: max parameter difference {diff} after 100 steps");
        // The comparison can fail: a different rate gives different parameters.
        Assert.True(MaxDifference(p => pair.Ours(p), p => { var o = pair.Theirs(p); foreach (var g in o.ParamGroups) g.LearningRate *= 1.5; return o; }) > 1e-4);
    }

    [Fact]
    public void StateWrittenByTorchSharpsAdamLoadsIntoOursAndContinuesIdentically()
    {
        var a = Params(3);
        var b = Params(3);
        using var theirs = optim.Adam(a, 0.01);
        foreach (var p in a) p.grad = torch.ones_like(p);
        theirs.step();
        var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) theirs.save_state_dict(w);
        using (torch.no_grad()) foreach (var (pa, pb) in a.Zip(b)) pb.copy_(pa);
        using var ours = new AttentionSharp.Training.Optimizers.Adam(b, 0.01);
        stream.Position = 0;
        using (var r = new BinaryReader(stream)) ours.load_state_dict(r);
        foreach (var (pa, pb) in a.Zip(b)) { pa.grad = torch.full_like(pa, 0.5); pb.grad = torch.full_like(pb, 0.5); }
        theirs.step();
        ours.step();
        Assert.All(a.Zip(b), p => Assert.Equal(0f, (p.First - p.Second).abs().max().item<float>()));
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void OursSurviveStepsUnderForcedGarbageCollections(string name)
    {
        // bench gc-stress measured TorchSharp's Adam failing 187 of 2,000 such steps ("Expected false to be true" from a
        // freed Scalar); ours 0. A short version: 300 steps with a thread collecting garbage throughout.
        torch.manual_seed(1);
        var p = Enumerable.Range(0, 32).Select(_ => new Parameter(torch.randn(4, 4))).ToList();
        foreach (var q in p) q.grad = torch.randn(4, 4);
        using optim.Optimizer opt = name == "adam" ? new AttentionSharp.Training.Optimizers.Adam(p, 1e-3, weightDecay: 1e-4)
            : new AttentionSharp.Training.Optimizers.RMSProp(p, 1e-3, momentum: 0.9, weightDecay: 1e-4);
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() => { while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); } }) { IsBackground = true };
        collector.Start();
        var errors = new List<string>();
        try
        {
            for (int s = 0; s < 300; s++)
            {
                try { opt.step(); }
                catch (System.Runtime.InteropServices.ExternalException e) { errors.Add(e.Message.Split('\n')[0]); }
            }
        }
        finally { stop.Cancel(); collector.Join(); }
        Assert.True(errors.Count == 0, $"{errors.Count} native errors, first: {errors.FirstOrDefault()}");
    }
}
