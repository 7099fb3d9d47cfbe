using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>Draws an alignment matrix (output symbols x source symbols, as in Bahdanau et al. 2015, fig. 3): white = 0, black = 1, labelled axes; PNG written atomically.</summary>
public static class AlignmentHeatmap
{
    /// <summary>Renders <paramref name="weights"/> (one row per output symbol, one column per source symbol) to PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<string> sourceSymbols, IReadOnlyList<string> outputSymbols, float[][] weights, int cell = 28)
    {
        if (sourceSymbols.Count == 0 || outputSymbols.Count == 0)
            throw new ArgumentException($"an alignment needs at least one source and one output symbol; got {sourceSymbols.Count} and {outputSymbols.Count}");
        if (weights.Length != outputSymbols.Count || weights.Any(r => r.Length != sourceSymbols.Count))
            throw new ArgumentException($"weights must be ({outputSymbols.Count} outputs, {sourceSymbols.Count} sources); got ({weights.Length}, {(weights.Length > 0 ? weights[0].Length : 0)})");
        if (cell < 8) throw new ArgumentException($"cell must be at least 8 pixels; got {cell}");
        using var font = new SKFont(SKTypeface.Default, cell * 0.5f);
        float labelW(IEnumerable<string> s) => s.Select(x => font.MeasureText(Label(x))).DefaultIfEmpty(0).Max() + 10;
        int left = (int)Math.Ceiling(labelW(outputSymbols)), top = (int)Math.Ceiling(labelW(sourceSymbols));
        int width = left + sourceSymbols.Count * cell + 10, height = top + outputSymbols.Count * cell + 10;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        using var grid = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(200, 200, 200), StrokeWidth = 1 };
        for (int i = 0; i < outputSymbols.Count; i++)
        {
            canvas.DrawText(Label(outputSymbols[i]), left - 5, top + i * cell + cell * 0.68f, SKTextAlign.Right, font, text);
            for (int j = 0; j < sourceSymbols.Count; j++)
            {
                byte g = (byte)Math.Round(255 * (1 - Math.Clamp(weights[i][j], 0f, 1f)));
                fill.Color = new SKColor(g, g, g);
                var rect = SKRect.Create(left + j * cell, top + i * cell, cell, cell);
                canvas.DrawRect(rect, fill);
                canvas.DrawRect(rect, grid);
            }
        }
        for (int j = 0; j < sourceSymbols.Count; j++)
        {
            canvas.Save();
            canvas.Translate(left + j * cell + cell * 0.68f, top - 5);
            canvas.RotateDegrees(-90);
            canvas.DrawText(Label(sourceSymbols[j]), 0, 0, SKTextAlign.Left, font, text);
            canvas.Restore();
        }
        return Png.Encode(surface);
    }

    static string Label(string s) => s == " " ? "␣" : s;

    /// <summary>Renders and writes the PNG atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<string> sourceSymbols, IReadOnlyList<string> outputSymbols, float[][] weights) =>
        AtomicFile.WriteAllBytes(path, Render(sourceSymbols, outputSymbols, weights));
}
