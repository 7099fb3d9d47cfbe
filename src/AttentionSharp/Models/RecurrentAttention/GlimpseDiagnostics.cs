using AttentionSharp.Data;
using AttentionSharp.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>Test error of the images whose object centre lies between two distances from the canvas centre.</summary>
/// <param name="FromPixels">Inclusive lower distance (pixels).</param>
/// <param name="ToPixels">Exclusive upper distance (pixels); the last bin includes it.</param>
/// <param name="Images">Images in the bin.</param>
/// <param name="Error">Share of them classified wrong (0..1; NaN when empty).</param>
public sealed record OffsetBin(double FromPixels, double ToPixels, int Images, double Error);

/// <summary>
/// Where a RAM model looked, measured against the known object boxes of generated canvases, along one glimpse path per
/// image (the same path that gives <see cref="Error"/>).
/// </summary>
/// <param name="Images">Images measured.</param>
/// <param name="Error">Share classified wrong along that path (0..1).</param>
/// <param name="FoveaHitRate">Share of images where some glimpse's finest (g x g) patch covers the object's centre.</param>
/// <param name="MeanLastDistance">Mean distance in pixels from the last glimpse's centre to the object's centre.</param>
/// <param name="MeanMinDistance">Mean over images of the smallest distance from any glimpse's centre to the object's centre.</param>
/// <param name="ErrorByOffset">Error by the object's distance from the canvas centre.</param>
public sealed record GlimpseDiagnostics(int Images, double Error, double FoveaHitRate, double MeanLastDistance, double MeanMinDistance,
    IReadOnlyList<OffsetBin> ErrorByOffset)
{
    /// <summary>
    /// Runs <paramref name="model"/> over every image of <paramref name="data"/> (which must carry <see cref="ImageDataset.Boxes"/>)
    /// in evaluation mode, one glimpse path each (<paramref name="meanPolicy"/>: the policy mean, else sampled), and measures
    /// where it looked. <paramref name="bins"/> equal-width distance bins span 0 to the largest possible object offset.
    /// </summary>
    public static GlimpseDiagnostics Measure(RecurrentAttentionModel model, ImageDataset data, int batchSize = 500, bool meanPolicy = false, int bins = 4)
    {
        var boxes = data.Boxes ?? throw new ArgumentException("glimpse diagnostics need the object boxes of a generated task (translated, cluttered60, cluttered100)");
        if (batchSize < 1) throw new ArgumentException($"batchSize must be >= 1; got {batchSize}");
        if (bins < 1) throw new ArgumentException($"bins must be >= 1; got {bins}");
        var o = model.Options;
        int n = data.Count;
        var wrong = new bool[n];
        var locations = new double[n][];
        bool wasTraining = model.training;
        model.eval();
        using (no_grad())
        {
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int[] idx = [.. Enumerable.Range(start, Math.Min(batchSize, n - start))];
                var batch = data.GetBatch(idx);
                var r = model.Rollout(batch.Images, meanPolicy: meanPolicy);
                var pred = r.LogProbs.argmax(1).cpu().data<long>().ToArray();
                var lab = batch.Labels.cpu().data<long>().ToArray();
                var loc = r.Locations.to(ScalarType.Float64).cpu().data<double>().ToArray(); // (B*N*2)
                for (int k = 0; k < idx.Length; k++)
                {
                    wrong[idx[k]] = pred[k] != lab[k];
                    locations[idx[k]] = loc.AsSpan(k * o.Glimpses * 2, o.Glimpses * 2).ToArray();
                }
            }
        }
        if (wasTraining) model.train();
        return FromLocations(locations, wrong, boxes, o.Height, o.Width, o.Patch, bins);
    }

    /// <summary>
    /// The diagnostics from per-image glimpse locations (x, y pairs in [-1, 1], glimpse after glimpse), right/wrong flags and
    /// object boxes on <paramref name="height"/> x <paramref name="width"/> canvases seen through <paramref name="patch"/>-pixel foveas.
    /// Pixel centres follow <see cref="GlimpseSensor.Centre"/>; the fovea covers <c>[centre - g/2, centre - g/2 + g)</c> on each axis.
    /// </summary>
    public static GlimpseDiagnostics FromLocations(IReadOnlyList<double[]> locations, IReadOnlyList<bool> wrong, IReadOnlyList<ObjectBox> boxes,
        int height, int width, int patch, int bins = 4)
    {
        int n = locations.Count;
        if (wrong.Count != n || boxes.Count != n) throw new ArgumentException($"need one flag and one box per image; got {n} paths, {wrong.Count} flags, {boxes.Count} boxes");
        if (n == 0) throw new ArgumentException("no images to measure");
        double maxOffset = 0;
        foreach (var b in boxes) maxOffset = Math.Max(maxOffset, Math.Sqrt(Math.Pow((height - b.Height) / 2.0, 2) + Math.Pow((width - b.Width) / 2.0, 2)));
        double width_ = maxOffset > 0 ? maxOffset / bins : 1;
        var binImages = new int[bins]; var binWrong = new int[bins];
        int hits = 0, errors = 0;
        double lastSum = 0, minSum = 0;
        for (int i = 0; i < n; i++)
        {
            var l = locations[i];
            if (l.Length < 2 || l.Length % 2 != 0) throw new ArgumentException($"image {i}: locations must be (x, y) pairs; got {l.Length} values");
            var box = boxes[i];
            double cy = box.CentreY, cx = box.CentreX;
            bool hit = false;
            double min = double.PositiveInfinity, last = 0;
            for (int t = 0; t < l.Length / 2; t++)
            {
                if (FoveaCovers(l[2 * t], l[2 * t + 1], box, height, width, patch)) hit = true;
                last = PixelDistance(l[2 * t], l[2 * t + 1], box, height, width);
                min = Math.Min(min, last);
            }
            if (hit) hits++;
            if (wrong[i]) errors++;
            lastSum += last; minSum += min;
            double offset = Math.Sqrt(Math.Pow(cy - height / 2.0, 2) + Math.Pow(cx - width / 2.0, 2));
            int bin = Math.Min(bins - 1, (int)(offset / width_));
            binImages[bin]++;
            if (wrong[i]) binWrong[bin]++;
        }
        var byOffset = Enumerable.Range(0, bins)
            .Select(b => new OffsetBin(b * width_, (b + 1) * width_, binImages[b], binImages[b] == 0 ? double.NaN : (double)binWrong[b] / binImages[b]))
            .ToList();
        return new GlimpseDiagnostics(n, (double)errors / n, (double)hits / n, lastSum / n, minSum / n, byOffset);
    }

    /// <summary>Distance in pixels from the pixel centre that location (x, y) maps to (<see cref="GlimpseSensor.Centre"/>) to the centre of <paramref name="box"/>.</summary>
    public static double PixelDistance(double x, double y, ObjectBox box, int height, int width)
    {
        long col = GlimpseSensor.Centre(x, width), row = GlimpseSensor.Centre(y, height);
        return Math.Sqrt((col - box.CentreX) * (col - box.CentreX) + (row - box.CentreY) * (row - box.CentreY));
    }

    /// <summary>Whether the finest (<paramref name="patch"/> x <paramref name="patch"/>) crop at location (x, y) covers the centre of <paramref name="box"/>.</summary>
    public static bool FoveaCovers(double x, double y, ObjectBox box, int height, int width, int patch)
    {
        long c0 = GlimpseSensor.CropStart(GlimpseSensor.Centre(x, width), patch), r0 = GlimpseSensor.CropStart(GlimpseSensor.Centre(y, height), patch);
        return box.CentreX >= c0 && box.CentreX < c0 + patch && box.CentreY >= r0 && box.CentreY < r0 + patch;
    }
}
