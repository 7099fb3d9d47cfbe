using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// Self-attention speed and memory: batch 4, 8 heads of 64 (E = 512), sequence 128 ... 4096; forward (no_grad) and forward+backward of
/// our MultiHeadAttention (fused path), ours with weights, the same projections around the raw scaled_dot_product_attention call,
/// TorchSharp's nn.MultiheadAttention, a naive softmax(QK^T)V layer, and a float32 matmul with the forward's FLOP count (roofline).
/// </summary>
public static class AttentionBench
{
    const int Batch = 4, Heads = 8, HeadDim = 64, Embed = Heads * HeadDim;

    static readonly Argument<int[]> Lengths = new("lengths") { Description = "sequence lengths (default: 128 256 512 1024 2048 4096)", Arity = ArgumentArity.ZeroOrMore };
    static readonly Option<int?> ProbeLength = new("--memory-probe") { Description = "internal: measure one length's peak memory in this process", Hidden = true };
    static readonly Option<string> ProbePath = new("--probe-path") { Description = "internal: the path the memory probe runs", Hidden = true, DefaultValueFactory = _ => "" };

    /// <summary>The <c>attention</c> verb: optional sequence lengths, e.g. <c>attention 128 512 2048</c>.</summary>
    public static Command Command => BenchOptions.Verb("attention", "self-attention speed and memory against TorchSharp's nn.MultiheadAttention, a naive layer and a matmul roofline",
        r => r.GetValue(ProbeLength) is int n ? MemoryProbe(n, r.GetValue(ProbePath) == "weights") : Run(r.GetValue(Lengths) is { Length: > 0 } l ? l : [128, 256, 512, 1024, 2048, 4096]),
        Lengths, ProbeLength, ProbePath);

