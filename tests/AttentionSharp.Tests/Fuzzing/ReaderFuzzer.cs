using AttentionSharp.Training;

namespace AttentionSharp.Tests.Fuzzing;

/// <summary>
/// A reader under fuzzing: valid seed inputs and a function that reads one input (written to <c>input</c> in the
/// given folder when the reader takes a path) and checks what it read. Exceptions of the types in
/// <see cref="ReaderFuzzer.ClearErrors"/> with a message are clear errors; anything else is a crash.
/// </summary>
/// <param name="Name">Reader name in the report.</param>
/// <param name="Seeds">Valid inputs the mutations start from (each must read without error).</param>
/// <param name="Read">Reads one input from its bytes, with a scratch folder; throws on bad input; asserts on a result.</param>
/// <param name="AllocationBound">Managed bytes one input may allocate, beyond 64 x its length, before it counts as a length field obeyed blindly.</param>
sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[], string> Read, long AllocationBound = 64L << 20);

/// <summary>What one input did.</summary>
enum FuzzOutcome { Result, ClearError, Crash, Hang, OverAllocation, WroteOutside }

/// <summary>Counts of one reader's fuzz run and the first failures, for the report.</summary>
sealed class FuzzReport(string reader)
{
    public string Reader { get; } = reader;
    public int Inputs { get; set; }
    public Dictionary<FuzzOutcome, int> Counts { get; } = Enum.GetValues<FuzzOutcome>().ToDictionary(o => o, _ => 0);
    public List<string> Failures { get; } = [];
    public int FailureCount => Counts[FuzzOutcome.Crash] + Counts[FuzzOutcome.Hang] + Counts[FuzzOutcome.OverAllocation] + Counts[FuzzOutcome.WroteOutside];

    public override string ToString() =>
        $"{Reader,-16} {Inputs,7} inputs: {Counts[FuzzOutcome.Result],6} read, {Counts[FuzzOutcome.ClearError],6} clear errors, " +
        $"{Counts[FuzzOutcome.Crash]} crashes, {Counts[FuzzOutcome.Hang]} hangs, {Counts[FuzzOutcome.OverAllocation]} over-allocations, " +
        $"{Counts[FuzzOutcome.WroteOutside]} writes outside";
}

/// <summary>Runs seeded mutants of a target's seeds through its reader, each on its own thread with a time limit.</summary>
static class ReaderFuzzer
{
    /// <summary>Exception types that count as a clear error (with a non-empty message).</summary>
    public static readonly Type[] ClearErrors = [typeof(InvalidDataException), typeof(FormatException), typeof(CheckpointException)];

    /// <summary>Fuzzes <paramref name="target"/> with <paramref name="inputs"/> mutants (the seeds themselves first).</summary>
    public static FuzzReport Run(FuzzTarget target, int inputs, int seed, TimeSpan limit)
    {
        var report = new FuzzReport(target.Name);
        var mutator = new Mutator(seed);
        string sandbox = Directory.CreateTempSubdirectory($"attn-fuzz-{target.Name}-").FullName;
        try
        {
            string work = Path.Combine(sandbox, "work");
            for (int i = 0; i < inputs; i++)
            {
                byte[] input; string what;
                if (i < target.Seeds.Count) (input, what) = (target.Seeds[i], "seed");
                else (input, what) = mutator.Mutate(target.Seeds[i % target.Seeds.Count], target.Seeds[(i + 1) % target.Seeds.Count]);
                if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
                Directory.CreateDirectory(work);
                if (Environment.GetEnvironmentVariable("ATTN_FUZZ_DUMP") is { Length: > 0 } last)
                {
                    // the input under test, kept in case it takes the process down with it
                    Directory.CreateDirectory(last);
                    File.WriteAllBytes(Path.Combine(last, $"{target.Name}-current.bin"), input);
                }
                var (outcome, detail) = One(target, input, work, limit);
                if (outcome == FuzzOutcome.Result || outcome == FuzzOutcome.ClearError)
                {
                    var outside = Directory.EnumerateFileSystemEntries(sandbox).Where(p => p != work).ToList();
                    if (outside.Count > 0) { (outcome, detail) = (FuzzOutcome.WroteOutside, string.Join(", ", outside)); outside.ForEach(p => File.Delete(p)); }
                }
                if (i < target.Seeds.Count && outcome != FuzzOutcome.Result)
                    throw new InvalidOperationException($"{target.Name}: seed {i} does not read: {outcome} {detail}");
                report.Inputs++;
                report.Counts[outcome]++;
                if (outcome is not (FuzzOutcome.Result or FuzzOutcome.ClearError) && report.Failures.Count < 20)
                {
                    report.Failures.Add($"{target.Name} input {i} ({what}, {input.Length} bytes): {outcome}: {detail}");
                    // ATTN_FUZZ_DUMP=DIR keeps each failing input for a look at it outside the suite
                    if (Environment.GetEnvironmentVariable("ATTN_FUZZ_DUMP") is { Length: > 0 } dump)
                    {
                        Directory.CreateDirectory(dump);
                        File.WriteAllBytes(Path.Combine(dump, $"{target.Name}-{i}.bin"), input);
                    }
                }
                if (outcome == FuzzOutcome.Hang) break; // the thread cannot be stopped; the rest would share its core
            }
        }
        finally
        {
            try { Directory.Delete(sandbox, recursive: true); } catch (IOException) { }
        }
        return report;
    }

    static (FuzzOutcome, string) One(FuzzTarget target, byte[] input, string work, TimeSpan limit)
    {
        FuzzOutcome outcome = FuzzOutcome.Result;
        string detail = "";
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { target.Read(input, work); }
            catch (Exception e) when (ClearErrors.Contains(e.GetType()) && !string.IsNullOrWhiteSpace(e.Message))
            {
                (outcome, detail) = (FuzzOutcome.ClearError, e.Message);
            }
            catch (Exception e)
            {
                var at = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("AttentionSharp")) ?? e.StackTrace?.Split('\n').FirstOrDefault() ?? "";
                (outcome, detail) = (FuzzOutcome.Crash, $"{e.GetType().Name}: {Shorten(e.Message)} {at.Trim()}");
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        if (!thread.Join(limit)) return (FuzzOutcome.Hang, $"no answer within {limit.TotalSeconds:0.#} s");
        long bound = target.AllocationBound + 64L * input.Length;
        if (allocated > bound && outcome != FuzzOutcome.Crash)
            return (FuzzOutcome.OverAllocation, $"allocated {allocated:N0} bytes (bound {bound:N0}); then {outcome} {Shorten(detail)}");
        return (outcome, detail);
    }

    static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "...";
}
