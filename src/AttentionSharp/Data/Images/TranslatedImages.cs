namespace AttentionSharp.Data;

/// <summary>
/// The translated and cluttered MNIST-style tasks of Mnih et al. 2014 (Sec. 4.1), built from a 28x28 source split
/// deterministically by seed: each source image is pasted at a uniformly random position on a blank canvas; cluttered
/// variants first add <c>distractors</c> random <c>patch x patch</c> crops of other random images of the same split at random
/// positions; overlapping pixels add and are clipped to 255 (i.e. to [0, 1]). Labels are the source image's.
/// Test canvases therefore only ever contain test images.
/// </summary>
public static class TranslatedImages
{
    /// <summary>Builds one canvas per image of <paramref name="source"/> (same order and labels).</summary>
    /// <param name="source">Source images (e.g. 28x28 digits).</param>
    /// <param name="canvas">Side of the square canvas; at least the source size.</param>
    /// <param name="distractors">Clutter crops per canvas (0 = translated only).</param>
    /// <param name="patch">Side of each clutter crop.</param>
    /// <param name="seed">Seed of every random choice.</param>
    public static ImageDataset Generate(ImageDataset source, int canvas, int distractors = 0, int patch = 8, long seed = 1)
    {
        Check(source, canvas, distractors, patch);
        int n = source.Count, area = canvas * canvas;
        var pixels = new byte[(long)n * area];
        var labels = new byte[n];
        var boxes = new ObjectBox[n];
        var sum = new int[area];
        var rng = new Random(unchecked((int)(seed * 1_000_033 + canvas * 101 + distractors)));
        for (int i = 0; i < n; i++)
        {
            boxes[i] = Paint(source, i, canvas, distractors, patch, rng, sum, pixels.AsSpan((int)((long)i * area), area));
            labels[i] = (byte)source.Label(i);
        }
        return new ImageDataset(pixels, labels, canvas, canvas, source.Classes, source.Device, boxes);
    }

    /// <summary>Checks the arguments of a canvas task, naming the bad one.</summary>
    public static void Check(ImageDataset source, int canvas, int distractors, int patch)
    {
        if (canvas < source.Height || canvas < source.Width)
            throw new ArgumentException($"canvas must be at least the source size {source.Height}x{source.Width}; got {canvas}");
        if (distractors < 0) throw new ArgumentException($"distractors must be non-negative; got {distractors}");
        if (distractors > 0 && (patch < 1 || patch > source.Height || patch > source.Width || patch > canvas))
            throw new ArgumentException($"clutter patch must be in 1..{Math.Min(source.Height, source.Width)}; got {patch}");
        if (distractors > 0 && source.Count < 2) throw new ArgumentException($"clutter needs at least 2 source images; got {source.Count}");
    }

    /// <summary>
    /// Paints the canvas of source image <paramref name="i"/> into <paramref name="dst"/> (canvas*canvas bytes), drawing every
    /// random choice from <paramref name="rng"/>: first the distractor crops, then the digit's position. <paramref name="sum"/>
    /// is scratch space of canvas*canvas ints. Returns where the digit was pasted.
    /// </summary>
    public static ObjectBox Paint(ImageDataset source, int i, int canvas, int distractors, int patch, Random rng, int[] sum, Span<byte> dst)
    {
        int n = source.Count, hs = source.Height, ws = source.Width;
        Array.Clear(sum);
        for (int d = 0; d < distractors; d++)
        {
            int j = rng.Next(n - 1);
            if (j >= i) j++; // another image
            int sy = rng.Next(hs - patch + 1), sx = rng.Next(ws - patch + 1);
            int ty = rng.Next(canvas - patch + 1), tx = rng.Next(canvas - patch + 1);
            var src = source.Pixels(j);
            for (int y = 0; y < patch; y++)
                for (int x = 0; x < patch; x++)
                    sum[(ty + y) * canvas + tx + x] += src[(sy + y) * ws + sx + x];
        }
        int oy = rng.Next(canvas - hs + 1), ox = rng.Next(canvas - ws + 1);
        var img = source.Pixels(i);
        for (int y = 0; y < hs; y++)
            for (int x = 0; x < ws; x++)
                sum[(oy + y) * canvas + ox + x] += img[y * ws + x];
        for (int p = 0; p < canvas * canvas; p++) dst[p] = (byte)Math.Min(255, sum[p]);
        return new ObjectBox(oy, ox, hs, ws);
    }

    /// <summary>The three splits of a task, each built from the same split of <paramref name="data"/> with its own seed.</summary>
    /// <remarks>The result's <see cref="ImageTaskData.Fresh"/> draws new training canvases from the same training digits every epoch.</remarks>
    public static ImageTaskData Generate(ImageTaskData data, int canvas, int distractors, long seed) => new(
        Generate(data.Train, canvas, distractors, seed: seed),
        Generate(data.Valid, canvas, distractors, seed: seed + 1),
        Generate(data.Test, canvas, distractors, seed: seed + 2),
        new FreshCanvases(data.Train, canvas, distractors, seed: seed + 3));
}
