using AttentionSharp.Training;
using SkiaSharp;

namespace AttentionSharp.Visualization;

/// <summary>An attention map on its own grid, row-major, values in [0, 1].</summary>
/// <param name="Values">The coefficients, <c>Height * Width</c> of them.</param>
/// <param name="Height">Rows of the map's grid.</param>
/// <param name="Width">Columns of the map's grid.</param>
public sealed record AttentionMap(float[] Values, int Height, int Width);

/// <summary>One example of a segmentation figure: the image, its true and predicted label maps, and the gates' attention maps.</summary>
/// <param name="Image">Grey image, row-major, values in [0, 1].</param>
/// <param name="Truth">True class of each pixel.</param>
/// <param name="Prediction">Predicted class of each pixel.</param>
/// <param name="Attention">Attention maps (any grid; stretched to the image), e.g. one per gate.</param>
public sealed record SegmentationExample(float[] Image, int[] Truth, int[] Prediction, IReadOnlyList<AttentionMap> Attention);

/// <summary>Draws segmentation results as a PNG grid: one row per example; columns image, truth, prediction and one overlay per attention map.</summary>
public static class SegmentationFigure
{
    static readonly SKColor[] Palette =
    [
        new(0, 0, 0), new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 190),
    ];

    /// <summary>The colour of class <paramref name="c"/> (0 = background, black).</summary>
    public static SKColor ClassColour(int c) => Palette[c % Palette.Length];

    /// <summary>Renders the figure as PNG bytes; <paramref name="attentionTitles"/> name the attention columns; each image pixel becomes <paramref name="scale"/> x <paramref name="scale"/>.</summary>
    public static byte[] Render(IReadOnlyList<SegmentationExample> examples, int height, int width, IReadOnlyList<string> attentionTitles, int scale = 3,
        Func<int, string>? className = null)
    {
        if (examples.Count == 0) throw new ArgumentException("no examples to draw");
        if (height < 1 || width < 1 || scale < 1) throw new ArgumentException($"image size and scale must be positive; got {height}x{width}, scale {scale}");
        int maps = attentionTitles.Count;
        foreach (var e in examples)
        {
            int n = height * width;
            if (e.Image.Length != n || e.Truth.Length != n || e.Prediction.Length != n)
                throw new ArgumentException($"each example needs {n} image, truth and prediction values for {height}x{width}; got {e.Image.Length}, {e.Truth.Length}, {e.Prediction.Length}");
            if (e.Attention.Count != maps) throw new ArgumentException($"each example needs {maps} attention maps (one per title); got {e.Attention.Count}");
            foreach (var m in e.Attention)
                if (m.Values.Length != m.Height * m.Width) throw new ArgumentException($"an attention map of {m.Height}x{m.Width} needs {m.Height * m.Width} values; got {m.Values.Length}");
        }
        className ??= c => c == 0 ? "bg" : (c - 1).ToString();
        int cellW = width * scale, cellH = height * scale, pad = 4, header = 18, legend = 22;
        int columns = 3 + maps;
        int figW = pad + columns * (cellW + pad), figH = header + examples.Count * (cellH + pad) + legend;
        using var bitmap = new SKBitmap(new SKImageInfo(figW, figH, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap)) canvas.Clear(SKColors.White);

        for (int r = 0; r < examples.Count; r++)
        {
            var e = examples[r];
            int top = header + r * (cellH + pad);
            for (int col = 0; col < columns; col++)
            {
                int left = pad + col * (cellW + pad);
                for (int y = 0; y < cellH; y++)
                    for (int x = 0; x < cellW; x++)
                    {
                        int iy = y / scale, ix = x / scale, p = iy * width + ix;
                        float g = Math.Clamp(e.Image[p], 0f, 1f);
                        SKColor c = col switch
                        {
                            0 => Grey(g),
                            1 => Label(e.Truth[p], g),
                            2 => Label(e.Prediction[p], g),
                            _ => Overlay(e.Attention[col - 3], iy, ix, height, width, g),
                        };
                        bitmap.SetPixel(left + x, top + y, c);
                    }
            }
        }

        using (var canvas = new SKCanvas(bitmap))
        using (var font = new SKFont(SKTypeface.Default, 12))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            string[] titles = ["image", "truth", "prediction", .. attentionTitles];
            for (int col = 0; col < columns; col++)
                canvas.DrawText(titles[col], pad + col * (cellW + pad) + 2, header - 5, SKTextAlign.Left, font, ink);
            int classes = Math.Max(examples.Max(e => e.Truth.Max()), examples.Max(e => e.Prediction.Max())) + 1;
            float lx = pad;
            for (int c = 0; c < Math.Min(classes, Palette.Length); c++)
            {
                using var swatch = new SKPaint { Color = ClassColour(c) };
                canvas.DrawRect(lx, figH - legend + 5, 12, 12, swatch);
                canvas.DrawText(className(c), lx + 15, figH - legend + 15, SKTextAlign.Left, font, ink);
                lx += 40;
            }
            canvas.DrawText("attention: blue 0 .. red 1", Math.Max(lx + 10, figW - 170), figH - legend + 15, SKTextAlign.Left, font, ink);
        }
        return Png.Encode(bitmap);
    }

    /// <summary>Renders and writes the figure atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyList<SegmentationExample> examples, int height, int width, IReadOnlyList<string> attentionTitles, int scale = 3,
        Func<int, string>? className = null) =>
        AtomicFile.WriteAllBytes(path, Render(examples, height, width, attentionTitles, scale, className));

    static SKColor Grey(float g) { byte v = (byte)(255 * g); return new SKColor(v, v, v); }

    /// <summary>Class colour over the dimmed image; background shows the image dimmed.</summary>
    static SKColor Label(int c, float g)
    {
        if (c == 0) return Grey(0.35f * g);
        var k = ClassColour(c);
        return new SKColor((byte)(0.75 * k.Red + 0.25 * 255 * g), (byte)(0.75 * k.Green + 0.25 * 255 * g), (byte)(0.75 * k.Blue + 0.25 * 255 * g));
    }

    /// <summary>The attention value at image pixel (iy, ix), nearest on the map's grid, as a blue-to-red heat colour blended 60/40 with the image.</summary>
    static SKColor Overlay(AttentionMap m, int iy, int ix, int height, int width, float g)
    {
        float a = Math.Clamp(m.Values[(iy * m.Height / height) * m.Width + ix * m.Width / width], 0f, 1f);
        var (hr, hg, hb) = Heat(a);
        return new SKColor((byte)(0.6 * hr + 0.4 * 255 * g), (byte)(0.6 * hg + 0.4 * 255 * g), (byte)(0.6 * hb + 0.4 * 255 * g));
    }

    /// <summary>A blue (0) - cyan - yellow - red (1) colour ramp.</summary>
    static (double R, double G, double B) Heat(float a)
    {
        double r = Math.Clamp(1.5 - Math.Abs(4 * a - 3), 0, 1), gr = Math.Clamp(1.5 - Math.Abs(4 * a - 2), 0, 1), b = Math.Clamp(1.5 - Math.Abs(4 * a - 1), 0, 1);
        return (255 * r, 255 * gr, 255 * b);
    }
}
