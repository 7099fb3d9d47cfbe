using Xunit;
using Xunit.Abstractions;

namespace AttentionSharp.Tests.Fuzzing;

/// <summary>
/// Issue 26 part 3: seeded mutants of valid inputs for every reader end in a result or a clear error; no crash, no
/// hang, no allocation driven by a length field. The suite runs 300 inputs per reader; for the RELIABILITY.md figures set
/// <c>ATTN_FUZZ_INPUTS</c> (and <c>ATTN_FUZZ_REPORT=FILE</c> to append each reader's line there).
/// </summary>
[Trait("Category", "Fuzz")]
public class ReaderFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Readers => [.. ReaderTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Readers))]
    public void MutantsEndInAResultOrAClearError(string reader)
    {
        int inputs = int.TryParse(Environment.GetEnvironmentVariable("ATTN_FUZZ_INPUTS"), out int n) && n > 0 ? n : 300;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("ATTN_FUZZ_SEED"), out int s) ? s : 26;
        var report = ReaderFuzzer.Run(ReaderTargets.All[reader](), inputs, seed * 1000 + reader.Aggregate(0, (h, c) => (h * 31 + c) % 997), TimeSpan.FromSeconds(10));
        output.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("ATTN_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllLines(file, [report.ToString(), .. report.Failures.Select(f => "  " + f)]);
        Assert.True(report.FailureCount == 0, string.Join("\n", [report.ToString(), .. report.Failures]));
        // the mutants must reach the reader's checks, not only its first one
        Assert.True(report.Counts[FuzzOutcome.ClearError] > 0 || report.Counts[FuzzOutcome.Result] > report.Inputs / 2, report.ToString());
    }
}
