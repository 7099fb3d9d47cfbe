using System.CommandLine;
using AttentionSharp.Bench;

// The benchmark harness: `dotnet run -c Release --project bench/AttentionSharp.Bench -- VERB [options]`.
// Every benchmark is registered here, once; each declares its typed options in its own Command (System.CommandLine:
// --help per verb, "did you mean" for a misspelt verb or option, @response files, exit code 2 for usage errors).
AttentionSharp.Native.AllocatorTuning.Apply();
var root = new RootCommand("AttentionSharp benchmarks: speed and memory, each against a reference measured in the same run")
{
    AttentionBench.Command,
    BaselineBench.Command,
    ConvBench.Command,
    GcStressBench.Command,
    GcStressModelBench.Command,
    LeakBench.Command,
    RamScalingBench.Command,
    RamStepBench.Command,
    TextClassificationBench.Command,
    TranslateBench.Command,
    VsPytorchBench.Command,
};
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/AttentionSharp.Bench -- VERB [options]; verbs: " +
                            string.Join(", ", root.Subcommands.Select(c => c.Name)) + " (VERB --help for its options)");
    return 2;
}
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) Console.Error.WriteLine("error: " + e.Message);
    Console.Error.WriteLine($"see '{parsed.CommandResult.Command.Name} --help'; verbs: " + string.Join(", ", root.Subcommands.Select(c => c.Name)));
    return 2;
}
return parsed.Invoke();
