using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>One captioned image to draw.</summary>
/// <param name="Pixels">Grey bytes, row-major.</param>
/// <param name="Size">Side of the square image.</param>
/// <param name="Words">Generated words (EOS excluded).</param>
/// <param name="Weights">Per word, the attention over the <see cref="Grid"/> x <see cref="Grid"/> regions (row-major), or null without attention.</param>
/// <param name="Grid">Side of the region grid.</param>
/// <param name="Title">Text above the row (e.g. the reference and whether the caption matched).</param>
/// <param name="ImageLabel">Text over the plain image (null: "image", and the generated caption in quotes goes after the title; without word panels the caption itself).</param>
public sealed record CaptionExample(byte[] Pixels, int Size, string[] Words, float[][]? Weights, int Grid, string Title, string? ImageLabel = null);

/// <summary>
/// The figure of Xu et al. 2015 (figures 2-3): per image a row with the image, then for each generated word the attention map
/// upsampled (bilinear) to the image and laid over it (orange, opacity proportional to the weight over the map's largest, or over
/// 4/L when that is larger, so that a nearly uniform map stays faint),
/// the word written above.
/// </summary>
public static class CaptionFigure
{
    /// <summary>Bilinear upsampling of a row-major <paramref name="grid"/>-square map to <paramref name="size"/> x <paramref name="size"/> (sample at cell centres, clamped at the borders).</summary>
    public static float[] Upsample(float[] map, int grid, int size)
    {
        if (map.Length != grid * grid) throw new ArgumentException($"a {grid}x{grid} map needs {grid * grid} weights; got {map.Length}");
        var o = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            double gy = Math.Clamp((y + 0.5) * grid / size - 0.5, 0, grid - 1);
            int y0 = (int)gy, y1 = Math.Min(y0 + 1, grid - 1);
            double fy = gy - y0;
            for (int x = 0; x < size; x++)
            {
                double gx = Math.Clamp((x + 0.5) * grid / size - 0.5, 0, grid - 1);
                int x0 = (int)gx, x1 = Math.Min(x0 + 1, grid - 1);
                double fx = gx - x0;
                o[y * size + x] = (float)((1 - fy) * ((1 - fx) * map[y0 * grid + x0] + fx * map[y0 * grid + x1]) + fy * ((1 - fx) * map[y1 * grid + x0] + fx * map[y1 * grid + x1]));
            }
        }
        return o;
    }

    /// <summary>Renders the examples as PNG bytes, each image drawn <paramref name="scale"/> times larger.</summary>
    public static byte[] Render(IReadOnlyList<CaptionExample> examples, int scale = 2)
    {
        if (examples.Count == 0) throw new ArgumentException("no examples to draw");
        if (scale < 1) throw new ArgumentException($"scale must be positive; got {scale}");
        foreach (var e in examples)
        {
            if (e.Pixels.Length != e.Size * e.Size) throw new ArgumentException($"a {e.Size}x{e.Size} image needs {e.Size * e.Size} pixels; got {e.Pixels.Length}");
            if (e.Weights != null && e.Weights.Length < e.Words.Length) throw new ArgumentException($"{e.Words.Length} words need as many attention rows; got {e.Weights.Length}");
        }
        int pad = 6, title = 18, label = 16;
        int panel = examples.Max(e => e.Size) * scale;
        int columns = 1 + examples.Max(e => e.Weights == null ? 0 : e.Words.Length);
        int rowH = title + label + panel + pad;
        int figW = Math.Max(pad + columns * (panel + pad), 420), figH = pad + examples.Count * rowH;
        using var bitmap = new SKBitmap(new SKImageInfo(figW, figH, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap)) canvas.Clear(SKColors.White);
        var texts = new List<(string Text, float X, float Y, bool Bold)>();
        for (int r = 0; r < examples.Count; r++)
        {
            var e = examples[r];
            int top = pad + r * rowH;
            // The generated caption is wider than a panel: with word panels beside the image it goes on the title line.
            string caption = "\"" + string.Join(' ', e.Words) + "\"";
            bool panels = e.Weights != null && e.Words.Length > 0;
            texts.Add((panels && e.ImageLabel == null ? $"{e.Title}: {caption}" : e.Title, pad, top + 13, false));
            int imgTop = top + title + label;
            Draw(bitmap, e, null, pad, imgTop, scale);
            texts.Add((e.ImageLabel ?? (panels ? "image" : caption), pad, imgTop - 4, true));
            if (e.Weights == null) continue;
            for (int t = 0; t < e.Words.Length; t++)
            {
                int left = pad + (t + 1) * (panel + pad);
                Draw(bitmap, e, e.Weights[t], left, imgTop, scale);
                if (t > 0) texts.Add((e.Words[t], left + 2, imgTop - 4, true));
            }
            if (e.Words.Length > 0) texts.Add((e.Words[0], pad + panel + pad + 2, imgTop - 4, true));
        }
        using (var canvas = new SKCanvas(bitmap))
        using (var font = new SKFont(SKTypeface.Default, 12))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            foreach (var (text, x, y, _) in texts) canvas.DrawText(text, x, y, SKTextAlign.Left, font, ink);
        return Png.Encode(bitmap);
    }

    static void Draw(SKBitmap bitmap, CaptionExample e, float[]? weights, int left, int top, int scale)
    {
        float[]? heat = null;
        if (weights != null)
        {
            // Full opacity at the map's largest weight, but never below 4x the uniform weight: a nearly uniform map stays faint.
            heat = Upsample(weights, e.Grid, e.Size);
            float max = Math.Max(weights.Max(), 4f / weights.Length);
            for (int i = 0; i < heat.Length; i++) heat[i] = Math.Clamp(heat[i] / max, 0f, 1f);
        }
        for (int y = 0; y < e.Size * scale; y++)
            for (int x = 0; x < e.Size * scale; x++)
            {
                int p = (y / scale) * e.Size + x / scale;
                double v = e.Pixels[p];
                if (heat == null) { bitmap.SetPixel(left + x, top + y, new SKColor((byte)v, (byte)v, (byte)v)); continue; }
                double a = 0.7 * heat[p];
                bitmap.SetPixel(left + x, top + y, new SKColor((byte)(v * (1 - a) + 255 * a), (byte)(v * (1 - a) + 140 * a), (byte)(v * (1 - a))));
            }
    }

    /// <summary>Renders and writes the figure atomically.</summary>
    public static void SavePng(string path, IReadOnlyList<CaptionExample> examples, int scale = 2) => AtomicFile.WriteAllBytes(path, Render(examples, scale));
}
