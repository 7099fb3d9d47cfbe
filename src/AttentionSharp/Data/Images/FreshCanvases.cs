using AttentionSharp.Training;

namespace AttentionSharp.Data;

/// <summary>
/// The training set of a translated or cluttered task (<see cref="TranslatedImages"/>) drawn anew every epoch: example i of
/// epoch e is source digit i pasted at a fresh random position among fresh distractor crops of other training digits, with
/// every choice drawn from a generator seeded by (seed, e, i). Same digits and labels, unlimited placements, so a long
/// run cannot memorise fixed canvases; deterministic, so resume and batch order change nothing.
/// </summary>
public sealed class FreshCanvases : IBatchSource<ImageBatch>, IEpochAware
{
    readonly ImageDataset source;
    readonly long seed;

    /// <summary>Draws canvases of side <paramref name="canvas"/> with <paramref name="distractors"/> crops of <paramref name="patch"/> pixels from <paramref name="source"/>.</summary>
    public FreshCanvases(ImageDataset source, int canvas, int distractors = 0, int patch = 8, long seed = 1)
    {
        TranslatedImages.Check(source, canvas, distractors, patch);
        this.source = source; this.seed = seed;
        Canvas = canvas; Distractors = distractors; Patch = patch;
    }

    /// <summary>Canvas side.</summary>
    public int Canvas { get; }
    /// <summary>Distractor crops per canvas.</summary>
    public int Distractors { get; }
    /// <summary>Side of each distractor crop.</summary>
    public int Patch { get; }
    /// <summary>The epoch whose canvases <see cref="GetBatch"/> draws (1 until <see cref="BeginEpoch"/> is called).</summary>
    public int Epoch { get; private set; } = 1;

    /// <inheritdoc />
    public int Count => source.Count;

    /// <inheritdoc />
    public void BeginEpoch(int epoch)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"epochs count from 1; got {epoch}");
        Epoch = epoch;
    }

    /// <summary>The generator of example <paramref name="index"/> in epoch <paramref name="epoch"/>.</summary>
    Random RandomFor(int epoch, int index)
    {
        // SplitMix64 finaliser over (seed, epoch, index), so neighbouring examples and epochs get unrelated streams.
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)index * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF));
    }

    /// <inheritdoc />
    public ImageBatch GetBatch(int[] indices)
    {
        int area = Canvas * Canvas;
        var pixels = new byte[indices.Length * area];
        var labels = new long[indices.Length];
        var sum = new int[area];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
            TranslatedImages.Paint(source, i, Canvas, Distractors, Patch, RandomFor(Epoch, i), sum, pixels.AsSpan(k * area, area));
            labels[k] = source.Label(i);
        }
        return ImageDataset.ToBatch(pixels, labels, Canvas, Canvas, source.Device);
    }
}
