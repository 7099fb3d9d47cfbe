using System.CommandLine;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// The TorchSharp Scalar/GC race, reproduced and measured: optimiser steps over many small parameters while another
/// thread forces garbage collections, counting the native errors of TorchSharp's optimisers against ours
/// (<c>AttentionSharp.Training.Optimizers</c>, every Scalar held for its call). Same parameters, gradients and steps for both.
/// </summary>
public static class GcStressBench
{
    static readonly Option<int> StepsOption = BenchOptions.Range("steps", 2000, 1, 10_000_000, "optimiser steps per optimiser");
    static readonly Option<int> ParamsOption = BenchOptions.Range("params", 64, 1, 100_000, "parameter tensors (each 4x4)");
    static readonly Option<string> OptimizerOption = BenchOptions.Of("optimizer", "adam", "adam, adamw, sgd or rmsprop");

    /// <summary>The <c>gc-stress</c> verb.</summary>
    public static Command Command
    {
        get
        {
            OptimizerOption.AcceptOnlyFromAmong("adam", "adamw", "sgd", "rmsprop");
            return BenchOptions.Verb("gc-stress", "optimiser steps under forced garbage collections: native errors of TorchSharp's optimisers vs ours",
                r => Run(r.GetValue(StepsOption), r.GetValue(ParamsOption), r.GetValue(OptimizerOption)!), StepsOption, ParamsOption, OptimizerOption);
        }
    }

    static optim.Optimizer Create(string name, bool ours, List<Parameter> p) => (name, ours) switch
    {
        ("adam", false) => optim.Adam(p, 1e-3, weight_decay: 1e-4),
        ("adam", true) => new AttentionSharp.Training.Optimizers.Adam(p, 1e-3, weightDecay: 1e-4),
        ("adamw", false) => optim.AdamW(p, 1e-3, weight_decay: 1e-2),
        ("adamw", true) => new AttentionSharp.Training.Optimizers.AdamW(p, 1e-3, weightDecay: 1e-2),
        ("sgd", false) => optim.SGD(p, 1e-3, momentum: 0.9, weight_decay: 1e-4),
        ("sgd", true) => new AttentionSharp.Training.Optimizers.SGD(p, 1e-3, momentum: 0.9, weightDecay: 1e-4),
        ("rmsprop", false) => optim.RMSProp(p, 1e-3, momentum: 0.9, weight_decay: 1e-4),
        _ => new AttentionSharp.Training.Optimizers.RMSProp(p, 1e-3, momentum: 0.9, weightDecay: 1e-4),
    };

    /// <summary>Runs both optimisers; prints errors per optimiser and the ratio line.</summary>
    public static int Run(int steps, int count, string name)
    {
        Console.WriteLine($"gc-stress: {name}, {count} parameters of 4x4, {steps} steps each, a thread calling GC.Collect() in a loop; TorchSharp {typeof(torch).Assembly.GetName().Version}");
        var errors = new Dictionary<bool, int>();
        foreach (bool ours in new[] { false, true })
        {
            torch.manual_seed(1);
            var p = Enumerable.Range(0, count).Select(_ => new Parameter(torch.randn(4, 4))).ToList();
            foreach (var q in p) q.grad = torch.randn(4, 4);
            using var opt = Create(name, ours, p);
            var collections = new ForcedCollections();
            int failed = 0;
            string? first = null;
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                try { opt.step(); }
                catch (System.Runtime.InteropServices.ExternalException e) { failed++; first ??= e.Message.Split('\n')[0] + (Environment.GetEnvironmentVariable("GC_STRESS_TRACE") == "1" ? "\n" + e.StackTrace : ""); }
            }
            collections.Dispose();
            errors[ours] = failed;
            Console.WriteLine($"{(ours ? "ours (Scalars held)" : "TorchSharp's"),-22} native errors {failed,6} of {steps} steps ({clock.Elapsed.TotalSeconds:F1} s){(first != null ? $"; first: {first}" : "")}");
        }
        Console.WriteLine($"gc-stress: optimizer={name} steps={steps} torchsharp_errors={errors[false]} ours_errors={errors[true]}");
        return errors[true] == 0 ? 0 : 1;
    }
}
