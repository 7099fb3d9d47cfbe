using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>A precision-recall curve to draw.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Recall">Recall at each rank.</param>
/// <param name="Precision">Precision at each rank.</param>
/// <param name="Colour">Line colour.</param>
public sealed record PrCurve(string Name, double[] Recall, double[] Precision, SKColor Colour);

/// <summary>Precision-recall curves (held-out evaluation of relation extraction, as in Lin et al. 2016 fig. 3), precision 0..1 against recall 0..max.</summary>
public static class PrecisionRecallFigure
{
    /// <summary>Renders the curves as PNG bytes; the recall axis ends at <paramref name="maxRecall"/> (null: the largest recall, rounded up to 0.1).</summary>
    public static byte[] Render(string title, IReadOnlyList<PrCurve> curves, double? maxRecall = null, int width = 760, int height = 520)
    {
        if (curves.Count == 0) throw new ArgumentException("a precision-recall figure needs at least one curve");
        if (curves.Any(c => c.Recall.Length != c.Precision.Length)) throw new ArgumentException("each curve needs as many recall as precision values");
        double xMax = maxRecall ?? Math.Max(0.1, Math.Ceiling(curves.Max(c => c.Recall.Length == 0 ? 0 : c.Recall[^1]) * 10) / 10);
        const int left = 60, right = 20, top = 40, bottom = 50;
        float plotW = width - left - right, plotH = height - top - bottom;
        float X(double r) => left + (float)(plotW * Math.Min(r, xMax) / xMax);
        float Y(double p) => top + (float)(plotH * (1 - p));
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 13);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axis = new SKPaint { Color = new SKColor(120, 120, 120), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(230, 230, 230), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawText(title, left, 24, SKTextAlign.Left, font, text);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (int g = 0; g <= 10; g++)
        {
            double p = g / 10.0, r = xMax * g / 10;
            canvas.DrawLine(left, Y(p), left + plotW, Y(p), grid);
            canvas.DrawLine(X(r), top, X(r), top + plotH, grid);
            canvas.DrawText(p.ToString("0.0", inv), left - 6, Y(p) + 4, SKTextAlign.Right, font, text);
            canvas.DrawText(r.ToString("0.00", inv), X(r), top + plotH + 18, SKTextAlign.Center, font, text);
        }
        canvas.DrawText("recall", left + plotW / 2, height - 10, SKTextAlign.Center, font, text);
        canvas.DrawRect(left, top, plotW, plotH, axis);
        float legendY = top + plotH - 12 - 18 * (curves.Count - 1);
        foreach (var c in curves)
        {
            using var paint = new SKPaint { Color = c.Colour, StrokeWidth = 1.6f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            using var path = new SKPath();
            for (int i = 0; i < c.Recall.Length; i++)
            {
                if (c.Recall[i] > xMax) break;
                if (i == 0) path.MoveTo(X(c.Recall[i]), Y(c.Precision[i])); else path.LineTo(X(c.Recall[i]), Y(c.Precision[i]));
            }
            canvas.DrawPath(path, paint);
            canvas.DrawLine(left + plotW - 220, legendY - 4, left + plotW - 196, legendY - 4, paint);
            canvas.DrawText(c.Name, left + plotW - 190, legendY, SKTextAlign.Left, font, text);
            legendY += 18;
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes <see cref="Render"/>'s PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string title, IReadOnlyList<PrCurve> curves, double? maxRecall = null) =>
        AtomicFile.WriteAllBytes(path, Render(title, curves, maxRecall));
}
