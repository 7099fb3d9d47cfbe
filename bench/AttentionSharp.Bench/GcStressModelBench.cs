using System.CommandLine;
using System.Diagnostics;
using AttentionSharp.Attention;
using AttentionSharp.Sequence;
using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// The Scalar/GC race on the library's own model code: forward and backward passes of the pieces that pass numbers to
/// libtorch (the glimpse sensor's clamps and index arithmetic, the masked softmax's fills, the CRF's masked scores and
/// forward algorithm) while another thread forces garbage collections, counting native errors. Built against two
/// commits, it measures what holding the library's Scalars (Native/HeldScalars) changed; TorchSharp's own operators
/// (<c>a + b</c>, <c>t * 0.5</c>) still make temporary Scalars inside TorchSharp in both.
/// </summary>
public static class GcStressModelBench
{
    static readonly Option<int> StepsOption = BenchOptions.Range("steps", 2000, 1, 10_000_000, "forward/backward steps");
    static readonly Option<int> BatchOption = BenchOptions.Range("batch", 8, 1, 4096, "examples per step");

    /// <summary>The <c>gc-stress-model</c> verb.</summary>
    public static Command Command =>
        BenchOptions.Verb("gc-stress-model", "model code (glimpse sensor, masked softmax, CRF) forward/backward under forced garbage collections: native errors",
            r => Run(r.GetValue(StepsOption), r.GetValue(BatchOption)), StepsOption, BatchOption);

    /// <summary>Runs the steps; prints the errors and the <c>gc-stress-model:</c> line; exit code 1 if any step failed.</summary>
    public static int Run(int steps, int batch)
    {
        Console.WriteLine($"gc-stress-model: {steps} steps of batch {batch} (glimpse sensor 100x100 x4 scales, masked softmax 4 heads 10x10, CRF 9 tags x 12 tokens), a thread calling GC.Collect() in a loop");
        torch.manual_seed(1);
        var sensor = new GlimpseSensor(12, 4, 100, 100);
        using var crf = new Crf(9);
        var images = torch.rand(batch, 1, 100, 100);
        var lengths = torch.randint(1, 13, batch);
        var mask = torch.arange(12).unsqueeze(0).lt(lengths.unsqueeze(1));           // (B, 12) prefixes
        var tags = torch.randint(0, 9, new long[] { batch, 12 });
        var attnMask = torch.rand(batch, 1, 10, 10).gt(0.3);
        var collections = new ForcedCollections();
        int failed = 0;
        string? first = null;
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            try
            {
                var locations = torch.empty(batch, 2).uniform_(-1, 1).requires_grad_(true);
                var glimpses = sensor.Extract(images, locations);
                var scores = torch.randn(batch, 4, 10, 10, requires_grad: true);
                var weights = AttentionKernel.MaskedSoftmax(scores, attnMask);
                var emissions = torch.randn(batch, 12, 9, requires_grad: true);
                // The bench's own arithmetic passes no number and uses no tensor operator, so every error is the library's (or TorchSharp's inside it).
                var terms = torch.stack([glimpses.sum(), weights.mul(weights).sum(), crf.LogPartition(emissions, mask).sum(), crf.Score(emissions, tags, mask).sum().neg()]);
                terms.sum().backward();
            }
            catch (System.Runtime.InteropServices.ExternalException e) { failed++; first ??= e.Message.Split('\n')[0] + (Environment.GetEnvironmentVariable("GC_STRESS_TRACE") == "1" ? "\n" + e.StackTrace : ""); if (Environment.GetEnvironmentVariable("GC_STRESS_TRACE") == "1") Console.Error.WriteLine(e.StackTrace?.Split('\n').Take(4).Aggregate((a, b) => a + " | " + b)); }
        }
        collections.Dispose();
        Console.WriteLine($"native errors {failed} of {steps} steps ({clock.Elapsed.TotalSeconds:F1} s){(first != null ? $"; first: {first}" : "")}");
        Console.WriteLine($"gc-stress-model: steps={steps} batch={batch} errors={failed}");
        return failed == 0 ? 0 : 1;
    }
}