    /// <summary>Runs the benchmark on <paramref name="lengths"/>; prints a table, then the summary line.</summary>
    public static int Run(int[] lengths)
    {
        torch.manual_seed(1);
        var total = Stopwatch.StartNew();
        var ours = new MultiHeadAttention(Embed, Heads);
        var theirs = nn.MultiheadAttention(Embed, Heads);
        Console.WriteLine($"attention benchmark: batch {Batch}, {Heads} heads x {HeadDim}, float32, {torch.get_num_threads()} threads, {Environment.ProcessorCount} cores");
        Console.WriteLine("times: minimum over interleaved rounds, ms; GF/s: forward FLOPs (projections + QK^T + AV) / time;");
        Console.WriteLine("ours/x: median over rounds of (x's time / our time in the same round) = our throughput / x's");
        Console.WriteLine($"{"N",5} {"method",-16} {"fwd ms",10} {"fwd GF/s",9} {"ours/x fwd",10} {"fwd+bwd ms",11} {"ours/x f+b",11} {"reps",4}");
        var results = new Dictionary<(int, string), (double Fwd, double FwdBwd)>(); // ratios ours/x
        foreach (int n in lengths)
        {
            int reps = n <= 256 ? 8 : n <= 1024 ? 5 : n <= 2048 ? 5 : 2;
            bool quadraticOk = n <= 2048; // the (B, H, N, N) matrix of the unfused paths is 2 GB at N = 4096: skipped on this shared machine
            var x = torch.randn(Batch, n, Embed);
            var xSeqFirst = x.transpose(0, 1).contiguous(); // (N, B, E) for TorchSharp's sequence-first layer, converted outside the timing
            double flops = ForwardFlops(n);
            long mm = (long)Math.Round(Math.Cbrt(flops / 2));
            var a = torch.randn(mm, mm);
            var bm = torch.randn(mm, mm);
            var methods = new List<(string Name, Func<bool, Tensor> F, bool HasBackward)>
            {
                ("ours (fused)", g => ours.Forward(Input(x, g)).Context, true),
                ("raw sdpa layer", g => RawSdpa(ours, Input(x, g)), true),
            };
            if (quadraticOk)
            {
                methods.Add(("ours (weights)", g => ours.Forward(Input(x, g), needWeights: true).Context, true));
                methods.Add(("torchsharp mha", g => { var s = Input(xSeqFirst, g); return theirs.forward(s, s, s, null, false, null).Item1; }, true));
                methods.Add(("naive", g => Naive(ours, Input(x, g)), true));
            }
            methods.Add(("roofline matmul", _ => torch.matmul(a, bm), false));
            var fwdSamples = methods.ToDictionary(m => m.Name, _ => new List<double>());
            var fbSamples = methods.ToDictionary(m => m.Name, _ => new List<double>());
            for (int r = -1; r < reps; r++) // r = -1: warm-up
            {
                // alternate the order each round so that no method always follows the same neighbour
                var order = r % 2 == 0 ? methods : Enumerable.Reverse(methods).ToList();
                foreach (var m in order)
                {
                    double tf = Time(() => { using (torch.no_grad()) return m.F(false); }, backward: false);
                    double tb = m.HasBackward ? Time(() => m.F(true), backward: true) : double.NaN;
                    if (r < 0) continue;
                    fwdSamples[m.Name].Add(tf);
                    fbSamples[m.Name].Add(tb);
                }
            }
            var oursF = fwdSamples["ours (fused)"];
            var oursB = fbSamples["ours (fused)"];
            foreach (var m in methods)
            {
                // ratio = our throughput / theirs = their time / our time, the median over rounds of times taken next to each other
                double rf = Median(fwdSamples[m.Name].Select((t, i) => t / oursF[i]));
                double rb = m.HasBackward ? Median(fbSamples[m.Name].Select((t, i) => t / oursB[i])) : double.NaN;
                double minF = fwdSamples[m.Name].Min();
                double minB = m.HasBackward ? fbSamples[m.Name].Min() : double.NaN;
                results[(n, m.Name)] = (rf, rb);
                string fbText = m.HasBackward ? (minB * 1e3).ToString("0.0", CultureInfo.InvariantCulture) : "-";
                string rbText = m.HasBackward ? rb.ToString("0.00", CultureInfo.InvariantCulture) : "-";
                Console.WriteLine($"{n,5} {m.Name,-16} {minF * 1e3,10:0.0} {flops / minF / 1e9,9:0.0} {rf,10:0.00} {fbText,11} {rbText,11} {reps,4}");
            }
            if (!quadraticOk) Console.WriteLine($"{n,5} (ours with weights, torchsharp mha and naive skipped: their (B, H, N, N) matrices need > 8 GB for forward+backward)");
            x.Dispose(); xSeqFirst.Dispose(); a.Dispose(); bm.Dispose();
            GC.Collect();
        }

        Console.WriteLine();
        Console.WriteLine("peak resident memory growth of one forward+backward, each in a fresh process (MB above the resident size before it):");
        Console.WriteLine($"{"N",5} {"ours (fused)",14} {"ours (weights)",15}");
        var memLengths = lengths.Where(n => n >= 1024).ToArray();
        var memFused = new List<(int N, double Mb)>();
        foreach (int n in memLengths)
        {
            double fused = ProbeInChild(n, "fused");
            double weights = n <= 2048 ? ProbeInChild(n, "weights") : double.NaN;
            memFused.Add((n, fused));
            Console.WriteLine($"{n,5} {fused,14:0} {(double.IsNaN(weights) ? "-" : weights.ToString("0", CultureInfo.InvariantCulture)),15}");
        }
        for (int i = 1; i < memFused.Count; i++)
            Console.WriteLine($"fused path: N {memFused[i - 1].N} -> {memFused[i].N}: memory x{memFused[i].Mb / memFused[i - 1].Mb:0.00} (linear = x2, quadratic = x4)");

        Console.WriteLine($"total benchmark time {total.Elapsed.TotalSeconds:0} s");
        const int at = 2048;
        if (!results.ContainsKey((at, "ours (fused)")) || !results.ContainsKey((at, "torchsharp mha")))
        {
            Console.WriteLine($"attention: N={at} not measured (lengths given: {string.Join(" ", lengths)})");
            return 0;
        }
        double Ratio(string name, bool backward) => backward ? results[(at, name)].FwdBwd : results[(at, name)].Fwd;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"attention (forward+backward): ours/sdpa={Ratio("raw sdpa layer", true):0.00} ours/torchsharp_mha={Ratio("torchsharp mha", true):0.00} ours/naive={Ratio("naive", true):0.00} at N={at}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"attention: ours/sdpa={Ratio("raw sdpa layer", false):0.00} ours/torchsharp_mha={Ratio("torchsharp mha", false):0.00} ours/roofline={Ratio("roofline matmul", false):0.00} at N={at}"));
        return 0;
    }

