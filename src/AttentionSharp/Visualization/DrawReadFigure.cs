using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Training;
using AttentionSharp.Vision;
using SkiaSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Visualization;

/// <summary>What the DRAW-read classifier did on one image: the image, per read the grid (centre, stride, sigma, gamma) and glimpse, and the classes.</summary>
/// <param name="Image">Grey pixels in [0, 1], row-major.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Reads">Per read: centre x, centre y (pixels, 1-based as in the paper), stride delta, sigma, gamma.</param>
/// <param name="Glimpses">Per read the N x N glimpse, row-major.</param>
/// <param name="Grid">N.</param>
/// <param name="Label">True class.</param>
/// <param name="Predicted">Predicted class.</param>
public sealed record DrawReadPath(float[] Image, int Height, int Width, double[][] Reads, float[][] Glimpses, int Grid, int Label, int Predicted);

/// <summary>Draws DRAW reads: per image the N x N grid of each read as a numbered box (the span of the Gaussian centres) and its glimpse.</summary>
public static class DrawReadFigure
{
    /// <summary>Copies a rollout of <paramref name="images"/> <c>(B, 1, H, W)</c> into plain arrays.</summary>
    public static IReadOnlyList<DrawReadPath> FromRollout(Tensor images, Tensor labels, DrawReadRollout rollout, int grid)
    {
        long b = images.shape[0];
        int h = (int)images.shape[2], w = (int)images.shape[3], n = (int)rollout.Parameters.shape[1];
        var img = images.select(1, 0).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var f = DrawAttention.Filterbanks(rollout.Parameters.reshape(-1, 5), grid, h, w);
        double[] Flat(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();
        double[] gx = Flat(f.CentreX), gy = Flat(f.CentreY), delta = Flat(f.Stride), sigma2 = Flat(f.Sigma2), gamma = Flat(f.Gamma);
        var glimpses = rollout.Glimpses.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var lab = labels.cpu().data<long>().ToArray();
        var pred = rollout.Logits.argmax(1).cpu().data<long>().ToArray();
        var list = new List<DrawReadPath>();
        for (int i = 0; i < b; i++)
        {
            var reads = Enumerable.Range(0, n).Select(t => { int k = i * n + t; return new[] { gx[k], gy[k], delta[k], Math.Sqrt(sigma2[k]), gamma[k] }; }).ToArray();
            var patches = Enumerable.Range(0, n).Select(t => glimpses.AsSpan((i * n + t) * grid * grid, grid * grid).ToArray()).ToArray();
            list.Add(new DrawReadPath(img.AsSpan(i * h * w, h * w).ToArray(), h, w, reads, patches, grid, (int)lab[i], (int)pred[i]));
        }
        return list;
    }

    /// <summary>Renders the figure and writes it atomically as PNG.</summary>
    public static void SavePng(string path, IReadOnlyList<DrawReadPath> paths)
    {
        if (paths.Count == 0) throw new ArgumentException("nothing to draw: no images");
        var first = paths[0];
        int h = first.Height, w = first.Width, g = first.Grid, n = paths.Max(p => p.Reads.Length);
        float zoom = MathF.Max(1, MathF.Floor(280f / Math.Max(h, w)));
        float pz = MathF.Max(2, MathF.Floor(64f / g));
        float margin = 16, caption = 22, gap = 6, tile = g * pz;
        float imgW = w * zoom, imgH = h * zoom;
        float rowH = Math.Max(imgH, tile + 30) + caption + margin;
        using var bitmap = new SKBitmap((int)(margin + imgW + 2 * margin + n * (tile + gap) + margin), (int)(margin + paths.Count * rowH), SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 14);
            using var small = new SKFont(SKTypeface.Default, 11);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            for (int r = 0; r < paths.Count; r++)
            {
                var p = paths[r];
                float top = margin + r * rowH, left = margin, y0 = top + caption;
                GlimpsePathFigure.DrawVerdict(canvas, p.Label, p.Predicted, left, top + 14, font);
                GlimpsePathFigure.DrawGrey(canvas, p.Image, w, h, left, y0, zoom);
                canvas.Save();
                canvas.ClipRect(new SKRect(left, y0, left + imgW, y0 + imgH));
                for (int t = 0; t < p.Reads.Length; t++)
                {
                    var colour = GlimpsePathFigure.StepColors[t % GlimpsePathFigure.StepColors.Length];
                    // Pixel a (1-based) is drawn over [a - 1, a); the Gaussian centres span g +- (N/2 - 0.5) delta.
                    double cx = p.Reads[t][0] - 0.5, cy = p.Reads[t][1] - 0.5, half = (g / 2.0 - 0.5) * p.Reads[t][2] + p.Reads[t][3];
                    using var box = new SKPaint { Color = colour, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
                    canvas.DrawRect(left + (float)((cx - half) * zoom), y0 + (float)((cy - half) * zoom), (float)(2 * half * zoom), (float)(2 * half * zoom), box);
                    float dx = left + (float)(cx * zoom), dy = y0 + (float)(cy * zoom);
                    using (var dot = new SKPaint { Color = colour, IsAntialias = true }) canvas.DrawCircle(dx, dy, 8, dot);
                    canvas.DrawText((t + 1).ToString(), dx, dy + 4, SKTextAlign.Center, small, text);
                }
                canvas.Restore();
                float px = left + imgW + 2 * margin;
                for (int t = 0; t < p.Glimpses.Length; t++)
                {
                    float tx = px + t * (tile + gap);
                    canvas.DrawText($"read {t + 1}", tx + tile / 2, y0 + 11, SKTextAlign.Center, small, text);
                    float max = Math.Max(1e-6f, p.Glimpses[t].Max());
                    GlimpsePathFigure.DrawGrey(canvas, [.. p.Glimpses[t].Select(v => v / max)], g, g, tx, y0 + 16, pz);
                    using var border = new SKPaint { Color = GlimpsePathFigure.StepColors[t % GlimpsePathFigure.StepColors.Length], StrokeWidth = 2, Style = SKPaintStyle.Stroke };
                    canvas.DrawRect(tx, y0 + 16, tile, tile, border);
                    canvas.DrawText($"d={p.Reads[t][2]:0.0}", tx + tile / 2, y0 + 30 + tile, SKTextAlign.Center, small, text);
                }
            }
        }
        AtomicFile.WriteAllBytes(path, Png.Encode(bitmap));
    }
}
