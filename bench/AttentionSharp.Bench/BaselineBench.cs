using System.Diagnostics;
using AttentionSharp.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>Inference throughput of the fc and conv baselines at 28x28: a smoke benchmark of the harness.</summary>
public static class BaselineBench
{
    /// <summary>Runs the benchmark; prints a table and a final summary line.</summary>
    /// <summary>The <c>baseline</c> verb.</summary>
    public static System.CommandLine.Command Command => BenchOptions.Verb("baseline", "inference images/s of the FC and conv baselines on 28x28", _ => Run());

    /// <summary>Runs the benchmark.</summary>
    public static int Run()
    {
        torch.manual_seed(1);
        var rows = new List<(string Model, double ImagesPerSecond)>();
        foreach (var kind in Enum.GetValues<BaselineModel>())
        {
            var model = new BaselineClassifier(new BaselineOptions(Model: kind));
            model.eval();
            using var x = torch.rand(256, 1, 28, 28);
            using (torch.no_grad())
            {
                for (int i = 0; i < 3; i++) model.forward(x).Dispose();
                var sw = Stopwatch.StartNew();
                int reps = 0;
                while (sw.Elapsed.TotalSeconds < 1.0) { model.forward(x).Dispose(); reps++; }
                rows.Add((AttentionSharp.Training.Variant.Name(kind), reps * 256 / sw.Elapsed.TotalSeconds));
            }
        }
        Console.WriteLine($"{"model",-6} {"images/s",12}");
        foreach (var r in rows) Console.WriteLine($"{r.Model,-6} {r.ImagesPerSecond,12:0}");
        Console.WriteLine($"baseline: conv/fc={rows[1].ImagesPerSecond / rows[0].ImagesPerSecond:0.00}");
        return 0;
    }
}
