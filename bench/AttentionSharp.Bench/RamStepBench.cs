using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// Where one RAM training step's time goes (issue 21): for a batch of B random canvases, the time of the glimpse sensor
/// alone (one summed-area table and N extractions; the table alone too), the whole rollout forward, the backward pass and the Adam step, per canvas size, in one process.
/// Also times the sensor's reference implementation (<see cref="GlimpseSensor.ExtractByCrops"/>, the crop-gather-pool
/// path) against the summed-area-table path now used (<see cref="GlimpseSensor.Extract(Tensor, Tensor)"/>), and prints their ratio.
/// Arguments: <c>[--seconds S]</c> per measurement (default 2), <c>[--batch B]</c> (default 64), <c>[--sizes 60,100]</c>,
/// <c>[--glimpses N]</c> (default 6), <c>[--core rnn|lstm]</c> (default lstm).
/// Ends with one line per size: <c>ram-step SIZE: step_ms=... sensor_share=... sensor_crops/sensor_sat=...</c>.
/// </summary>
public static class RamStepBench
{
    /// <summary>Runs the benchmark.</summary>
    static readonly System.CommandLine.Option<double> SecondsOption = BenchOptions.Seconds(2);
    static readonly System.CommandLine.Option<int> BatchOption = BenchOptions.Batch(64);
    static readonly System.CommandLine.Option<int> GlimpsesOption = BenchOptions.Range("glimpses", 6, 1, 100, "glimpses per image");
    static readonly System.CommandLine.Option<string> CoreOption = BenchOptions.Of("core", "lstm", "core network: rnn or lstm");
    static readonly System.CommandLine.Option<int[]> SizesOption = new("--sizes")
    {
        Description = "canvas sides, e.g. --sizes 60 100", DefaultValueFactory = _ => [60, 100], AllowMultipleArgumentsPerToken = true,
        CustomParser = r =>
        {
            var parts = r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
            var sizes = parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0).ToArray();
            if (sizes.Length == 0 || sizes.Any(v => v < 28)) r.AddError($"--sizes wants canvas sides of at least 28, e.g. --sizes 60,100; got '{string.Join(",", parts)}'");
            return sizes;
        },
    };

    /// <summary>The <c>ram-step</c> verb.</summary>
    public static System.CommandLine.Command Command
    {
        get
        {
            CoreOption.AcceptOnlyFromAmong(AttentionSharp.Training.Variant.Names<RamCore>());
            return BenchOptions.Verb("ram-step", "where a RAM training step's time goes: sensor (summed-area table vs crop-gather-pool), forward, backward, Adam",
                r => Run(r.GetValue(SecondsOption), r.GetValue(BatchOption), r.GetValue(GlimpsesOption), r.GetValue(CoreOption)!, r.GetValue(SizesOption)!),
                SecondsOption, BatchOption, GlimpsesOption, CoreOption, SizesOption);
        }
    }

    /// <summary>Runs the benchmark.</summary>
    public static int Run(double seconds, int batch, int glimpses, string core, int[] sizes)
    {
        Console.WriteLine($"threads {torch.get_num_threads()}, batch {batch}, {glimpses} glimpses, core {core}");
        Console.WriteLine($"{"size",-8} {"table ms",9} {"sensor ms",10} {"sensor(crops) ms",17} {"forward ms",11} {"backward ms",12} {"adam ms",8} {"step ms",8}");
        var lines = new List<string>();
        foreach (int size in sizes)
        {
            torch.manual_seed(1);
            var o = RamOptions.ForImage(size, size, glimpses) with { Core = AttentionSharp.Training.Variant.Parse<RamCore>(core, "core") };
            var model = new RecurrentAttentionModel(o);
            var task = new RamTask(model);
            var opt = torch.optim.Adam(model.parameters(), 1e-3);
            using var images = torch.rand(batch, 1, size, size);
            using var labels = torch.randint(0, 10, batch, dtype: ScalarType.Int64);
            using var locs = torch.rand(batch, 2) * 2 - 1;
            var sensor = model.Glimpse.Sensor;
            double tableMs = Time(() => sensor.SummedArea(images), seconds);
            double sensorMs = Time(() => { var table = sensor.SummedArea(images); for (int t = 0; t < glimpses; t++) sensor.Extract(table, locs); }, seconds);
            double cropsMs = Time(() => { for (int t = 0; t < glimpses; t++) sensor.ExtractByCrops(images, locs); }, seconds);
            double fwdMs = Time(() => RamTask.Losses(model.Rollout(images), labels), seconds);
            double fwdBwdMs = Time(() =>
            {
                opt.zero_grad();
                var (nll, mse, reinforce, _) = RamTask.Losses(model.Rollout(images), labels);
                (nll + mse + o.ReinforceWeight * reinforce).backward();
            }, seconds);
            double stepMs = Time(() =>
            {
                opt.zero_grad();
                var (nll, mse, reinforce, _) = RamTask.Losses(model.Rollout(images), labels);
                (nll + mse + o.ReinforceWeight * reinforce).backward();
                opt.step();
            }, seconds);
            double bwd = fwdBwdMs - fwdMs, adam = stepMs - fwdBwdMs;
            Console.WriteLine($"{size + "x" + size,-8} {tableMs,9:0.00} {sensorMs,10:0.00} {cropsMs,17:0.00} {fwdMs,11:0.00} {bwd,12:0.00} {adam,8:0.00} {stepMs,8:0.00}");
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"ram-step {size}: step_ms={stepMs:0.00} sensor_share={sensorMs / stepMs:0.000} sensor_crops/sensor_sat={cropsMs / sensorMs:0.00}"));
            opt.Dispose(); model.Dispose();
        }
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    /// <summary>Mean milliseconds of <paramref name="body"/> (each call in its own dispose scope) over about <paramref name="seconds"/>, after 2 warm-up calls.</summary>
    static double Time(Action body, double seconds)
    {
        for (int i = 0; i < 2; i++) { using var scope = torch.NewDisposeScope(); body(); }
        var sw = Stopwatch.StartNew();
        int reps = 0;
        while (sw.Elapsed.TotalSeconds < seconds || reps < 3) { using var scope = torch.NewDisposeScope(); body(); reps++; }
        return sw.Elapsed.TotalMilliseconds / reps;
    }
}
