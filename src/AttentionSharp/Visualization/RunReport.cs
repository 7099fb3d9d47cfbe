using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Training;

namespace AttentionSharp.Visualization;

/// <summary>What a report shows of one run folder: its name, options, per-epoch metrics, result and pictures.</summary>
/// <param name="Name">Folder name, used as the run's label.</param>
/// <param name="Folder">Full path of the run folder.</param>
/// <param name="Kind">Checkpoint kind (<c>ram</c>, <c>seq2seq</c> ...), or null without a checkpoint.</param>
/// <param name="Options">The checkpoint's options record, or null.</param>
/// <param name="State">The trainer state of the last checkpoint, or null.</param>
/// <param name="Epochs">One JSON object per epoch from <c>metrics.jsonl</c>.</param>
/// <param name="Result">The <c>result.json</c> object, or null when the run has not finished.</param>
/// <param name="Pictures">PNG files of the folder.</param>
public sealed record RunRecord(string Name, string Folder, string? Kind, JsonNode? Options, TrainerState? State,
    IReadOnlyList<JsonObject> Epochs, JsonObject? Result, IReadOnlyList<string> Pictures)
{
    /// <summary>Reads a run folder; throws <see cref="ArgumentException"/> when it holds neither metrics nor a result.</summary>
    public static RunRecord Read(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder)) throw new ArgumentException($"run folder '{folder}' does not exist");
        string metrics = Path.Combine(folder, Trainer<object>.MetricsFile), result = Path.Combine(folder, "result.json");
        if (!File.Exists(metrics) && !File.Exists(result))
            throw new ArgumentException($"'{folder}' is not a run folder: it has neither {Trainer<object>.MetricsFile} nor result.json");
        var epochs = new List<JsonObject>();
        if (File.Exists(metrics))
        {
            int line = 0;
            foreach (var text in File.ReadLines(metrics))
            {
                line++;
                if (string.IsNullOrWhiteSpace(text)) continue;
                try { epochs.Add(JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object")); }
                catch (JsonException e) { throw new InvalidDataException($"{metrics} line {line} is not a JSON object: {e.Message}", e); }
            }
        }
        JsonObject? res = null;
        if (File.Exists(result))
        {
            try { res = JsonNode.Parse(File.ReadAllText(result)) as JsonObject; }
            catch (JsonException e) { throw new InvalidDataException($"{result} is not valid JSON: {e.Message}", e); }
        }
        CheckpointHeader? header = null;
        foreach (var name in new[] { Checkpoint.LastFile, Checkpoint.BestFile })
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            try { header = Checkpoint.ReadHeader(path); break; }
            catch (CheckpointException) { }   // a damaged checkpoint still leaves the curves to show
        }
        var pictures = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        return new RunRecord(Path.GetFileName(folder), folder, header?.Kind, header?.Options, header?.State, epochs, res, pictures);
    }
}

/// <summary>
/// One self-contained HTML page about one or more runs (<c>attn report</c>): learning curves of every metric in
/// <c>metrics.jsonl</c> as inline SVG (several runs overlaid, train solid and validation dashed), the learning rate,
/// the RESULT figures side by side, each run's options and its pictures embedded as data URIs. Needs no network to view.
/// </summary>
public static class RunReport
{
    static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

    /// <summary>Writes the report of <paramref name="runs"/> to <paramref name="path"/> (atomically) and returns the path.</summary>
    public static string Write(IReadOnlyList<RunRecord> runs, string path)
    {
        AtomicFile.WriteAllText(path, Html(runs));
        return path;
    }

