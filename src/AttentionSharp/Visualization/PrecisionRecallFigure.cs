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
        using var chart = new ChartCanvas(width, height, 60, 20, 40, 50, title);
        float X(double r) => chart.Left + (float)(chart.PlotWidth * Math.Min(r, xMax) / xMax);
        float Y(double p) => chart.Top + (float)(chart.PlotHeight * (1 - p));
        for (int g = 0; g <= 10; g++)
        {
            double p = g / 10.0, r = xMax * g / 10;
            chart.HorizontalGrid(Y(p), p, "0.0");
            chart.Canvas.DrawLine(X(r), chart.Top, X(r), chart.Bottom, chart.Grid);
            chart.LabelBelow(X(r), r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        }
        chart.XAxisTitle("recall");
        chart.Frame();
        float legendY = chart.Bottom - 12 - 18 * (curves.Count - 1);
        foreach (var c in curves)
        {
            using var paint = new SKPaint { Color = c.Colour, StrokeWidth = 1.6f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            int shown = c.Recall.TakeWhile(r => r <= xMax).Count();
            chart.Polyline(shown, i => new SKPoint(X(c.Recall[i]), Y(c.Precision[i])), paint);
            chart.LegendEntry(chart.Right - 220, legendY, c.Name, paint);
            legendY += 18;
        }
        return chart.ToPng();
    }

    /// <summary>Writes <see cref="Render"/>'s PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, string title, IReadOnlyList<PrCurve> curves, double? maxRecall = null) =>
        AtomicFile.WriteAllBytes(path, Render(title, curves, maxRecall));
}
