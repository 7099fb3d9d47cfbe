using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AttentionSharp.Attention;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Models.Seq2Seq;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// PyTorch as a measured peer (issue 27 part 3): the same rows run by AttentionSharp in this process and by PyTorch in a
/// <c>bench/pytorch/peer.py --serve</c> child, at the same thread count, in interleaved rounds (the order alternates each round),
/// so that both see the same machine load. Rows: multi-head self-attention forward+backward (batch 4, 8 heads x 64) at each
/// length, one RAM training step (B=128, 6 glimpses, 60x60, LSTM core, Adam) and one Bahdanau seq2seq training step
/// (B=64, 20 source and 20 target tokens, vocabulary 2000, embedding 64, GRU 128 per direction, Adam), and 1000 tiny additions
/// (the fixed cost of one op call) and 20 matrix products (the BLAS), for the per-op explanation. Prints per row the
/// median step time of each side, wall clock and process CPU time, and the median over rounds of <c>pytorch time / our time</c>
/// (= our throughput / PyTorch's), with PyTorch's version and thread count. CPU time is the headline on a shared machine: other
/// processes stretch wall time in bursts, CPU time much less. The peer gets the same glibc malloc thresholds as ours. Without python3 and torch it says it is skipped and exits 0.
/// </summary>
public static class VsPytorchBench
{
    static readonly System.CommandLine.Option<int> RoundsOption = BenchOptions.Range("rounds", 5, 1, 100, "measured rounds (after one warm-up round); each round times both sides");
    static readonly System.CommandLine.Option<int> ThreadsOption = BenchOptions.Range("threads", 1, 1, 256, "intra-op threads of both sides");
    static readonly System.CommandLine.Option<int[]> LengthsOption = new("--lengths")
    {
        Description = "attention sequence lengths", DefaultValueFactory = _ => [128, 512, 2048], AllowMultipleArgumentsPerToken = true,
    };
    static readonly System.CommandLine.Option<string[]> RowsOption = new("--rows")
    {
        Description = "rows to run: mha, ram, seq2seq, ops (1000 tiny adds: the cost of one op call; 20 matrix products: the BLAS)", DefaultValueFactory = _ => ["mha", "ram", "seq2seq", "ops"], AllowMultipleArgumentsPerToken = true,
    };
    static readonly System.CommandLine.Option<bool> BreakdownOption = BenchOptions.Of("breakdown", false, "also time parts of the RAM and seq2seq steps (sensor table, sensor with 6 glimpses, forward, forward+backward, the RAM's Adam step alone)");
    static readonly System.CommandLine.Option<string?> PythonOption = BenchOptions.Of<string?>("python", null, "the Python interpreter that has torch (default: the first of python3, /usr/bin/python3 that imports it)");
    static readonly System.CommandLine.Option<string?> ScriptOption = BenchOptions.Of<string?>("script", null, "peer.py (default: bench/pytorch/peer.py found above the working or program folder)");

    /// <summary>The <c>vs-pytorch</c> verb.</summary>
    public static System.CommandLine.Command Command => BenchOptions.Verb("vs-pytorch",
        "AttentionSharp against PyTorch (bench/pytorch/peer.py) on the same rows, same threads, interleaved rounds: attention fwd+bwd, RAM step, seq2seq step",
        r => Run(r.GetValue(RoundsOption), r.GetValue(ThreadsOption), r.GetValue(LengthsOption)!, r.GetValue(RowsOption)!, r.GetValue(BreakdownOption), r.GetValue(PythonOption), r.GetValue(ScriptOption)),
        RoundsOption, ThreadsOption, LengthsOption, RowsOption, BreakdownOption, PythonOption, ScriptOption);

    /// <summary>One row: its name, the command peer.py understands, repetitions per round, and our step.</summary>
    sealed record Row(string Name, string PeerCommand, int Reps, Action Step, IDisposable Owner);

