using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Models.RecurrentAttention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// Cost versus image size (Mnih et al. 2014's claim): inference throughput of RAM (6 glimpses, 12x12 x3 scales, the same
/// sensor at every size) and of the conv baseline at 60x60, 100x100, 200x200 and 400x400, in one process.
/// Ends with <c>ram-scaling: ram_400/ram_60=R1 conv_400/conv_60=R2</c> (throughput ratios).
/// Arguments: <c>[--seconds S]</c> per measurement (default 1.5), <c>[--batch B]</c> (default 64).
/// </summary>
public static class RamScalingBench
{
    /// <summary>Runs the benchmark; prints a table and the final ratio line.</summary>
    static readonly System.CommandLine.Option<double> SecondsOption = BenchOptions.Seconds(1.5);
    static readonly System.CommandLine.Option<int> BatchOption = BenchOptions.Batch(64);

    /// <summary>The <c>ram-scaling</c> verb: <c>--seconds S --batch B</c>.</summary>
    public static System.CommandLine.Command Command => BenchOptions.Verb("ram-scaling", "RAM and conv-baseline inference images/s as the canvas grows from 60x60 to 400x400",
        r => Run(r.GetValue(SecondsOption), r.GetValue(BatchOption)), SecondsOption, BatchOption);

    /// <summary>Runs the benchmark.</summary>
    public static int Run(double seconds, int batch)
    {
        int[] sizes = [60, 100, 200, 400];
        var ram = new Dictionary<int, double>();
        var conv = new Dictionary<int, double>();
        torch.manual_seed(1);
        foreach (int size in sizes)
        {
            var r = new RecurrentAttentionModel(new RamOptions(Height: size, Width: size, Patch: 12, Scales: 3, Glimpses: 6));
            var c = new BaselineClassifier(new BaselineOptions(Model: BaselineModel.Conv, Height: size, Width: size));
            r.eval(); c.eval();
            using var x = torch.rand(batch, 1, size, size);
            ram[size] = Throughput(() => r.forward(x), batch, seconds);
            conv[size] = Throughput(() => c.forward(x), batch, seconds);
            r.Dispose(); c.Dispose();
        }
        Console.WriteLine($"{"size",-9} {"RAM images/s",14} {"conv images/s",14} {"pixels",9}");
        foreach (int s in sizes) Console.WriteLine($"{s + "x" + s,-9} {ram[s],14:0} {conv[s],14:0} {s * s,9}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ram-scaling: ram_400/ram_60={ram[400] / ram[60]:0.000} conv_400/conv_60={conv[400] / conv[60]:0.000}"));
        return 0;
    }

    static double Throughput(Func<Tensor> forward, int batch, double seconds)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < 2; i++) { using var scope = torch.NewDisposeScope(); forward(); }
        var sw = Stopwatch.StartNew();
        int reps = 0;
        while (sw.Elapsed.TotalSeconds < seconds) { using var scope = torch.NewDisposeScope(); forward(); reps++; }
        return reps * batch / sw.Elapsed.TotalSeconds;
    }
}
