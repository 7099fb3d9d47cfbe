using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// What the choice of convolution kernels costs (<see cref="OneDnn"/>: libtorch's oneDNN kernels gave wrong gradients on
/// AMD EPYC with AVX-512, so the library caps them at SSE4.1 there): one training step (forward, backward, Adam) of the
/// conv baseline on 100x100 and of a small Attention U-Net on 64x64, with oneDNN as configured in this process and with
/// oneDNN off (ATen's kernels), in the same process. Run it again with <c>ATTENTIONSHARP_ONEDNN=full</c> to time oneDNN
/// without the cap. Arguments: <c>[--seconds S]</c> per
/// measurement (default 2), <c>[--batch B]</c> (default 32). Ends with one line per model:
/// <c>conv MODEL: off_ms=... on_ms=... off/on=...</c>.
/// </summary>
public static class ConvBench
{
    /// <summary>Runs the benchmark.</summary>
    static readonly System.CommandLine.Option<double> SecondsOption = BenchOptions.Seconds(2);
    static readonly System.CommandLine.Option<int> BatchOption = BenchOptions.Batch(32);

    /// <summary>The <c>conv</c> verb: <c>--seconds S --batch B</c>.</summary>
    public static System.CommandLine.Command Command => BenchOptions.Verb("conv", "training-step time of the conv baseline and the Attention U-Net with libtorch's oneDNN off and on",
        r => Run(r.GetValue(SecondsOption), r.GetValue(BatchOption)), SecondsOption, BatchOption);

    /// <summary>Runs the benchmark.</summary>
    public static int Run(double seconds, int batch)
    {
        Console.WriteLine($"threads {torch.get_num_threads()}, batch {batch}; oneDNN at start: {OneDnn.State}");
        var models = new (string Name, Func<nn.Module<Tensor, Tensor>> Build, long[] Input)[]
        {
            ("baseline-conv-100", () => new BaselineClassifier(new BaselineOptions(Model: BaselineModel.Conv, Height: 100, Width: 100)), [batch, 1, 100, 100]),
            ("attention-unet-64", () => UNet2D.Create(new SegmentationOptions(SegmentationModel.AttentionUNet, Classes: 11, BaseFilters: 16, Depth: 3)).Module, [batch, 1, 64, 64]),
        };
        var lines = new List<string>();
        Console.WriteLine($"{"model",-20} {"oneDNN off ms",14} {"oneDNN on ms",13} {"off/on",7}   (on: {OneDnn.State})");
        foreach (var (name, build, shape) in models)
        {
            var ms = new Dictionary<bool, double>();
            foreach (bool on in new[] { false, true, false })
            {
                OneDnn.Set(on);
                torch.manual_seed(1);
                var model = build();
                var opt = optim.Adam(model.parameters(), 1e-3);
                using var x = torch.rand(shape);
                double t = Time(() =>
                {
                    opt.zero_grad();
                    model.forward(x).square().mean().backward();
                    opt.step();
                }, seconds);
                ms[on] = ms.TryGetValue(on, out var before) ? Math.Min(before, t) : t; // off measured twice, first and last: the faster counts
                opt.Dispose(); model.Dispose();
            }
            Console.WriteLine($"{name,-20} {ms[false],14:0.0} {ms[true],13:0.0} {ms[false] / ms[true],7:0.00}");
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"conv {name}: off_ms={ms[false]:0.0} on_ms={ms[true]:0.0} off/on={ms[false] / ms[true]:0.00}"));
        }
        OneDnn.Apply();
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    static double Time(Action step, double seconds)
    {
        for (int i = 0; i < 2; i++) using (torch.NewDisposeScope()) step();
        var sw = Stopwatch.StartNew();
        int n = 0;
        while (sw.Elapsed.TotalSeconds < seconds || n < 3) { using (torch.NewDisposeScope()) step(); n++; }
        return sw.Elapsed.TotalMilliseconds / n;
    }
}