    /// <summary>Runs the benchmark.</summary>
    public static int Run(int rounds, int threads, int[] lengths, string[] rows, bool breakdown, string? python, string? script)
    {
        script ??= FindScript();
        if (script is null || !File.Exists(script))
        {
            Console.WriteLine($"vs-pytorch: skipped (bench/pytorch/peer.py not found{(script is null ? "" : $" at {script}")}; pass --script)");
            return 0;
        }
        string? info = null;
        var whys = new List<string>();
        foreach (var candidate in python is null ? ["python3", "/usr/bin/python3"] : new[] { python })
        {
            info = PeerInfo(candidate, script, threads, out string why);
            if (info is not null) { python = candidate; break; }
            whys.Add($"{candidate}: {why}");
        }
        if (info is null || python is null)
        {
            Console.WriteLine($"vs-pytorch: skipped (no Python with torch: {string.Join("; ", whys)})");
            return 0;
        }
        foreach (var r in rows)
            if (r is not ("mha" or "ram" or "seq2seq" or "ops")) { Console.Error.WriteLine($"--rows: unknown row '{r}' (mha, ram, seq2seq, ops)"); return 2; }

        torch.set_num_threads(threads);
        var sys = AttentionSharp.Native.SystemInfo.Collect().ToDictionary(r => r.Name, r => r.Value);
        Console.WriteLine($"vs-pytorch {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs, load average {LoadAverage()}");
        Console.WriteLine($"ours:    AttentionSharp on TorchSharp {sys.GetValueOrDefault("TorchSharp", "?")}, libtorch {sys.GetValueOrDefault("libtorch", "?")}, {torch.get_num_threads()} threads");
        Console.WriteLine($"pytorch: {info} ({python} {script})");
        Console.WriteLine($"allocator: ours {AttentionSharp.Native.AllocatorTuning.State}; pytorch {(AttentionSharp.Native.AllocatorTuning.Applied ? "the same thresholds through MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_" : "glibc defaults")}");

        var table = new List<Row>();
        if (rows.Contains("mha")) table.AddRange(lengths.Select(MhaRow));
        if (rows.Contains("ram")) table.AddRange(RamRows(breakdown));
        if (rows.Contains("seq2seq")) table.AddRange(Seq2SeqRows(breakdown));
        if (rows.Contains("ops")) { table.Add(DispatchRow()); table.Add(GemmRow()); }

        using var peer = Peer.Start(python, script, threads);
        var ours = table.ToDictionary(r => r.Name, _ => new List<(double Wall, double Cpu)>());
        var theirs = table.ToDictionary(r => r.Name, _ => new List<(double Wall, double Cpu)>());
        var clock = Stopwatch.StartNew();
        for (int round = 0; round <= rounds; round++)   // round 0: warm-up on both sides, not counted
        {
            foreach (var row in table)
            {
                (double, double) a, b;
                if (round % 2 == 0) { a = TimeOurs(row); b = peer.Time(row.PeerCommand, row.Reps); }
                else { b = peer.Time(row.PeerCommand, row.Reps); a = TimeOurs(row); }
                if (round == 0) continue;
                ours[row.Name].Add(a);
                theirs[row.Name].Add(b);
            }
            Console.Error.WriteLine($"round {round}/{rounds} done ({clock.Elapsed.TotalSeconds:0} s)");
        }

        Console.WriteLine($"times: median over {rounds} rounds of the mean of each round's repetitions, ms per step, wall clock and process CPU time;");
        Console.WriteLine("ours/pytorch = median over rounds of (pytorch time / our time in the same round) = our throughput / PyTorch's (range: lowest-highest round)");
        Console.WriteLine($"{"row",-26} {"reps",4} {"ours ms",8} {"pytorch",8} {"ours/pytorch",12} {"range",10}   {"ours cpu",8} {"pytorch",8} {"ours/pytorch",12} {"range",10}");
        var summary = new List<string>();
        foreach (var row in table)
        {
            var o = ours[row.Name];
            var t = theirs[row.Name];
            var wallRatios = t.Select((x, i) => x.Wall / o[i].Wall).ToList();
            var ratios = t.Select((x, i) => x.Cpu / o[i].Cpu).ToList();
            double ratio = Median(ratios);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Name,-26} {row.Reps,4} {Median(o.Select(x => x.Wall)),8:0.0} {Median(t.Select(x => x.Wall)),8:0.0} {Median(wallRatios),12:0.00} {wallRatios.Min(),4:0.00}-{wallRatios.Max():0.00}   "
                + $"{Median(o.Select(x => x.Cpu)),8:0.0} {Median(t.Select(x => x.Cpu)),8:0.0} {ratio,12:0.00} {ratios.Min(),4:0.00}-{ratios.Max():0.00}"));
            if (!row.PeerCommand.Contains(':')) summary.Add(string.Create(CultureInfo.InvariantCulture, $"{row.PeerCommand.Replace(' ', '_')}={ratio:0.00}"));
            row.Owner.Dispose();
        }
        Console.WriteLine($"vs-pytorch: ours/pytorch (CPU time) {string.Join(" ", summary)} ({info}; {threads} thread{(threads == 1 ? "" : "s")} each; total {clock.Elapsed.TotalSeconds:0} s)");
        return 0;
    }

    static Row MhaRow(int n)
    {
        const int batch = 4, heads = 8, headDim = 64;
        torch.manual_seed(1);
        var m = new MultiHeadAttention(heads * headDim, heads);
        var x = torch.randn(batch, n, heads * headDim);
        return new Row($"mha N={n} fwd+bwd", $"mha {n}", n <= 128 ? 5 : n <= 512 ? 3 : 1, () =>
        {
            var xi = x.detach().requires_grad_();
            m.Forward(xi).Context.sum().backward();
            m.zero_grad();
        }, new Owners(m, x));
    }

    static IEnumerable<Row> RamRows(bool breakdown)
    {
        const int batch = 128, size = 60, glimpses = 6;
        torch.manual_seed(1);
        var o = RamOptions.ForImage(size, size, glimpses) with { Core = RamCore.Lstm };
        var model = new RecurrentAttentionModel(o);
        var opt = torch.optim.Adam(model.parameters(), 1e-3);
        var images = torch.rand(batch, 1, size, size);
        var labels = torch.randint(0, 10, batch, dtype: ScalarType.Int64);
        var locations = torch.rand(batch, 2) * 2 - 1;
        Tensor Loss()
        {
            var (nll, mse, reinforce, _) = RamTask.Losses(model.Rollout(images), labels);
            return nll + mse + o.ReinforceWeight * reinforce;
        }
        string name = $"ram step B={batch} 60x60";
        if (breakdown)
        {
            yield return new Row("  ram: sensor table", "ram:table", 5, () => model.Glimpse.Sensor.SummedArea(images).Dispose(), Nothing);
            yield return new Row("  ram: table + 6 glimpses", "ram:sensor", 3, () =>
            {
                using var t = model.Glimpse.Sensor.SummedArea(images);
                for (int g = 0; g < glimpses; g++) model.Glimpse.Sensor.Extract(t, locations);
            }, Nothing);
            yield return new Row("  ram: forward + loss", "ram:fwd", 3, () => Loss(), Nothing);
            yield return new Row("  ram: + backward", "ram:fwdbwd", 3, () => { opt.zero_grad(); Loss().backward(); }, Nothing);
            yield return new Row("  ram: Adam step alone", "ram:adam", 5, () => opt.step(), Nothing);   // on the gradients the row above left
        }
        yield return new Row(name, "ram", 3, () =>
        {
            opt.zero_grad();
            Loss().backward();
            opt.step();
        }, new Owners(model, opt, images, labels, locations));
    }

    static IEnumerable<Row> Seq2SeqRows(bool breakdown)
    {
        const int batch = 64, source = 20, target = 20, vocab = 2000;
        torch.manual_seed(1);
        var model = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, SourceVocab: vocab, TargetVocab: vocab, Embedding: 64, Hidden: 128, Dropout: 0,
            MaxSourceLength: source, MaxTargetLength: target));
        var opt = torch.optim.Adam(model.parameters(), 1e-3);
        var lengths = torch.arange(batch, dtype: ScalarType.Int64) % (source / 2 + 1) + source / 2;        // 10..20, as in peer.py
        var mask = torch.arange(source, dtype: ScalarType.Int64).unsqueeze(0) < lengths.unsqueeze(1);    // (B, S)
        var src = torch.randint(4, vocab, [batch, source], dtype: ScalarType.Int64) * mask;
        var tgtIn = torch.randint(4, vocab, [batch, target], dtype: ScalarType.Int64);
        var tgtOut = torch.randint(4, vocab, [batch, target], dtype: ScalarType.Int64);
        Tensor Loss()
        {
            var logits = model.forward(src, mask, tgtIn);                                                // (B, T, V)
            return nn.functional.cross_entropy(logits.reshape(-1, vocab), tgtOut.reshape(-1), ignore_index: Vocabulary.Pad);
        }
        if (breakdown)
        {
            yield return new Row("  seq2seq: forward + loss", "seq2seq:fwd", 3, () => Loss(), Nothing);
            yield return new Row("  seq2seq: + backward", "seq2seq:fwdbwd", 3, () => { opt.zero_grad(); Loss().backward(); }, Nothing);
        }
        yield return new Row($"seq2seq step B={batch} T={target}", "seq2seq", 3, () =>
        {
            opt.zero_grad();
            Loss().backward();
            opt.step();
        }, new Owners(model, opt, lengths, mask, src, tgtIn, tgtOut));
    }

    /// <summary>1000 additions of two 16-element tensors (each result disposed, as a dispose scope would): the fixed cost of one op call; ms per step = microseconds per op.</summary>
    static Row DispatchRow()
    {
        var a = torch.randn(16);
        var b = torch.randn(16);
        return new Row("dispatch 1000 tiny adds", "dispatch", 5, () =>
        {
            for (int i = 0; i < 1000; i++) (a + b).Dispose();
        }, new Owners(a, b));
    }

    /// <summary>20 products (128 x 256) @ (256 x 1024), the RAM core's gate size: the matrix-multiply library each side calls.</summary>
    static Row GemmRow()
    {
        torch.manual_seed(1);
        var a = torch.randn(128, 256);
        var b = torch.randn(256, 1024);
        return new Row("gemm 20x 128x256x1024", "gemm", 5, () =>
        {
            for (int i = 0; i < 20; i++) torch.mm(a, b).Dispose();
        }, new Owners(a, b));
    }

    /// <summary>Mean wall and process CPU milliseconds of one of <paramref name="row"/>'s steps over its repetitions, each in its own dispose scope.</summary>
    static (double Wall, double Cpu) TimeOurs(Row row)
    {
        double c0 = ProcessCpuMs();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < row.Reps; i++)
        {
            using var scope = torch.NewDisposeScope();
            row.Step();
        }
        return (sw.Elapsed.TotalMilliseconds / row.Reps, (ProcessCpuMs() - c0) / row.Reps);
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of this process, all threads, in ms: <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c> on Linux (ns resolution, what Python's
    /// <c>time.process_time</c> reads), else .NET's (coarser) total processor time.</summary>
    static double ProcessCpuMs()
    {
        const int ClockProcessCpuTimeId = 2;
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockProcessCpuTimeId, out var t) == 0) return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }

    static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    /// <summary>bench/pytorch/peer.py above the working folder or the program's folder.</summary>
    static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "pytorch", "peer.py");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    static ProcessStartInfo PeerStart(string python, string script, int threads, params string[] args)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        foreach (var v in new[] { "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS" }) psi.Environment[v] = threads.ToString(CultureInfo.InvariantCulture);
        // The same glibc malloc thresholds as ours (AllocatorTuning: freed step buffers are reused, not unmapped and faulted in again).
        if (AttentionSharp.Native.AllocatorTuning.Applied)
        {
            psi.Environment["MALLOC_MMAP_THRESHOLD_"] = (32 * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
            psi.Environment["MALLOC_TRIM_THRESHOLD_"] = (1 << 30).ToString(CultureInfo.InvariantCulture);
        }
        return psi;
    }

    /// <summary>PyTorch's version and threads (<c>peer.py --info</c>), or null with the reason when Python or torch is missing.</summary>
    static string? PeerInfo(string python, string script, int threads, out string why)
    {
        try
        {
            using var p = Process.Start(PeerStart(python, script, threads, "--info"))!;
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(120_000)) { p.Kill(true); why = "peer.py --info did not answer within 120 s"; return null; }
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("torch ", StringComparison.Ordinal));
            if (p.ExitCode == 0 && line != null) { why = ""; return line.Trim(); }
            why = (err.Result.Trim().Split('\n').LastOrDefault() ?? "").Trim() is { Length: > 0 } e ? e : $"exit code {p.ExitCode}";
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = e.Message;
            return null;
        }
    }

    /// <summary>A <c>peer.py --serve</c> child: one command line in, one JSON line out.</summary>
    sealed class Peer : IDisposable
    {
        readonly Process process;
        readonly System.Text.StringBuilder stderr = new();

        Peer(Process p)
        {
            process = p;
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
            p.BeginErrorReadLine();
        }

        public static Peer Start(string python, string script, int threads) => new(Process.Start(PeerStart(python, script, threads, "--serve"))!);

        /// <summary>Mean wall and CPU milliseconds per step of <paramref name="reps"/> steps of the row named by <paramref name="command"/>.</summary>
        public (double Wall, double Cpu) Time(string command, int reps)
        {
            process.StandardInput.WriteLine($"{command} {reps}");
            process.StandardInput.Flush();
            string? line = process.StandardOutput.ReadLine();
            if (line is null)
                throw new InvalidOperationException($"peer.py stopped while running '{command}': {stderr.ToString().Trim()}");
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"peer.py failed on '{command}': {error.GetString()}");
            return (doc.RootElement.GetProperty("ms").EnumerateArray().Average(e => e.GetDouble()),
                    doc.RootElement.GetProperty("cpu_ms").EnumerateArray().Average(e => e.GetDouble()));
        }

        public void Dispose()
        {
            try
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Close();
                if (!process.WaitForExit(30_000)) process.Kill(true);
            }
            catch (IOException) { }
            catch (InvalidOperationException) { }
            process.Dispose();
        }
    }

    static readonly IDisposable Nothing = new Owners();

    sealed class Owners(params IDisposable[] items) : IDisposable
    {
        public void Dispose() { foreach (var d in items) d.Dispose(); }
    }
}
