using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>A line of a forecast plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">One value per time step (NaN = no point).</param>
/// <param name="Colour">Line colour.</param>
public sealed record ForecastLine(string Name, double[] Values, SKColor Colour);

/// <summary>A shaded interval of a forecast plot (e.g. a prediction interval around the model's forecasts).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Low">Lower edge, one value per time step.</param>
/// <param name="High">Upper edge, one value per time step.</param>
/// <param name="Colour">Fill colour (drawn translucent).</param>
public sealed record ForecastBand(string Name, double[] Low, double[] High, SKColor Colour);

/// <summary>Pictures of forecasts: the forecasts against the truth over time, and bar charts of attention weights.</summary>
public static class ForecastFigure
{
    /// <summary>Colours for forecast lines after the truth (black).</summary>
    public static readonly SKColor[] Palette = [new(220, 50, 47), new(38, 139, 210), new(133, 153, 0), new(211, 54, 130), new(181, 137, 0)];

    /// <summary>Renders lines over time steps labelled <paramref name="times"/> (a label every ~10% of the axis) as PNG bytes.</summary>
    public static byte[] RenderLines(string title, IReadOnlyList<string> times, IReadOnlyList<ForecastLine> lines, int width = 1400, int height = 460, ForecastBand? band = null)
    {
        if (lines.Count == 0 || times.Count < 2) throw new ArgumentException("a forecast plot needs at least one line and two time steps");
        if (lines.Any(l => l.Values.Length != times.Count)) throw new ArgumentException($"every line needs {times.Count} values");
        if (band != null && (band.Low.Length != times.Count || band.High.Length != times.Count)) throw new ArgumentException($"the band needs {times.Count} low and high values");
        var finite = lines.SelectMany(l => l.Values).Concat(band?.Low ?? []).Concat(band?.High ?? []).Where(double.IsFinite).ToArray();
        double lo = finite.Min(), hi = finite.Max();
        if (hi - lo < 1e-12) { lo -= 1; hi += 1; }
        double pad = 0.05 * (hi - lo);
        lo -= pad; hi += pad;
        using var chart = new ChartCanvas(width, height, 70, 20, 40, 50, title);
        float X(int i) => chart.Left + chart.PlotWidth * i / (times.Count - 1);
        float Y(double v) => chart.Top + (float)(chart.PlotHeight * (hi - v) / (hi - lo));
        var canvas = chart.Canvas;
        for (int g = 0; g <= 5; g++) chart.HorizontalGrid(Y(lo + (hi - lo) * g / 5), lo + (hi - lo) * g / 5, "0.##");
        int every = Math.Max(1, times.Count / 10);
        for (int i = 0; i < times.Count; i += every)
        {
            canvas.DrawLine(X(i), chart.Bottom, X(i), chart.Bottom + 5, chart.Axis);
            chart.LabelBelow(X(i), times[i], 20);
        }
        chart.Frame();
        float legendX = chart.Right;
        if (band != null)
        {
            using var fill = new SKPaint { Color = band.Colour.WithAlpha(60), Style = SKPaintStyle.Fill, IsAntialias = true };
            using var path = new SKPath();
            path.MoveTo(X(0), Y(band.High[0]));
            for (int i = 1; i < times.Count; i++) path.LineTo(X(i), Y(band.High[i]));
            for (int i = times.Count - 1; i >= 0; i--) path.LineTo(X(i), Y(band.Low[i]));
            path.Close();
            canvas.DrawPath(path, fill);
            legendX -= chart.Font.MeasureText(band.Name) + 40;
            canvas.DrawRect(legendX, 14, 24, 12, fill);
            canvas.DrawText(band.Name, legendX + 28, 24, SKTextAlign.Left, chart.Font, chart.Text);
        }
        for (int li = lines.Count - 1; li >= 0; li--)
        {
            var line = lines[li];
            using var paint = new SKPaint { Color = line.Colour, StrokeWidth = li == 0 ? 1.6f : 1.1f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            chart.Polyline(times.Count, i => double.IsFinite(line.Values[i]) ? new SKPoint(X(i), Y(line.Values[i])) : null, paint);
            legendX -= chart.Font.MeasureText(line.Name) + 40;
            chart.LegendEntry(legendX, 24, line.Name, paint);
        }
        return chart.ToPng();
    }

    /// <summary>Renders a horizontal bar chart of <paramref name="values"/> by <paramref name="labels"/> (in the given order) as PNG bytes.</summary>
    public static byte[] RenderBars(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, int width = 700)
    {
        if (labels.Count == 0 || labels.Count != values.Count) throw new ArgumentException($"bars need as many labels as values; got {labels.Count} and {values.Count}");
        const int rowH = 18, top = 40, bottom = 20;
        using var font = new SKFont(SKTypeface.Default, 12);
        int left = (int)Math.Ceiling(labels.Max(l => font.MeasureText(l))) + 16;
        int height = top + rowH * labels.Count + bottom;
        double max = Math.Max(values.Max(), 1e-12);
        float barMax = width - left - 80;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var bar = new SKPaint { Color = new SKColor(38, 139, 210), Style = SKPaintStyle.Fill };
        canvas.DrawText(title, 10, 24, SKTextAlign.Left, font, text);
        for (int i = 0; i < labels.Count; i++)
        {
            float y = top + i * rowH;
            canvas.DrawText(labels[i], left - 8, y + 13, SKTextAlign.Right, font, text);
            float w = (float)(barMax * Math.Max(0, values[i]) / max);
            canvas.DrawRect(left, y + 3, w, rowH - 6, bar);
            canvas.DrawText(values[i].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), left + w + 6, y + 13, SKTextAlign.Left, font, text);
        }
        return Png.Encode(surface);
    }

    /// <summary>Writes <see cref="RenderLines"/> atomically.</summary>
    public static void SaveLines(string path, string title, IReadOnlyList<string> times, IReadOnlyList<ForecastLine> lines, ForecastBand? band = null) =>
        AtomicFile.WriteAllBytes(path, RenderLines(title, times, lines, band: band));

    /// <summary>Writes <see cref="RenderBars"/> atomically.</summary>
    public static void SaveBars(string path, string title, IReadOnlyList<string> labels, IReadOnlyList<double> values) =>
        AtomicFile.WriteAllBytes(path, RenderBars(title, labels, values));
}
