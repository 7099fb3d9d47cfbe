using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using AttentionSharp.Vision;
using SkiaSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Visualization;

/// <summary>What RAM did on one image: the image, its glimpse locations and patches, and the predicted and true classes.</summary>
/// <param name="Image">Grey pixels in [0, 1], row-major (first channel).</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Locations">Per glimpse (x, y) in [-1, 1].</param>
/// <param name="Patches">Per glimpse, per scale, the g x g patch row-major (first channel).</param>
/// <param name="Label">True class.</param>
/// <param name="Predicted">Predicted class.</param>
/// <param name="Object">Where the labelled object truly lies (generated canvases), drawn as a dashed box; null when unknown.</param>
public sealed record GlimpsePath(float[] Image, int Height, int Width, double[][] Locations, float[][][] Patches, int Label, int Predicted,
    AttentionSharp.Data.ObjectBox? Object = null);

/// <summary>Draws RAM glimpse paths: per image the path with numbered multi-scale boxes, the extracted patches, and predicted vs true class.</summary>
public static class GlimpsePathFigure
{
    internal static readonly SKColor[] StepColors =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 212),
    ];

    /// <summary>Copies a rollout (kept patches required) of <paramref name="images"/> <c>(B, C, H, W)</c> into plain arrays.</summary>
    /// <remarks><paramref name="boxes"/>, when given, holds the true object box of each image.</remarks>
    public static IReadOnlyList<GlimpsePath> FromRollout(Tensor images, Tensor labels, RamRollout rollout, GlimpseSensor sensor,
        IReadOnlyList<AttentionSharp.Data.ObjectBox>? boxes = null)
    {
        if (rollout.Patches is null) throw new ArgumentException("the rollout has no patches; run it with keepPatches: true");
        long b = images.shape[0];
        int n = (int)rollout.Locations.shape[1], k = sensor.Scales, g = sensor.Patch;
        var img = images.select(1, 0).to(ScalarType.Float32).cpu().data<float>().ToArray();                  // (B*H*W)
        var loc = rollout.Locations.to(ScalarType.Float64).cpu().data<double>().ToArray();                   // (B*N*2)
        var pat = rollout.Patches.select(3, 0).to(ScalarType.Float32).cpu().data<float>().ToArray();         // (B*N*k*g*g)
        var lab = labels.cpu().data<long>().ToArray();
        var pred = rollout.LogProbs.argmax(1).cpu().data<long>().ToArray();
        int hw = sensor.Height * sensor.Width;
        var list = new List<GlimpsePath>();
        for (int i = 0; i < b; i++)
        {
            var locations = Enumerable.Range(0, n).Select(t => new[] { loc[(i * n + t) * 2], loc[(i * n + t) * 2 + 1] }).ToArray();
            var patches = Enumerable.Range(0, n).Select(t => Enumerable.Range(0, k)
                .Select(s => pat.AsSpan(((i * n + t) * k + s) * g * g, g * g).ToArray()).ToArray()).ToArray();
            list.Add(new GlimpsePath(img.AsSpan(i * hw, hw).ToArray(), sensor.Height, sensor.Width, locations, patches, (int)lab[i], (int)pred[i],
                boxes is null ? null : boxes[i]));
        }
        return list;
    }

    /// <summary>Renders the figure and writes it atomically as PNG to <paramref name="path"/>.</summary>
    public static void SavePng(string path, IReadOnlyList<GlimpsePath> paths, GlimpseSensor sensor)
    {
        using var bitmap = Render(paths, sensor);
        AtomicFile.WriteAllBytes(path, Png.Encode(bitmap));
    }

    /// <summary>Renders one row per image: the image with path and boxes, then a grid of patches (columns = steps, rows = scales).</summary>
    public static SKBitmap Render(IReadOnlyList<GlimpsePath> paths, GlimpseSensor sensor)
    {
        if (paths.Count == 0) throw new ArgumentException("nothing to draw: no glimpse paths");
        int h = sensor.Height, w = sensor.Width, k = sensor.Scales, g = sensor.Patch;
        int n = paths.Max(p => p.Locations.Length);
        float zoom = MathF.Max(1, MathF.Floor(280f / Math.Max(h, w)));
        float pz = MathF.Max(2, MathF.Floor(64f / g));
        float margin = 16, caption = 22, gap = 6;
        float imgW = w * zoom, imgH = h * zoom, tile = g * pz;
        float patchesW = n * (tile + gap), patchesH = k * (tile + gap) + 16;
        float rowH = Math.Max(imgH, patchesH) + caption + margin;
        int width = (int)(margin + imgW + 2 * margin + patchesW + margin);
        int height = (int)(margin + paths.Count * rowH);
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 14);
        using var small = new SKFont(SKTypeface.Default, 11);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int r = 0; r < paths.Count; r++)
        {
            var p = paths[r];
            float top = margin + r * rowH, left = margin;
            DrawVerdict(canvas, p.Label, p.Predicted, left, top + 14, font);
            float y0 = top + caption;
            DrawGrey(canvas, p.Image, w, h, left, y0, zoom);
            canvas.Save();
            canvas.ClipRect(new SKRect(left, y0, left + imgW, y0 + imgH));
            if (p.Object is { } ob)
            {
                using var truth = new SKPaint { Color = new SKColor(0, 220, 255), StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke,
                    PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
                canvas.DrawRect(left + ob.Left * zoom, y0 + ob.Top * zoom, ob.Width * zoom, ob.Height * zoom, truth);
            }
            var centres = p.Locations.Select(l => Centre(l, w, h)).ToArray();
            using (var line = new SKPaint { Color = new SKColor(255, 255, 255, 200), StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke })
                for (int t = 1; t < centres.Length; t++)
                    canvas.DrawLine(left + centres[t - 1].X * zoom, y0 + centres[t - 1].Y * zoom, left + centres[t].X * zoom, y0 + centres[t].Y * zoom, line);
            for (int t = 0; t < centres.Length; t++)
            {
                var colour = StepColors[t % StepColors.Length];
                for (int s = 0; s < k; s++)
                {
                    int crop = sensor.CropSize(s);
                    float bx = GlimpseSensor.CropStart((long)centres[t].X, crop), by = GlimpseSensor.CropStart((long)centres[t].Y, crop);
                    using var box = new SKPaint { Color = colour.WithAlpha((byte)(230 - 50 * s)), StrokeWidth = s == 0 ? 2 : 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
                    canvas.DrawRect(left + bx * zoom, y0 + by * zoom, crop * zoom, crop * zoom, box);
                }
                float cx = left + (centres[t].X + 0.5f) * zoom, cy = y0 + (centres[t].Y + 0.5f) * zoom;
                using (var dot = new SKPaint { Color = colour, IsAntialias = true }) canvas.DrawCircle(cx, cy, 9, dot);
                canvas.DrawText((t + 1).ToString(), cx, cy + 4, SKTextAlign.Center, small, text);
            }
            canvas.Restore();
            float px = left + imgW + 2 * margin;
            for (int s = 0; s < k; s++)
                canvas.DrawText($"x{1 << s}", px - 4, y0 + 16 + s * (tile + gap) + tile / 2 + 4, SKTextAlign.Right, small, text);
            for (int t = 0; t < p.Patches.Length; t++)
            {
                float tx = px + t * (tile + gap);
                canvas.DrawText($"step {t + 1}", tx + tile / 2, y0 + 11, SKTextAlign.Center, small, text);
                for (int s = 0; s < k; s++)
                {
                    float ty = y0 + 16 + s * (tile + gap);
                    DrawGrey(canvas, p.Patches[t][s], g, g, tx, ty, pz);
                    using var border = new SKPaint { Color = StepColors[t % StepColors.Length], StrokeWidth = 2, Style = SKPaintStyle.Stroke };
                    canvas.DrawRect(tx, ty, tile, tile, border);
                }
            }
        }
        return bitmap;
    }

    static SKPoint Centre(double[] l, int w, int h) => new(GlimpseSensor.Centre(l[0], w), GlimpseSensor.Centre(l[1], h));

    /// <summary>The caption over one example: true and predicted class, green when right, red with "(wrong)" when not.</summary>
    internal static void DrawVerdict(SKCanvas canvas, int label, int predicted, float x, float y, SKFont font)
    {
        bool right = predicted == label;
        using var paint = new SKPaint { Color = right ? new SKColor(0, 128, 0) : new SKColor(200, 0, 0), IsAntialias = true };
        canvas.DrawText($"true {label}   predicted {predicted}" + (right ? "" : "   (wrong)"), x, y, SKTextAlign.Left, font, paint);
    }

    internal static void DrawGrey(SKCanvas canvas, float[] pixels, int w, int h, float x, float y, float zoom)
    {
        using var bmp = new SKBitmap(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
        var bytes = new byte[w * h];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp((int)MathF.Round(pixels[i] * 255), 0, 255);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bmp.GetPixels(), bytes.Length);
        using var img = SKImage.FromBitmap(bmp);
        canvas.DrawImage(img, new SKRect(x, y, x + w * zoom, y + h * zoom), new SKSamplingOptions(SKFilterMode.Nearest));
    }
}
