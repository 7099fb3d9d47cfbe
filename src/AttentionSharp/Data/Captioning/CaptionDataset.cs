using System.Text.Json.Serialization;
using AttentionSharp.Native;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Data.Captioning;

/// <summary>A batch of captioned images.</summary>
/// <param name="Images">Grey images in [0, 1], <c>(B, 1, H, W)</c>, or their precomputed region features <c>(B, L, D)</c> when the dataset has them (<see cref="CaptionDataset.UseRegions"/>).</param>
/// <param name="Inputs">Decoder inputs <c>(B, T)</c>: <c>&lt;bos&gt;</c> then the caption's words, padded with <c>&lt;pad&gt;</c>.</param>
/// <param name="Targets">Decoder targets <c>(B, T)</c>: the caption's words then <c>&lt;eos&gt;</c>, padded with <c>&lt;pad&gt;</c>.</param>
/// <param name="Indices">The examples' indices in their dataset (to look up all references and the objects' boxes).</param>
/// <param name="AlternativeInputs">
/// <see cref="CaptionReferenceChoice.MinLoss"/> training batches only: the decoder inputs of every reference <c>(R, B, T)</c>
/// (reference r of each image; an image with fewer than R references repeats its first), padded to one length T; else null.
/// </param>
/// <param name="AlternativeTargets">As <paramref name="AlternativeInputs"/>, the targets <c>(R, B, T)</c>.</param>
public sealed record CaptionBatch(Tensor Images, Tensor Inputs, Tensor Targets, int[] Indices, Tensor? AlternativeInputs = null, Tensor? AlternativeTargets = null);

/// <summary>Which reference caption a training image is paired with (stored in run records by the names below).</summary>
[JsonConverter(typeof(VariantJsonConverter<CaptionReferenceChoice>))]
public enum CaptionReferenceChoice
{
    /// <summary>
    /// Each epoch one of the image's references, chosen by (seed, image, epoch), so that all are used (Xu et al. 2015 train on
    /// every reference). Where the references name the objects in different orders, the first word of a caption is then
    /// a coin toss for the model, which learns to hedge between the orders.
    /// </summary>
    [JsonStringEnumMemberName("cycle")] Cycle,
    /// <summary>Always the first reference (the canonical one of generated scenes: objects named left to right, top to bottom).</summary>
    [JsonStringEnumMemberName("first")] First,
    /// <summary>
    /// Every reference is scored by the current model (no gradient) and the image is trained on the one it finds likeliest:
    /// the minimum of the loss over the references (Guzman-Rivera et al. 2012, multiple choice learning), so that the model
    /// settles on one order of its own choosing instead of averaging the orders. Costs a forward pass per reference.
    /// </summary>
    [JsonStringEnumMemberName("min-loss")] MinLoss,
}

/// <summary>
/// Captioned grey images held in memory (1 byte a pixel), each with one or more reference captions and, for generated
/// scenes, its objects and their boxes. A training batch pairs each image with one of its references as
/// <see cref="ReferenceChoice"/> says (by default chosen by (seed, example, epoch), so that every reference is used and a
/// resumed epoch sees the same pairs); outside training (epoch 0) the first reference is used.
/// </summary>
public sealed class CaptionDataset : IBatchSource<CaptionBatch>, IEpochAware
{
    readonly byte[] _pixels;
    Tensor? _regions;
    int _epoch;

