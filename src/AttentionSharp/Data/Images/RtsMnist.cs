using static TorchSharp.torch;

namespace AttentionSharp.Data;

/// <summary>How rotated, translated and scaled (RTS) digits are generated.</summary>
/// <param name="Canvas">Side of the square canvas in pixels (42 in Jaderberg et al.).</param>
/// <param name="MaxRotationDegrees">Rotation drawn uniformly from +-this many degrees.</param>
/// <param name="MinScale">Smallest scale factor.</param>
/// <param name="MaxScale">Largest scale factor.</param>
public sealed record RtsOptions(int Canvas = 42, double MaxRotationDegrees = 45, double MinScale = 0.7, double MaxScale = 1.2)
{
    /// <summary>Checks the values, naming the bad one.</summary>
    public void Validate()
    {
        if (Canvas < 8) throw new ArgumentException($"canvas must be at least 8 pixels; got {Canvas}");
        if (MaxRotationDegrees is < 0 or > 180) throw new ArgumentException($"rotation must be in 0..180 degrees; got {MaxRotationDegrees}");
        if (!(MinScale > 0) || MaxScale < MinScale) throw new ArgumentException($"need 0 < min scale <= max scale; got {MinScale}..{MaxScale}");
    }
}

/// <summary>
/// Distorted MNIST of Jaderberg et al. 2015 ("Spatial Transformer Networks", sec. 4.1, RTS): each digit rotated by a
/// uniform angle in +-45 degrees, scaled by a uniform factor in [0.7, 1.2] and placed at a uniform position on a 42x42
/// canvas such that its centre stays inside the central <c>Canvas - 28 * scale</c> square; bilinear resampling, zero outside.
/// Deterministic by seed.
/// </summary>
public static class RtsMnist
{
    /// <summary>The distorted copy of every digit in <paramref name="digits"/> (one each), labels kept.</summary>
    public static ImageDataset Generate(ImageDataset digits, long seed, RtsOptions? options = null, Device? device = null)
    {
        var o = options ?? new RtsOptions();
        o.Validate();
        int c = o.Canvas, h = digits.Height, w = digits.Width, n = c * c;
        var pixels = new byte[(long)digits.Count * n];
        var labels = new byte[digits.Count];
        var rng = new Random(unchecked((int)(seed * 1_000_000_007L)));
        for (int i = 0; i < digits.Count; i++)
        {
            double angle = (2 * rng.NextDouble() - 1) * o.MaxRotationDegrees * Math.PI / 180;
            double scale = o.MinScale + rng.NextDouble() * (o.MaxScale - o.MinScale);
            double half = Math.Max(0, (c - Math.Max(h, w) * scale) / 2);
            double cx = (c - 1) / 2.0 + (2 * rng.NextDouble() - 1) * half;
            double cy = (c - 1) / 2.0 + (2 * rng.NextDouble() - 1) * half;
            Warp(digits.Pixels(i), h, w, pixels.AsSpan(i * n, n), c, angle, scale, cx, cy);
            labels[i] = (byte)digits.Label(i);
        }
        return new ImageDataset(pixels, labels, c, c, digits.Classes, device);
    }

    /// <summary>Draws <paramref name="src"/> rotated by <paramref name="angle"/> radians and scaled about its centre, centred at (<paramref name="cx"/>, <paramref name="cy"/>) on the canvas.</summary>
    public static void Warp(ReadOnlySpan<byte> src, int h, int w, Span<byte> dst, int canvas, double angle, double scale, double cx, double cy)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle), sx0 = (w - 1) / 2.0, sy0 = (h - 1) / 2.0;
        for (int y = 0; y < canvas; y++)
            for (int x = 0; x < canvas; x++)
            {
                // Inverse map: canvas offset from the centre, rotated back by -angle, divided by the scale.
                double dx = x - cx, dy = y - cy;
                double sx = (cos * dx + sin * dy) / scale + sx0, sy = (-sin * dx + cos * dy) / scale + sy0;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0, v = 0;
                for (int k = 0; k < 4; k++)
                {
                    int xx = x0 + (k & 1), yy = y0 + (k >> 1);
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                    v += src[yy * w + xx] * ((k & 1) == 1 ? fx : 1 - fx) * ((k >> 1) == 1 ? fy : 1 - fy);
                }
                dst[y * canvas + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
            }
    }

    /// <summary>RTS train/validation/test splits from MNIST's splits (test digits for the test set).</summary>
    public static ImageTaskData Load(string cacheRoot, TextWriter log, long seed = 1, RtsOptions? options = null, Device? device = null)
    {
        var (train, valid, test) = MnistLoader.Load(DatasetCatalog.Mnist, cacheRoot, log);
        return new ImageTaskData(Generate(train, seed, options, device), Generate(valid, seed + 1, options, device), Generate(test, seed + 2, options, device));
    }
}
