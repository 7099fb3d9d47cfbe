using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>One model's BLEU per source-length bucket (null where it has no figure for a bucket).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Bleu">BLEU per bucket, in the figure's bucket order.</param>
/// <param name="Colour">Line colour.</param>
/// <param name="Dashed">Draw a dashed line (baselines).</param>
public sealed record LengthSeries(string Name, IReadOnlyList<double?> Bleu, SKColor Colour, bool Dashed = false);

/// <summary>
/// BLEU against source sentence length (Bahdanau et al. 2015, fig. 2; Luong et al. 2015, fig. 6): one line per model over
/// length buckets, the bucket's sentence count under its label. Lines break where a model has no figure.
/// </summary>
public static class LengthBleuFigure
{
    /// <summary>Line colours for the models, in order (baselines use grey).</summary>
    public static IReadOnlyList<SKColor> Palette { get; } =
    [
        new(31, 119, 180), new(214, 39, 40), new(44, 160, 44), new(148, 103, 189), new(255, 127, 14), new(140, 86, 75), new(227, 119, 194),
    ];

    /// <summary>Renders the figure as PNG bytes.</summary>
    /// <param name="title">Title line.</param>
    /// <param name="buckets">Bucket labels (source words), left to right.</param>
    /// <param name="counts">Test sentences per bucket (null: not shown).</param>
    /// <param name="series">The lines; each holds one value per bucket.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static byte[] Render(string title, IReadOnlyList<string> buckets, IReadOnlyList<int>? counts, IReadOnlyList<LengthSeries> series,
        int width = 760, int height = 520)
    {
        if (buckets.Count == 0) throw new ArgumentException("a length figure needs at least one bucket");
        if (series.Count == 0) throw new ArgumentException("a length figure needs at least one series");
        if (counts != null && counts.Count != buckets.Count) throw new ArgumentException($"counts must have one value per bucket ({buckets.Count}); got {counts.Count}");
        foreach (var s in series)
            if (s.Bleu.Count != buckets.Count) throw new ArgumentException($"series '{s.Name}' must have one value per bucket ({buckets.Count}); got {s.Bleu.Count}");
        double top0 = series.SelectMany(s => s.Bleu).Where(v => v.HasValue).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        double yMax = Math.Max(10, Math.Ceiling(top0 / 10) * 10);
        using var chart = new ChartCanvas(width, height, 60, 20, 40, 64, title);
        float X(int i) => chart.Left + chart.PlotWidth * (i + 0.5f) / buckets.Count;
        float Y(double b) => chart.Top + (float)(chart.PlotHeight * (1 - b / yMax));
        using var small = new SKFont(SKTypeface.Default, 11);
        using var grey = new SKPaint { Color = new SKColor(110, 110, 110), IsAntialias = true };
        for (int g = 0; g <= (int)(yMax / 10); g++) chart.HorizontalGrid(Y(10.0 * g), 10.0 * g, "0");
        for (int i = 0; i < buckets.Count; i++)
        {
            chart.LabelBelow(X(i), buckets[i]);
            if (counts != null) chart.LabelBelow(X(i), $"n={counts[i]}", 33, small, grey);
        }
        chart.XAxisTitle("source sentence length (words)");
        chart.YAxisTitle("BLEU");
        chart.Frame();
        float legendY = chart.Top + 16;
        foreach (var s in series)
        {
            using var paint = new SKPaint { Color = s.Colour, StrokeWidth = 2f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            using var dots = new SKPaint { Color = s.Colour, Style = SKPaintStyle.Fill, IsAntialias = true };
            using var dash = s.Dashed ? SKPathEffect.CreateDash([6f, 4f], 0) : null;
            paint.PathEffect = dash;
            chart.Polyline(buckets.Count, i => s.Bleu[i] is { } v ? new SKPoint(X(i), Y(v)) : null, paint);
            for (int i = 0; i < buckets.Count; i++)
                if (s.Bleu[i] is { } v) chart.Canvas.DrawCircle(X(i), Y(v), 3.5f, dots);
            chart.LegendEntry(chart.Right - 230, legendY, s.Name, paint);
            legendY += 18;
        }
        return chart.ToPng();
    }

    /// <summary>Writes <see cref="Render"/>'s PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string title, IReadOnlyList<string> buckets, IReadOnlyList<int>? counts, IReadOnlyList<LengthSeries> series) =>
        AtomicFile.WriteAllBytes(path, Render(title, buckets, counts, series));
}
