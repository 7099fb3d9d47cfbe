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
        const int left = 60, right = 20, top = 40, bottom = 64;
        float plotW = width - left - right, plotH = height - top - bottom;
        float X(int i) => left + plotW * (i + 0.5f) / buckets.Count;
        float Y(double b) => top + (float)(plotH * (1 - b / yMax));
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var small = new SKFont(SKTypeface.Default, 11);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grey = new SKPaint { Color = new SKColor(110, 110, 110), IsAntialias = true };
        using var axis = new SKPaint { Color = new SKColor(120, 120, 120), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(230, 230, 230), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawText(title, left, 24, SKTextAlign.Left, font, text);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int steps = (int)(yMax / 10);
        for (int g = 0; g <= steps; g++)
        {
            double b = 10.0 * g;
            canvas.DrawLine(left, Y(b), left + plotW, Y(b), grid);
            canvas.DrawText(b.ToString("0", inv), left - 6, Y(b) + 4, SKTextAlign.Right, font, text);
        }
        for (int i = 0; i < buckets.Count; i++)
        {
            canvas.DrawText(buckets[i], X(i), top + plotH + 18, SKTextAlign.Center, font, text);
            if (counts != null) canvas.DrawText($"n={counts[i]}", X(i), top + plotH + 33, SKTextAlign.Center, small, grey);
        }
        canvas.DrawText("source sentence length (words)", left + plotW / 2, height - 10, SKTextAlign.Center, font, text);
        canvas.Save();
        canvas.RotateDegrees(-90, 16, top + plotH / 2);
        canvas.DrawText("BLEU", 16, top + plotH / 2, SKTextAlign.Center, font, text);
        canvas.Restore();
        canvas.DrawRect(left, top, plotW, plotH, axis);
        float legendY = top + 16;
        foreach (var s in series)
        {
            using var paint = new SKPaint { Color = s.Colour, StrokeWidth = 2f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            using var dots = new SKPaint { Color = s.Colour, Style = SKPaintStyle.Fill, IsAntialias = true };
            using var dash = s.Dashed ? SKPathEffect.CreateDash([6f, 4f], 0) : null;
            paint.PathEffect = dash;
            using var path = new SKPath();
            bool open = false;
            for (int i = 0; i < buckets.Count; i++)
            {
                if (s.Bleu[i] is not { } v) { open = false; continue; }
                if (open) path.LineTo(X(i), Y(v)); else path.MoveTo(X(i), Y(v));
                open = true;
                canvas.DrawCircle(X(i), Y(v), 3.5f, dots);
            }
            canvas.DrawPath(path, paint);
            canvas.DrawLine(left + plotW - 230, legendY - 4, left + plotW - 204, legendY - 4, paint);
            canvas.DrawText(s.Name, left + plotW - 198, legendY, SKTextAlign.Left, font, text);
            legendY += 18;
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes <see cref="Render"/>'s PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string title, IReadOnlyList<string> buckets, IReadOnlyList<int>? counts, IReadOnlyList<LengthSeries> series) =>
        AtomicFile.WriteAllBytes(path, Render(title, buckets, counts, series));
}
