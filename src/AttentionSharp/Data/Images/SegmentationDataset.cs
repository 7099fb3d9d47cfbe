using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Data;

/// <summary>A batch of images <c>(B, 1, H, W)</c> in [0, 1] with per-pixel class labels <c>(B, H, W)</c> (int64, 0 = background).</summary>
/// <param name="Images">Float images, batch-first.</param>
/// <param name="Masks">Int64 label maps.</param>
public sealed record SegmentationBatch(Tensor Images, Tensor Masks);

/// <summary>Images with per-pixel labels held in memory as bytes; batches are converted on demand on the chosen device.</summary>
public sealed class SegmentationDataset : IBatchSource<SegmentationBatch>
{
    readonly byte[] _pixels;
    readonly byte[] _masks;

    /// <summary>Creates a dataset of <c>pixels.Length / (height * width)</c> one-channel images and their label maps.</summary>
    public SegmentationDataset(byte[] pixels, byte[] masks, int height, int width, int classes, Device? device = null)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"image size must be positive; got {height}x{width}");
        if (pixels.Length % (height * width) != 0 || masks.Length != pixels.Length)
            throw new ArgumentException($"pixels and masks must both hold N x {height} x {width} bytes; got {pixels.Length} and {masks.Length}");
        if (classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {classes}");
        if (masks.Length > 0 && masks.Max() >= classes) throw new ArgumentException($"labels must be below {classes}; found {masks.Max()}");
        _pixels = pixels; _masks = masks; Height = height; Width = width; Classes = classes; Device = device ?? CPU;
    }

    /// <summary>Image height.</summary>
    public int Height { get; }
    /// <summary>Image width.</summary>
    public int Width { get; }
    /// <summary>Number of classes, background included.</summary>
    public int Classes { get; }
    /// <summary>Device the batches are created on.</summary>
    public Device Device { get; }
    /// <inheritdoc />
    public int Count => _pixels.Length / (Height * Width);

    /// <summary>The pixels of example <paramref name="i"/> (H*W bytes).</summary>
    public ReadOnlySpan<byte> Pixels(int i) => _pixels.AsSpan(i * Height * Width, Height * Width);

    /// <summary>The label map of example <paramref name="i"/> (H*W bytes).</summary>
    public ReadOnlySpan<byte> Mask(int i) => _masks.AsSpan(i * Height * Width, Height * Width);

    /// <inheritdoc />
    public SegmentationBatch GetBatch(int[] indices)
    {
        int n = Height * Width;
        var img = new byte[indices.Length * n];
        var lab = new long[indices.Length * n];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
            _pixels.AsSpan(i * n, n).CopyTo(img.AsSpan(k * n));
            for (int p = 0; p < n; p++) lab[k * n + p] = _masks[i * n + p];
        }
        var images = torch.tensor(img, dtype: ScalarType.Byte).reshape(indices.Length, 1, Height, Width) // (B, 1, H, W)
            .to(ScalarType.Float32).div_(HeldScalars.Of(255f)).to(Device);
        var masks = torch.tensor(lab, dtype: ScalarType.Int64).reshape(indices.Length, Height, Width).to(Device); // (B, H, W)
        return new SegmentationBatch(images, masks);
    }
}
