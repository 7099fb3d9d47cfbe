using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>
/// The retina-like glimpse sensor of Mnih et al. 2014 ("Recurrent Models of Visual Attention", Sec. 3.1):
/// rho(x_t, l_{t-1}) extracts <c>Scales</c> square patches centred at <c>l in [-1, 1]^2</c> ((-1, -1) = top-left,
/// (0, 0) = centre), the first <c>g x g</c> and each next one twice as wide, averages each down to <c>g x g</c>
/// (mean over non-overlapping blocks) and stacks them; pixels beyond the image border read as zero.
/// Fast path (<see cref="Extract(Tensor, Tensor)"/>): a summed-area table of the batch (built once per rollout by <see cref="SummedArea"/>) gives
/// every block mean from four corner reads, so a glimpse costs <c>k (g+1)^2</c> reads whatever the crop sizes. Reference path
/// (<see cref="ExtractByCrops"/>): one index gather per scale of the whole crop, then average pooling.
/// </summary>
public sealed class GlimpseSensor
{
    /// <summary>Creates a sensor with patch size <paramref name="patch"/> and <paramref name="scales"/> scales, for images of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public GlimpseSensor(int patch, int scales, int height, int width)
    {
        if (patch < 1) throw new ArgumentException($"glimpse patch size must be at least 1; got {patch}");
        if (scales < 1 || scales > 8) throw new ArgumentException($"glimpse scales must be in 1..8; got {scales}");
        if (height < 1 || width < 1) throw new ArgumentException($"image size must be positive; got {height}x{width}");
        long largest = (long)patch << (scales - 1);
        if (largest > 2L * Math.Max(height, width))
            throw new ArgumentException($"the largest glimpse ({largest}x{largest} = {patch} * 2^{scales - 1}) must be at most twice the image side " +
                                        $"({2 * Math.Max(height, width)} for a {height}x{width} image); got {largest}");
        Patch = patch; Scales = scales; Height = height; Width = width;
    }

    /// <summary>Side g of each returned patch (and of the smallest crop).</summary>
    public int Patch { get; }
    /// <summary>Number of scales k.</summary>
    public int Scales { get; }
    /// <summary>Image height the sensor expects.</summary>
    public int Height { get; }
    /// <summary>Image width the sensor expects.</summary>
    public int Width { get; }
    /// <summary>Length of the flattened glimpse: k * g * g.</summary>
    public int Features => Scales * Patch * Patch;

    /// <summary>Side of the crop at scale <paramref name="s"/> (0-based): g * 2^s.</summary>
    public int CropSize(int s) => Patch << s;

    /// <summary>The integer pixel centre (row, col) that location coordinate <paramref name="l"/> (clamped to [-1, 1]) maps to along an axis of length <paramref name="size"/>.</summary>
    public static long Centre(double l, int size) => (long)Math.Floor(0.5 * (Math.Clamp(l, -1.0, 1.0) + 1.0) * size);

    /// <summary>Top-left pixel (row or col) of the crop of side <paramref name="crop"/> centred at <paramref name="centre"/>.</summary>
    public static long CropStart(long centre, int crop) => centre - crop / 2;

    void CheckInputs(Tensor images, Tensor locations)
    {
        if (images.dim() != 4 || images.shape[2] != Height || images.shape[3] != Width)
            throw new ArgumentException($"images must be (batch, channels, {Height}, {Width}); got ({string.Join(", ", images.shape)})");
        if (locations.dim() != 2 || locations.shape[0] != images.shape[0] || locations.shape[1] != 2)
            throw new ArgumentException($"locations must be ({images.shape[0]}, 2); got ({string.Join(", ", locations.shape)})");
    }

