using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>Draws rows of grey images (e.g. a spatial transformer's input and output) as a PNG grid with column titles.</summary>
public static class ImageGrid
{
    /// <summary>Renders <paramref name="rows"/> (each a list of row-major grey images in [0, 1], one per column, with its height and width) as PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<IReadOnlyList<(float[] Pixels, int Height, int Width)>> rows, IReadOnlyList<string> titles, int scale = 3)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to draw");
        if (scale < 1) throw new ArgumentException($"scale must be positive; got {scale}");
        int columns = titles.Count;
        foreach (var row in rows)
        {
            if (row.Count != columns) throw new ArgumentException($"each row needs {columns} images (one per title); got {row.Count}");
            foreach (var (p, h, w) in row)
                if (h < 1 || w < 1 || p.Length != h * w) throw new ArgumentException($"an image of {h}x{w} needs {h * w} pixels; got {p.Length}");
        }
        int pad = 4, header = 18;
        var colW = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Width) * scale).ToArray();
        var rowH = rows.Select(r => r.Max(i => i.Height) * scale).ToArray();
        int figW = pad + colW.Sum() + columns * pad, figH = header + rowH.Sum() + rows.Count * pad;
        using var bitmap = new SKBitmap(new SKImageInfo(figW, figH, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap)) canvas.Clear(SKColors.White);
        int top = header;
        for (int r = 0; r < rows.Count; r++)
        {
            int left = pad;
            for (int c = 0; c < columns; c++)
            {
                var (p, h, w) = rows[r][c];
                for (int y = 0; y < h * scale; y++)
                    for (int x = 0; x < w * scale; x++)
                    {
                        byte v = (byte)(255 * Math.Clamp(p[(y / scale) * w + x / scale], 0f, 1f));
                        bitmap.SetPixel(left + x, top + y, new SKColor(v, v, v));
                    }
                left += colW[c] + pad;
            }
            top += rowH[r] + pad;
        }
        using (var canvas = new SKCanvas(bitmap))
        using (var font = new SKFont(SKTypeface.Default, 12))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            int left = pad;
            for (int c = 0; c < columns; c++) { canvas.DrawText(titles[c], left + 2, header - 5, SKTextAlign.Left, font, ink); left += colW[c] + pad; }
        }
        return Png.Encode(bitmap);
    }

    /// <summary>Renders and writes the grid atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<IReadOnlyList<(float[] Pixels, int Height, int Width)>> rows, IReadOnlyList<string> titles, int scale = 3) =>
        AtomicFile.WriteAllBytes(path, Render(rows, titles, scale));
}
