using AttentionSharp.Native;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn info</c>: versions, devices, threads, CPU features, native fix.</summary>
public static class InfoCommand
{
    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["info"], "versions (AttentionSharp, TorchSharp, libtorch), devices, threads, CPU features, native-library fix", [new("verbose", null, null, "stack traces on errors")], null, a =>
        {
            var rows = SystemInfo.Collect();
            int w = rows.Max(r => r.Name.Length) + 1;
            foreach (var (name, value) in rows) Console.WriteLine($"{(name + ":").PadRight(w + 1)}{value}");
            return rows.Any(r => r.Value.StartsWith("NOT LOADED", StringComparison.Ordinal)) ? 1 : 0;
        }),
    ];
}