    /// <summary>
    /// Glimpses of <paramref name="images"/> <c>(B, C, H, W)</c> at <paramref name="locations"/> <c>(B, 2)</c> (x = column, y = row,
    /// each in [-1, 1]; values outside are clamped): returns <c>(B, k, C, g, g)</c>, scale 0 first.
    /// </summary>
    public Tensor Extract(Tensor images, Tensor locations)
    {
        CheckInputs(images, locations);
        using var scope = NewDisposeScope();
        return Extract(SummedArea(images), locations).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The summed-area table of <paramref name="images"/> <c>(B, C, H, W)</c> for <see cref="Extract(SummedAreaTable, Tensor)"/>:
    /// <c>S[y, x] = sum of pixels above and left of (y, x)</c>, <c>(B*C, (H+1)*(W+1))</c> in double precision (sums of up to
    /// H*W values stay exact to ~1e-12).
    /// </summary>
    public SummedAreaTable SummedArea(Tensor images)
    {
        if (images.dim() != 4 || images.shape[2] != Height || images.shape[3] != Width)
            throw new ArgumentException($"images must be (batch, channels, {Height}, {Width}); got ({string.Join(", ", images.shape)})");
        long b = images.shape[0], c = images.shape[1];
        using var scope = NewDisposeScope();
        var x = images.detach().to(ScalarType.Float64);
        var s = nn.functional.pad(x.cumsum(2).cumsum(3), [1, 0, 1, 0]);   // (B, C, H+1, W+1), zero first row and column
        return new SummedAreaTable(s.reshape(b * c, (long)(Height + 1) * (Width + 1)).MoveToOuterDisposeScope(), b, c, images.dtype);
    }

    /// <summary>Glimpses at <paramref name="locations"/> <c>(B, 2)</c> from a table of <see cref="SummedArea"/>: <c>(B, k, C, g, g)</c>, equal to <see cref="ExtractByCrops"/>.</summary>
    public Tensor Extract(SummedAreaTable table, Tensor locations)
    {
        long b = table.Batch, c = table.Channels;
        if (locations.dim() != 2 || locations.shape[0] != b || locations.shape[1] != 2)
            throw new ArgumentException($"locations must be ({b}, 2); got ({string.Join(", ", locations.shape)})");
        using var scope = NewDisposeScope();
        var device = table.Sums.device;
        var l = locations.detach().to(ScalarType.Float64).clamp(HeldScalars.Of(-1.0), HeldScalars.Of(1.0));
        var col = l.select(1, 0).add(HeldScalars.Of(1.0), HeldScalars.Of(1)).mul(HeldScalars.Of(0.5)).mul(HeldScalars.Of(Width)).floor().to(ScalarType.Int64).clamp(HeldScalars.Of(0), HeldScalars.Of(Width)).to(device);   // (B)
        var row = l.select(1, 1).add(HeldScalars.Of(1.0), HeldScalars.Of(1)).mul(HeldScalars.Of(0.5)).mul(HeldScalars.Of(Height)).floor().to(ScalarType.Int64).clamp(HeldScalars.Of(0), HeldScalars.Of(Height)).to(device); // (B)
        int e = Patch + 1;
        var steps = arange(HeldScalars.Of(0), HeldScalars.Of(e), HeldScalars.Of(1), dtype: ScalarType.Int64, device: device);                                   // (g+1)
        var indices = new List<Tensor>();
        for (int s = 0; s < Scales; s++)
        {
            int crop = CropSize(s), q = crop / Patch;
            var rows = row.sub(HeldScalars.Of(crop / 2)).unsqueeze(1).add(steps.unsqueeze(0).mul(HeldScalars.Of(q)), HeldScalars.Of(1)).clamp(HeldScalars.Of(0), HeldScalars.Of(Height));        // (B, g+1) block edges
            var cols = col.sub(HeldScalars.Of(crop / 2)).unsqueeze(1).add(steps.unsqueeze(0).mul(HeldScalars.Of(q)), HeldScalars.Of(1)).clamp(HeldScalars.Of(0), HeldScalars.Of(Width));         // (B, g+1)
            indices.Add(rows.unsqueeze(2).mul(HeldScalars.Of(Width + 1)).add(cols.unsqueeze(1), HeldScalars.Of(1)).reshape(b, 1, e * e));     // (B, 1, (g+1)^2)
        }
        var index = cat(indices, 1).reshape(b, 1, Scales * e * e).expand(b, c, Scales * e * e).reshape(b * c, Scales * e * e);
        var corners = table.Sums.gather(1, index).reshape(b, c, Scales, e, e);                          // (B, C, k, g+1, g+1)
        var blocks = (corners[.., .., .., 1.., 1..] - corners[.., .., .., ..^1, 1..]
                   - corners[.., .., .., 1.., ..^1]).add(corners[.., .., .., ..^1, ..^1], HeldScalars.Of(1));                 // (B, C, k, g, g) block sums
        var area = tensor(Enumerable.Range(0, Scales).Select(s => 1.0 / ((CropSize(s) / Patch) * (CropSize(s) / Patch))).ToArray(),
            dtype: ScalarType.Float64, device: device).reshape(1, 1, Scales, 1, 1);
        return (blocks * area).permute(0, 2, 1, 3, 4).to(table.DType).contiguous().MoveToOuterDisposeScope(); // (B, k, C, g, g)
    }

    /// <summary>
    /// Reference path of <see cref="Extract(Tensor, Tensor)"/>: gathers each whole crop, then average-pools it to g x g
    /// (kept for tests and the <c>ram-step</c> benchmark).
    /// </summary>
    public Tensor ExtractByCrops(Tensor images, Tensor locations)
    {
        CheckInputs(images, locations);
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1];
        var flat = images.reshape(b * c, (long)Height * Width); // (B*C, H*W), a view: nothing proportional to the image is copied
        var l = locations.detach().to(ScalarType.Float64).clamp(HeldScalars.Of(-1.0), HeldScalars.Of(1.0));
        var col = l.select(1, 0).add(HeldScalars.Of(1.0), HeldScalars.Of(1)).mul(HeldScalars.Of(0.5)).mul(HeldScalars.Of(Width)).floor().to(ScalarType.Int64).clamp(HeldScalars.Of(0), HeldScalars.Of(Width));   // (B)
        var row = l.select(1, 1).add(HeldScalars.Of(1.0), HeldScalars.Of(1)).mul(HeldScalars.Of(0.5)).mul(HeldScalars.Of(Height)).floor().to(ScalarType.Int64).clamp(HeldScalars.Of(0), HeldScalars.Of(Height)); // (B)
        var outs = new List<Tensor>();
        for (int s = 0; s < Scales; s++)
        {
            int crop = CropSize(s);
            var offs = arange(HeldScalars.Of(0), HeldScalars.Of(crop), HeldScalars.Of(1), dtype: ScalarType.Int64, device: images.device);                       // (S)
            var rows = row.sub(HeldScalars.Of(crop / 2)).to(images.device).unsqueeze(1).add(offs.unsqueeze(0), HeldScalars.Of(1)).unsqueeze(2);  // (B, S, 1)
            var cols = col.sub(HeldScalars.Of(crop / 2)).to(images.device).unsqueeze(1).add(offs.unsqueeze(0), HeldScalars.Of(1)).unsqueeze(1);  // (B, 1, S)
            var inside = rows.ge(HeldScalars.Of(0)).logical_and(rows.lt(HeldScalars.Of(Height))).logical_and(cols.ge(HeldScalars.Of(0))).logical_and(cols.lt(HeldScalars.Of(Width))); // (B, S, S)
            var index = rows.clamp(HeldScalars.Of(0), HeldScalars.Of(Height - 1)).mul(HeldScalars.Of(Width)).add(cols.clamp(HeldScalars.Of(0), HeldScalars.Of(Width - 1)), HeldScalars.Of(1));                        // (B, S, S)
            index = index.reshape(b, 1, crop * crop).expand(b, c, crop * crop).reshape(b * c, crop * crop);  // (B*C, S*S)
            var keep = inside.reshape(b, 1, crop * crop).expand(b, c, crop * crop).reshape(b * c, crop * crop); // (B*C, S*S)
            var patch = flat.gather(1, index).mul(keep.to(images.dtype)).reshape(b * c, 1, crop, crop);     // (B*C, 1, S, S), zero outside
            if (crop != Patch) patch = nn.functional.avg_pool2d(patch, crop / Patch);                         // (B*C, 1, g, g)
            outs.Add(patch.reshape(b, 1, c, Patch, Patch));                                                   // (B, 1, C, g, g)
        }
        return cat(outs, 1).MoveToOuterDisposeScope(); // (B, k, C, g, g)
    }
}

/// <summary>A batch's summed-area table for <see cref="GlimpseSensor.Extract(SummedAreaTable, Tensor)"/>; dispose it after the rollout.</summary>
/// <param name="Sums">The table <c>(B*C, (H+1)*(W+1))</c>, double precision.</param>
/// <param name="Batch">Images B.</param>
/// <param name="Channels">Channels C.</param>
/// <param name="DType">Element type of the images (and of the glimpses returned).</param>
public sealed record SummedAreaTable(Tensor Sums, long Batch, long Channels, ScalarType DType) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Sums.Dispose();
}
