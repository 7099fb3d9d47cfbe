using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Data;

/// <summary>The axial slices of the brain task, before the split: images and masks as bytes, with the z of each slice.</summary>
/// <param name="Pixels">Slices, row-major, intensities scaled so the volume's maximum is 255.</param>
/// <param name="Masks">Brain masks (1 = brain), same layout.</param>
/// <param name="Height">Slice height (anterior at the top).</param>
/// <param name="Width">Slice width.</param>
/// <param name="SliceZ">Axial index z in the volume of each slice.</param>
public sealed record BrainSlices(byte[] Pixels, byte[] Masks, int Height, int Width, int[] SliceZ)
{
    /// <summary>Number of slices.</summary>
    public int Count => SliceZ.Length;
}

/// <summary>
/// Brain segmentation on the Colin27 ("ch2") T1 MRI of Debian's <c>mricron-data</c>: the mask is the brain-extracted
/// copy <c>ch2bet</c> thresholded at &gt; 0. Axial slices are averaged down by 2 x 2 (the mask keeps a pixel whose
/// 2 x 2 block is at least half brain), padded with zeros to a multiple of 16 (181 x 217 -> 90 x 108 -> 96 x 112), and
/// only slices that are at least 2% brain are kept. Splits by position: consecutive blocks of 10 kept slices go
/// train, train, valid, train, test, then repeat, and every valid/test slice within 2 slices of another split's slice
/// is dropped, so no validation or test slice has a training neighbour closer than 3 slices (3 mm before down-sampling
/// in-plane; slices are not down-sampled along z).
/// </summary>
public static class BrainMri
{
    /// <summary>The T1 volume's file name in the cache.</summary>
    public const string T1File = "ch2.nii";
    /// <summary>The brain-extracted volume's file name in the cache.</summary>
    public const string MaskFile = "ch2bet.nii";
    /// <summary>In-plane down-sampling factor.</summary>
    public const int Downsample = 2;
    /// <summary>Slice sides are padded to a multiple of this (U-Nets of depth up to 4).</summary>
    public const int SizeMultiple = 16;
    /// <summary>Smallest brain fraction of a kept slice.</summary>
    public const double MinBrainFraction = 0.02;
    /// <summary>Kept slices per block of the positional split.</summary>
    public const int BlockSize = 10;
    /// <summary>Valid/test slices closer than this many slices (plus one) to another split are dropped.</summary>
    public const int Gap = 2;

    /// <summary>The dataset as the cache knows it (fetched with <c>apt-get download mricron-data</c>, files gunzipped).</summary>
    public static DatasetSource Source { get; } = new("mricron-data", "Colin27 T1 brain MRI + brain-extracted copy (Debian mricron-data 1.2.20211006), 181x217x181",
        [new DataFile(T1File, 7_109_489, "bbd70f9abd3257d6af945c5164872f20", Check), new DataFile(MaskFile, 7_109_489, "4f4faa1eebae4bad4add4e1afddac1ee", Check)],
        [new DebianRoute("mricron-data", n => "usr/share/mricron/templates/" + n + ".gz")]);

    static void Check(string path) => NiftiReader.Read(path);