    static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    static Tensor Input(Tensor x, bool grad) => grad ? x.detach().requires_grad_() : x;

    // Forward FLOPs of one self-attention layer: 4 projections (2 B N E^2 each) + QK^T and AV (2 B H N^2 Dh each).
    static double ForwardFlops(int n) => 4.0 * 2 * Batch * n * (double)Embed * Embed + 2.0 * 2 * Batch * Heads * (double)n * n * HeadDim;

    static double Time(Func<Tensor> f, bool backward)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        var y = f();
        if (backward) y.sum().backward();
        else _ = y.sum().item<float>(); // force completion
        return sw.Elapsed.TotalSeconds;
    }

    // The same projections as ours around the raw kernel call: what a hand-written layer on scaled_dot_product_attention costs.
    static Tensor RawSdpa(MultiHeadAttention m, Tensor x)
    {
        long b = x.shape[0], n = x.shape[1];
        var q = m.QueryProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2); // (B, H, N, Dh)
        var k = m.KeyProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2);   // (B, H, N, Dh)
        var v = m.ValueProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2); // (B, H, N, Dh)
        var c = nn.functional.scaled_dot_product_attention(q, k, v);                    // (B, H, N, Dh)
        return m.OutputProjection.forward(c.transpose(1, 2).reshape(b, n, Embed));       // (B, N, E)
    }

    // softmax(Q K^T / sqrt(d)) V written with separate ops.
    static Tensor Naive(MultiHeadAttention m, Tensor x)
    {
        long b = x.shape[0], n = x.shape[1];
        var q = m.QueryProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2); // (B, H, N, Dh)
        var k = m.KeyProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2);   // (B, H, N, Dh)
        var v = m.ValueProjection.forward(x).view(b, n, Heads, HeadDim).transpose(1, 2); // (B, H, N, Dh)
        var w = (torch.matmul(q, k.transpose(-2, -1)) / Math.Sqrt(HeadDim)).softmax(-1); // (B, H, N, N)
        var c = torch.matmul(w, v);                                                       // (B, H, N, Dh)
        return m.OutputProjection.forward(c.transpose(1, 2).reshape(b, n, Embed));       // (B, N, E)
    }

    // Runs this benchmark again as a child process in memory-probe mode, so that freed-but-retained heap of earlier runs does not hide the peak.
    static double ProbeInChild(int n, string path)
    {
        string exe = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(AttentionBench).Assembly.Location);
        foreach (var a in new[] { "attention", "--memory-probe", n.ToString(CultureInfo.InvariantCulture), "--probe-path", path }) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("peak_mb=", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line["peak_mb=".Length..], CultureInfo.InvariantCulture);
    }

    // Peak resident set growth (VmHWM minus VmRSS before) of one forward+backward in this fresh process, in MB.
    static int MemoryProbe(int n, bool weights)
    {
        torch.manual_seed(1);
        var m = new MultiHeadAttention(Embed, Heads);
        var x = torch.randn(Batch, n, Embed).requires_grad_();
        m.Forward(torch.randn(1, 8, Embed)).Context.sum().backward(); // load kernels, allocate parameter grads
        GC.Collect();
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { } // reset VmHWM to VmRSS
        double before = StatusKb("VmRSS");
        using (var scope = torch.NewDisposeScope())
            m.Forward(x, needWeights: weights).Context.sum().backward();
        double peak = StatusKb("VmHWM");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak_mb={(peak - before) / 1024.0:0.0}"));
        return 0;
    }

    static double StatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return double.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return double.NaN;
    }
}