    /// <summary>The report as an HTML document.</summary>
    public static string Html(IReadOnlyList<RunRecord> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("a report needs at least one run");
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
         .Append(E("AttentionSharp report: " + string.Join(", ", runs.Select(r => r.Name))))
         .Append("</title>\n<style>\n")
         .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}")
         .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}")
         .Append("th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:16px}.key{display:inline-block;width:14px;height:4px;margin-right:6px;vertical-align:middle}")
         .Append("pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}img{max-width:100%;border:1px solid #ddd}")
         .Append("\n</style>\n</head>\n<body>\n<h1>AttentionSharp report</h1>\n");
        h.Append("<p>Written ").Append(E(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
         .Append(". Curves: solid = training, dashed = validation; one colour per run.</p>\n<p>");
        for (int i = 0; i < runs.Count; i++)
            h.Append("<span class=\"key\" style=\"background:").Append(Colours[i % Colours.Length]).Append("\"></span>")
             .Append(E(runs[i].Name)).Append(runs[i].Kind != null ? $" ({E(runs[i].Kind!)})" : "").Append(i + 1 < runs.Count ? " &nbsp; " : "");
        h.Append("</p>\n");

        AppendResults(h, runs);
        h.Append("<h2>Learning curves</h2>\n<div class=\"charts\">\n");
        foreach (var metric in Metrics(runs))
        {
            var series = new List<Series>();
            for (int i = 0; i < runs.Count; i++)
            {
                string colour = Colours[i % Colours.Length];
                foreach (var (prefix, dashed) in new[] { ("train_", false), ("valid_", true), ("", false) })
                {
                    var points = runs[i].Epochs
                        .Where(e => e[prefix + metric] is JsonValue v && v.TryGetValue(out double _))
                        .Select(e => (X: e["epoch"]!.GetValue<double>(), Y: e[prefix + metric]!.GetValue<double>()))
                        .Where(p => double.IsFinite(p.Y)).ToList();
                    if (points.Count > 0) series.Add(new Series($"{runs[i].Name} {prefix.TrimEnd('_')}".Trim(), colour, dashed, points));
                }
            }
            if (series.Count > 0) h.Append(Chart(metric, series, logY: metric == "lr")).Append('\n');
        }
        h.Append("</div>\n");

        foreach (var run in runs)
        {
            h.Append("<h2>").Append(E(run.Name)).Append("</h2>\n<p>").Append(E(run.Folder)).Append("</p>\n");
            if (run.State != null)
                h.Append("<p>").Append(run.State.Epoch).Append(" epochs, best at epoch ").Append(run.State.BestEpoch)
                 .Append(run.State.Stopped ? ", stopped early" : "").Append(", ")
                 .Append(Math.Round(run.State.Seconds).ToString(CultureInfo.InvariantCulture)).Append(" s of training</p>\n");
            if (run.Options != null)
                h.Append("<details><summary>options</summary><pre>").Append(E(run.Options.ToJsonString(new JsonSerializerOptions { WriteIndented = true })))
                 .Append("</pre></details>\n");
            foreach (var png in run.Pictures)
                h.Append("<figure><img alt=\"").Append(E(Path.GetFileName(png))).Append("\" src=\"data:image/png;base64,")
                 .Append(Convert.ToBase64String(File.ReadAllBytes(png))).Append("\"><figcaption>").Append(E(Path.GetFileName(png))).Append("</figcaption></figure>\n");
        }
        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>The metric names of the runs' epochs, without their train_/valid_ prefix; the learning rate last.</summary>
    static IEnumerable<string> Metrics(IReadOnlyList<RunRecord> runs)
    {
        var names = new List<string>();
        foreach (var e in runs.SelectMany(r => r.Epochs))
            foreach (var (key, _) in e)
            {
                string name = key.StartsWith("train_", StringComparison.Ordinal) ? key[6..] : key.StartsWith("valid_", StringComparison.Ordinal) ? key[6..] : "";
                if (name.Length > 0 && !names.Contains(name)) names.Add(name);
            }
        return names.Append("lr");
    }

    static void AppendResults(StringBuilder h, IReadOnlyList<RunRecord> runs)
    {
        var keys = new List<string>();
        foreach (var r in runs.Where(r => r.Result != null))
            foreach (var (k, _) in r.Result!)
                if (!keys.Contains(k)) keys.Add(k);
        if (keys.Count == 0) { h.Append("<p>No run has a result.json yet.</p>\n"); return; }
        h.Append("<h2>Results</h2>\n<table>\n<tr><th>key</th>");
        foreach (var r in runs) h.Append("<th>").Append(E(r.Name)).Append("</th>");
        h.Append("</tr>\n");
        foreach (var k in keys)
        {
            h.Append("<tr><td>").Append(E(k)).Append("</td>");
            foreach (var r in runs) h.Append("<td>").Append(E(r.Result?[k]?.ToString() ?? "")).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</table>\n");
    }

    sealed record Series(string Label, string Colour, bool Dashed, IReadOnlyList<(double X, double Y)> Points);

    const int W = 360, H = 220, Left = 52, Right = 10, Top = 24, Bottom = 34;

    /// <summary>An SVG line chart of <paramref name="series"/> with axes, ticks and a title.</summary>
    static string Chart(string title, IReadOnlyList<Series> series, bool logY)
    {
        double Y(double v) => logY ? Math.Log10(Math.Max(v, 1e-30)) : v;
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).ToList();
        var ys = series.SelectMany(s => s.Points.Select(p => Y(p.Y))).ToList();
        double x0 = xs.Min(), x1 = xs.Max(), y0 = ys.Min(), y1 = ys.Max();
        if (x1 <= x0) { x0 -= 1; x1 += 1; }
        if (y1 <= y0) { double pad = Math.Abs(y0) * 0.05 + 1e-9; y0 -= pad; y1 += pad; }
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (W - Left - Right);
        double Py(double y) => Top + (1 - (Y(y) - y0) / (y1 - y0)) * (H - Top - Bottom);
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        s.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{E(title)}\">");
        s.Append($"<title>{E(title)}</title><rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"white\"/>");
        s.Append($"<text x=\"{W / 2}\" y=\"15\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{E(title)}{(logY ? " (log scale)" : "")}</text>");
        s.Append($"<line x1=\"{Left}\" y1=\"{H - Bottom}\" x2=\"{W - Right}\" y2=\"{H - Bottom}\" stroke=\"#444\"/>");
        s.Append($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{H - Bottom}\" stroke=\"#444\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4, py = Top + (1 - i / 4.0) * (H - Top - Bottom);
            string label = logY ? Math.Pow(10, yv).ToString("0.##e0", CultureInfo.InvariantCulture) : yv.ToString("g3", CultureInfo.InvariantCulture);
            s.Append($"<line x1=\"{Left - 4}\" y1=\"{F(py)}\" x2=\"{W - Right}\" y2=\"{F(py)}\" stroke=\"#eee\"/>");
            s.Append($"<text x=\"{Left - 6}\" y=\"{F(py + 4)}\" text-anchor=\"end\" font-size=\"10\">{E(label)}</text>");
            double xv = x0 + (x1 - x0) * i / 4;
            if (x1 - x0 >= 4) xv = Math.Round(xv);   // whole epochs
            s.Append($"<text x=\"{F(Px(xv))}\" y=\"{H - Bottom + 14}\" text-anchor=\"middle\" font-size=\"10\">{F(xv)}</text>");
        }
        s.Append($"<text x=\"{(Left + W - Right) / 2}\" y=\"{H - 4}\" text-anchor=\"middle\" font-size=\"11\">epoch</text>");
        foreach (var ser in series)
        {
            string pts = string.Join(" ", ser.Points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            s.Append($"<polyline fill=\"none\" stroke=\"{ser.Colour}\" stroke-width=\"1.6\"{(ser.Dashed ? " stroke-dasharray=\"5,3\"" : "")} points=\"{pts}\">");
            s.Append($"<title>{E(ser.Label)}</title></polyline>");
            if (ser.Points.Count == 1) s.Append($"<circle cx=\"{F(Px(ser.Points[0].X))}\" cy=\"{F(Py(ser.Points[0].Y))}\" r=\"2.5\" fill=\"{ser.Colour}\"/>");
        }
        s.Append("</svg>");
        return s.ToString();
    }

    /// <summary>HTML/XML escaping.</summary>
    static string E(string text) => WebUtility.HtmlEncode(text);
}