    /// <summary>Builds the kept axial slices from a T1 volume and its brain-extracted copy (same grid).</summary>
    public static BrainSlices Slices(NiftiVolume t1, NiftiVolume bet)
    {
        if (!t1.Dims.SequenceEqual(bet.Dims))
            throw new InvalidDataException($"the T1 volume ({string.Join("x", t1.Dims)}) and the brain-extracted volume ({string.Join("x", bet.Dims)}) must share one grid");
        int nx = t1.Dims[0], ny = t1.Dims[1], nz = t1.Dims[2];
        int w = nx / Downsample, h = ny / Downsample;
        if (w < 1 || h < 1) throw new InvalidDataException($"slices of {nx}x{ny} are too small to down-sample by {Downsample}");
        int pw = (w + SizeMultiple - 1) / SizeMultiple * SizeMultiple, ph = (h + SizeMultiple - 1) / SizeMultiple * SizeMultiple;
        int ox = (pw - w) / 2, oy = (ph - h) / 2;
        float max = Math.Max(1e-6f, t1.Values.Max());
        var pixels = new List<byte>();
        var masks = new List<byte>();
        var zs = new List<int>();
        var img = new byte[ph * pw];
        var mask = new byte[ph * pw];
        int block = Downsample * Downsample;
        for (int z = 0; z < nz; z++)
        {
            Array.Clear(img); Array.Clear(mask);
            int brain = 0;
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                {
                    double sum = 0; int inside = 0;
                    for (int dy = 0; dy < Downsample; dy++)
                        for (int dx = 0; dx < Downsample; dx++)
                        {
                            // Row r counts from the anterior side (largest y) so that the nose is at the top.
                            int x = c * Downsample + dx, y = ny - 1 - (r * Downsample + dy);
                            sum += t1.At(x, y, z);
                            if (bet.At(x, y, z) > 0) inside++;
                        }
                    int at = (r + oy) * pw + c + ox;
                    img[at] = (byte)Math.Clamp(Math.Round(sum / block / max * 255), 0, 255);
                    if (2 * inside >= block) { mask[at] = 1; brain++; }
                }
            if (brain < MinBrainFraction * w * h) continue;
            pixels.AddRange(img); masks.AddRange(mask); zs.Add(z);
        }
        return new BrainSlices([.. pixels], [.. masks], ph, pw, [.. zs]);
    }

    /// <summary>The split of each of <paramref name="count"/> slices in position order: 0 train, 1 valid, 2 test, -1 dropped (gap).</summary>
    public static int[] SplitOf(int count)
    {
        var role = new int[count];
        for (int i = 0; i < count; i++) role[i] = (i / BlockSize % 5) switch { 2 => 1, 4 => 2, _ => 0 };
        var split = (int[])role.Clone();
        for (int i = 0; i < count; i++)
            if (role[i] != 0)
                for (int j = Math.Max(0, i - Gap); j <= Math.Min(count - 1, i + Gap); j++)
                    if (role[j] != role[i]) { split[i] = -1; break; }
        return split;
    }

    /// <summary>Loads the task from the cache (obtaining it first if needed); each split holds at most the given number of slices (the first in position order).</summary>
    public static SegmentationTaskData Load(string cacheRoot, TextWriter log, int trainMax, int validMax, int testMax, Device? device = null)
    {
        string folder = Source.Ensure(cacheRoot, log);
        var slices = Slices(NiftiReader.Read(Path.Combine(folder, T1File)), NiftiReader.Read(Path.Combine(folder, MaskFile)));
        var split = SplitOf(slices.Count);
        SegmentationDataset Part(int which, int max)
        {
            var idx = Enumerable.Range(0, slices.Count).Where(i => split[i] == which).Take(max).ToArray();
            int n = slices.Height * slices.Width;
            var px = new byte[idx.Length * n];
            var mk = new byte[idx.Length * n];
            for (int k = 0; k < idx.Length; k++)
            {
                slices.Pixels.AsSpan(idx[k] * n, n).CopyTo(px.AsSpan(k * n));
                slices.Masks.AsSpan(idx[k] * n, n).CopyTo(mk.AsSpan(k * n));
            }
            return new SegmentationDataset(px, mk, slices.Height, slices.Width, classes: 2, device);
        }
        var data = new SegmentationTaskData(Part(0, trainMax), Part(1, validMax), Part(2, testMax));
        log.WriteLine($"brain: {slices.Count} axial slices of {slices.Height}x{slices.Width} with >= {MinBrainFraction:P0} brain (z {slices.SliceZ[0]}..{slices.SliceZ[^1]}); " +
                      $"{data.Train.Count} train, {data.Valid.Count} valid, {data.Test.Count} test, {split.Count(s => s < 0)} dropped as gaps");
        return data;
    }
}
