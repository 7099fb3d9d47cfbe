using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using SkiaSharp;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>What to compare: finished translation runs, drawn as BLEU by source length in one figure.</summary>
/// <param name="Runs">Run folders (their <c>result.json</c>, else <c>eval-test-beam1.json</c>) or result files, in legend order.</param>
/// <param name="Output">PNG file to write.</param>
/// <param name="Names">Legend names, one per run (null: each run's architecture and folder name).</param>
/// <param name="Title">Title of the figure (null: the task and the test sentences).</param>
public sealed record TranslateCompareSpec(IReadOnlyList<string> Runs, string Output = "bleu-by-length.png", IReadOnlyList<string>? Names = null, string? Title = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Runs is null || Runs.Count == 0) throw new ArgumentException("Runs must name at least one run folder or result file");
        if (Runs.Count > LengthBleuFigure.Palette.Count) throw new ArgumentException($"Runs must name at most {LengthBleuFigure.Palette.Count} runs (one colour each); got {Runs.Count}");
        if (Names != null && Names.Count != Runs.Count) throw new ArgumentException($"Names must give one name per run ({Runs.Count}); got {Names.Count}");
        if (string.IsNullOrWhiteSpace(Output) || !Output.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Output must name a .png file; got '{Output}'");
    }
}

/// <summary>
/// BLEU by source sentence length across translation runs (the figure of Bahdanau et al. 2015 and Luong et al. 2015):
/// reads each run's test figures per length bucket (written by <see cref="TranslateExperiment.Train"/> and
/// <see cref="TranslateExperiment.Evaluate"/>), adds the retrieval baseline of the first run that has one, logs the table
/// and draws the lines.
/// </summary>
public static class TranslationComparison
{
    /// <summary>The length buckets of <see cref="TranslateExperiment.LengthBuckets"/>: their result-key names and axis labels.</summary>
    static IReadOnlyList<(string Key, string Label)> Buckets { get; } = TranslateExperiment.LengthBuckets
        .Select(b => (TranslateExperiment.BucketKey(b), b.Hi == int.MaxValue ? $"{b.Lo}+" : $"{b.Lo}-{b.Hi}")).ToList();

    /// <summary>One run's test figures: its legend name, the file read and the result object with its key prefix.</summary>
    sealed record Scores(string Name, string File, JsonObject Result, string Prefix)
    {
        public double? Get(string key) => Result[Prefix + key] is JsonValue v && v.TryGetValue(out double d) ? d : null;
    }

    /// <summary>Draws the figure of <paramref name="spec"/> and returns the table as a result (per run: overall BLEU and BLEU per bucket).</summary>
    public static RunResult Compare(TranslateCompareSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var runs = spec.Runs.Select((r, i) => Read(r, spec.Names?[i])).ToList();
        var used = Buckets.Where(b => runs.Any(r => r.Get("bleu_len_" + b.Key) != null)).ToList();
        if (used.Count == 0)
            throw new InvalidDataException($"none of the runs has BLEU by source length (bleu_len_* keys): {string.Join(", ", runs.Select(r => r.File))}");
        var first = runs[0];
        var counts = used.Select(b => (int?)first.Get("n_len_" + b.Key)).ToList();
        foreach (var r in runs.Skip(1))
            if (!used.Select(b => (int?)r.Get("n_len_" + b.Key)).SequenceEqual(counts))
                context.Log.WriteLine($"note: {r.Name} was scored on other test sentences than {first.Name} (sentences per bucket differ): its line is not directly comparable");
        var series = runs.Select((r, i) => new LengthSeries(r.Name, used.Select(b => r.Get("bleu_len_" + b.Key)).ToList(), LengthBleuFigure.Palette[i])).ToList();
        var baseline = runs.FirstOrDefault(r => used.Any(b => r.Get("retrieval_bleu_len_" + b.Key) != null));
        if (baseline != null)
            series.Add(new LengthSeries("retrieval baseline", used.Select(b => baseline.Get("retrieval_bleu_len_" + b.Key)).ToList(), new SKColor(120, 120, 120), Dashed: true));

        string task = first.Result["task"]?.ToString() ?? "translation";
        string title = spec.Title ?? $"BLEU by source length, {task} test" + (first.Get("sentences") is { } n ? $" ({n:0} sentences)" : "");
        string png = Path.GetFullPath(spec.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        LengthBleuFigure.Save(png, title, used.Select(b => b.Label).ToList(),
            counts.All(c => c != null) ? counts.Select(c => c!.Value).ToList() : null, series);

        var inv = CultureInfo.InvariantCulture;
        string Cell(double? v) => v is { } d ? d.ToString("0.00", inv) : "-";
        var log = context.Log;
        int width = Math.Max(10, series.Max(s => s.Name.Length));
        log.WriteLine($"{"source words".PadRight(width)}  {string.Join("  ", used.Select(b => b.Label.PadLeft(6)))}     all");
        if (counts.All(c => c != null)) log.WriteLine($"{"sentences".PadRight(width)}  {string.Join("  ", counts.Select(c => c!.Value.ToString(inv).PadLeft(6)))}");
        foreach (var (s, i) in series.Select((s, i) => (s, i)))
        {
            double? all = i < runs.Count ? runs[i].Get("bleu") : baseline?.Get("retrieval_bleu");
            log.WriteLine($"{s.Name.PadRight(width)}  {string.Join("  ", s.Bleu.Select(v => Cell(v).PadLeft(6)))}  {Cell(all).PadLeft(6)}");
        }

        var result = new RunResult().Add("runs", runs.Count).Add("png", png);
        for (int i = 0; i < runs.Count; i++)
        {
            string p = $"run{i + 1}_";
            result.Add(p + "name", runs[i].Name);
            if (runs[i].Get("bleu") is { } b) result.Add(p + "bleu", b);
            foreach (var (bucket, v) in used.Zip(series[i].Bleu))
                if (v is { } x) result.Add($"{p}bleu_len_{bucket.Key}", x);
        }
        return result;
    }

    /// <summary>Reads a run folder's <c>result.json</c> (keys <c>test_*</c>), else its <c>eval-test-beam1.json</c>, or a result file given directly.</summary>
    static Scores Read(string run, string? name)
    {
        string path = Path.GetFullPath(run);
        string file;
        if (Directory.Exists(path))
        {
            file = new[] { "result.json", "eval-test-beam1.json" }.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"run folder '{path}' has neither result.json nor eval-test-beam1.json: let its training finish, or score it with 'attn translate eval --checkpoint {run}'");
        }
        else if (File.Exists(path)) file = path;
        else throw new FileNotFoundException($"'{run}' is neither a run folder nor a result file");
        JsonObject obj;
        try { obj = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{file} is not a translation result: {e.Message}", e); }
        string prefix = obj.ContainsKey("test_bleu") ? "test_" : "";
        if (!obj.ContainsKey(prefix + "bleu")) throw new InvalidDataException($"{file} is not a translation result: it has no {prefix}bleu");
        string label = name ?? $"{obj["arch"]?.ToString() ?? "?"} ({Path.GetFileName(Directory.Exists(path) ? path : Path.GetDirectoryName(path)!)})";
        return new Scores(label, file, obj, prefix);
    }
}
