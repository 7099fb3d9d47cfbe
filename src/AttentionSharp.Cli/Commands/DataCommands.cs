using AttentionSharp.Data;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn data list</c> and <c>attn data get NAME</c>.</summary>
public static class DataCommands
{
    static readonly OptionSpec[] Options =
    [
        new("data-dir", "DIR", null, $"dataset cache (default: ${DataCache.EnvironmentVariable} or ~/.cache/attentionsharp)"),
        new("verbose", null, null, "stack traces on errors"),
    ];

    /// <summary>The verbs of this file (<c>attn data get l10n-de</c> fetches every package of the localisation corpus).</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["data", "list"], "list the datasets, their sources and whether they are in the cache", Options, null, a =>
        {
            string root = SharedOptions.DataRoot(a);
            Console.WriteLine($"cache: {root}");
            foreach (var d in DatasetCatalog.All)
            {
                Console.WriteLine($"  {d.Name,-16} {(d.IsCached(root) ? "cached " : "missing")}  {d.Description}");
                Console.WriteLine($"  {"",-16}          sources: {string.Join(" | ", d.Routes.Select(r => r.Description))}");
            }
            return 0;
        }),
        new(["data", "get"], "download, verify and cache a dataset (tries its sources in order)", Options, "NAME", a =>
        {
            if (a.Positional.Count != 1) throw new UsageException($"'attn data get' needs one dataset name; known: {string.Join(", ", DatasetCatalog.All.Select(d => d.Name))}");
            if (a.Positional[0] == AttentionSharp.Data.Translation.L10nCorpus.AllName)
            {
                var folders = AttentionSharp.Data.Translation.L10nCorpus.EnsureAll(SharedOptions.DataRoot(a), Console.Out);
                Console.WriteLine($"{a.Positional[0]}: {folders.Count} packages ready");
                return 0;
            }
            var source = DatasetCatalog.Get(a.Positional[0]);
            string folder = source.Ensure(SharedOptions.DataRoot(a), Console.Out);
            Console.WriteLine($"{source.Name}: ready in {folder}");
            return 0;
        }),
    ];
}
