using AttentionSharp.Visualization;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn report RUN [RUN...]</c>: one self-contained HTML page with the runs' curves, results, options and pictures.</summary>
public static class ReportCommands
{
    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["report"], "write one self-contained HTML page about run folders: learning curves (several runs overlaid), RESULT figures side by side, options, pictures",
            [new("out", "FILE", null, "the HTML file (default: report.html in the first run folder)"), new("verbose", null, null, "stack traces on errors")],
            "RUN...", a =>
            {
                if (a.Positional.Count == 0) throw new UsageException("'attn report' needs one or more run folders, e.g. attn report runs/a runs/b --out compare.html");
                var runs = a.Positional.Select(RunRecord.Read).ToList();
                string path = Path.GetFullPath(a.String("out") ?? Path.Combine(runs[0].Folder, "report.html"));
                RunReport.Write(runs, path);
                Console.WriteLine($"report of {runs.Count} run{(runs.Count == 1 ? "" : "s")}: {path}");
                return 0;
            }),
    ];
}
