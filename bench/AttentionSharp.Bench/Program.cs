using System.Reflection;
using System.Text.RegularExpressions;

// The benchmark harness: `dotnet run -c Release --project bench/AttentionSharp.Bench -- VERB [args]`.
// Every public static class named XxxBench with `public static int Run(string[] args)` is a verb, named by
// its class in kebab case (AttentionBench -> attention, RamScalingBench -> ram-scaling).
AttentionSharp.Native.AllocatorTuning.Apply();
var benches = typeof(Program).Assembly.GetTypes()
    .Where(t => t.IsClass && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Bench", StringComparison.Ordinal))
    .Select(t => (Name: Regex.Replace(t.Name[..^"Bench".Length], "(?<=[a-z0-9])([A-Z])", "-$1").ToLowerInvariant(),
                  Run: t.GetMethod("Run", BindingFlags.Public | BindingFlags.Static, [typeof(string[])])))
    .Where(b => b.Run != null)
    .OrderBy(b => b.Name)
    .ToList();

if (args.Length == 0 || args[0] is "--help" or "-h")
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/AttentionSharp.Bench -- VERB [args]");
    Console.WriteLine("verbs: " + string.Join(", ", benches.Select(b => b.Name)));
    return args.Length == 0 ? 2 : 0;
}
var bench = benches.FirstOrDefault(b => b.Name == args[0]);
if (bench.Run == null)
{
    Console.Error.WriteLine($"error: unknown benchmark '{args[0]}'; known: {string.Join(", ", benches.Select(b => b.Name))}");
    return 2;
}
return (int)bench.Run.Invoke(null, [args[1..]])!;