    /// <summary>Creates the dataset; every image needs at least one non-empty reference.</summary>
    /// <param name="pixels">Grey bytes, image after image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="references">Per image, its reference captions.</param>
    /// <param name="vocabulary">Words to ids (unknown words become <c>&lt;unk&gt;</c>).</param>
    /// <param name="objects">Per image, its objects (generated scenes) or null.</param>
    /// <param name="names">Per image, a name (file name for user data) or null.</param>
    /// <param name="device">Device of the batches.</param>
    /// <param name="seed">Seed of the reference choice in training.</param>
    public CaptionDataset(byte[] pixels, int height, int width, string[][] references, CaptionVocabulary vocabulary,
        SceneObject[][]? objects = null, string[]? names = null, Device? device = null, long seed = 1)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"image size must be positive; got {height}x{width}");
        if (pixels.Length != (long)references.Length * height * width)
            throw new ArgumentException($"{references.Length} images of {height}x{width} need {references.Length * height * width} pixels; got {pixels.Length}");
        if (objects != null && objects.Length != references.Length)
            throw new ArgumentException($"{references.Length} images need {references.Length} object lists; got {objects.Length}");
        for (int i = 0; i < references.Length; i++)
        {
            if (references[i].Length == 0) throw new ArgumentException($"image {i} has no reference caption");
            if (references[i].Any(r => CaptionVocabulary.Tokenize(r).Length == 0)) throw new ArgumentException($"image {i} has an empty reference caption");
        }
        _pixels = pixels;
        Height = height; Width = width; References = references; Vocabulary = vocabulary; Objects = objects; Names = names;
        Device = device ?? CPU; Seed = seed;
    }

    /// <summary>Image height.</summary>
    public int Height { get; }
    /// <summary>Image width.</summary>
    public int Width { get; }
    /// <summary>Per image, its reference captions (the first is the canonical one for generated scenes).</summary>
    public string[][] References { get; }
    /// <summary>Per image, its objects with their boxes (generated scenes), else null.</summary>
    public SceneObject[][]? Objects { get; }
    /// <summary>Per image, a name (user data: the file), else null.</summary>
    public string[]? Names { get; }
    /// <summary>Words to ids.</summary>
    public CaptionVocabulary Vocabulary { get; }
    /// <summary>Device the batches are created on.</summary>
    public Device Device { get; }
    /// <summary>Seed of the per-epoch reference choice.</summary>
    public long Seed { get; }
    /// <summary>Which reference a training image is paired with (<see cref="CaptionReferenceChoice"/>); outside training always the first.</summary>
    public CaptionReferenceChoice ReferenceChoice { get; set; }
    /// <inheritdoc />
    public int Count => References.Length;

    /// <inheritdoc />
    public void BeginEpoch(int epoch) => _epoch = epoch;

    /// <summary>The pixels of image <paramref name="i"/> (H*W bytes).</summary>
    public ReadOnlySpan<byte> Pixels(int i) => _pixels.AsSpan(i * Height * Width, Height * Width);

    /// <summary>The reference that example <paramref name="i"/> is trained on in the current epoch.</summary>
    public int ReferenceOf(int i)
    {
        int n = References[i].Length;
        if (_epoch == 0 || n == 1 || ReferenceChoice != CaptionReferenceChoice.Cycle) return 0;
        ulong h = (ulong)Seed * 0x9E3779B97F4A7C15UL ^ (ulong)i * 0xBF58476D1CE4E5B9UL ^ (ulong)_epoch * 0x94D049BB133111EBUL;
        h ^= h >> 31; h *= 0xD6E8FEB86659FD93UL; h ^= h >> 29;
        return (int)(h % (ulong)n);
    }

    /// <summary>Images <c>(B, 1, H, W)</c> in [0, 1] of the given examples on <see cref="Device"/>.</summary>
    public Tensor Images(int[] indices)
    {
        int n = Height * Width;
        var buf = new byte[indices.Length * n];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
            _pixels.AsSpan(i * n, n).CopyTo(buf.AsSpan(k * n));
        }
        return torch.tensor(buf, dtype: ScalarType.Byte).reshape(indices.Length, 1, Height, Width) // (B, 1, H, W)
            .to(ScalarType.Float32).div_(HeldScalars.Of(255.0)).to(Device);
    }

    /// <summary>Precomputed region features <c>(Count, L, D)</c> of every image (a frozen encoder's), held on the CPU, or null.</summary>
    public Tensor? Regions => _regions;

    /// <summary>
    /// Makes the model input of every example its row of <paramref name="regions"/> <c>(Count, L, D)</c> (a frozen encoder's
    /// features, computed once) instead of its image; the images stay available through <see cref="Images"/> and <see cref="Pixels"/>.
    /// </summary>
    public void UseRegions(Tensor regions)
    {
        if (regions.dim() != 3 || regions.shape[0] != Count)
            throw new ArgumentException($"region features must be ({Count}, regions, channels) for the {Count} images; got ({string.Join(", ", regions.shape)})");
        _regions?.Dispose();
        _regions = regions.to(ScalarType.Float32).cpu().DetachFromDisposeScope();
    }

    /// <summary>The model input of the given examples on <see cref="Device"/>: their region features when the dataset has them, else their <see cref="Images"/>.</summary>
    public Tensor Inputs(int[] indices)
    {
        if (_regions is null) return Images(indices);
        foreach (int i in indices)
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
        using var index = torch.tensor(indices.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64);
        return _regions.index_select(0, index).to(Device);
    }

    /// <inheritdoc />
    public CaptionBatch GetBatch(int[] indices)
    {
        if (_epoch == 0 || ReferenceChoice != CaptionReferenceChoice.MinLoss)
        {
            var ids = indices.Select(i => Vocabulary.Encode(References[i][ReferenceOf(i)])).ToArray();
            var (inputs, targets) = Encode(ids, ids.Max(x => x.Length) + 1);
            return new CaptionBatch(Inputs(indices), inputs, targets, indices);
        }
        // Min-loss: every reference; the first stands as the batch's own until the task chooses (CaptionTask.ChooseReferences).
        int r = indices.Max(i => References[i].Length);
        var all = Enumerable.Range(0, r).Select(k => indices.Select(i => Vocabulary.Encode(References[i][k < References[i].Length ? k : 0])).ToArray()).ToArray();
        int tAll = all.Max(a => a.Max(x => x.Length)) + 1;
        var encoded = all.Select(a => Encode(a, tAll)).ToArray();
        var altInputs = torch.stack(encoded.Select(e => e.Inputs).ToArray());                      // (R, B, T)
        var altTargets = torch.stack(encoded.Select(e => e.Targets).ToArray());                    // (R, B, T)
        return new CaptionBatch(Inputs(indices), altInputs[0], altTargets[0], indices, altInputs, altTargets);
    }

    /// <summary>Decoder inputs and targets <c>(B, T)</c> of the captions <paramref name="ids"/>, padded to <paramref name="t"/> steps.</summary>
    (Tensor Inputs, Tensor Targets) Encode(int[][] ids, int t)
    {
        var inputs = new long[ids.Length * t];
        var targets = new long[ids.Length * t];
        for (int k = 0; k < ids.Length; k++)
        {
            inputs[k * t] = CaptionVocabulary.Bos;
            for (int j = 0; j < ids[k].Length; j++)
            {
                inputs[k * t + j + 1] = ids[k][j];
                targets[k * t + j] = ids[k][j];
            }
            targets[k * t + ids[k].Length] = CaptionVocabulary.Eos;
        }
        return (torch.tensor(inputs, dtype: ScalarType.Int64).reshape(ids.Length, t).to(Device),
            torch.tensor(targets, dtype: ScalarType.Int64).reshape(ids.Length, t).to(Device));
    }

    /// <summary>The first <paramref name="count"/> examples as a new dataset.</summary>
    public CaptionDataset Take(int count)
    {
        count = Math.Min(count, Count);
        var taken = new CaptionDataset(_pixels[..(count * Height * Width)], Height, Width, References[..count], Vocabulary, Objects?[..count], Names?[..count], Device, Seed) { ReferenceChoice = ReferenceChoice };
        if (_regions is not null) taken.UseRegions(_regions.narrow(0, 0, count));
        return taken;
    }
}
