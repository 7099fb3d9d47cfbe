using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Data;

/// <summary>A batch of images <c>(B, C, H, W)</c> in [0, 1] with class labels <c>(B)</c>.</summary>
/// <param name="Images">Float images, batch-first.</param>
/// <param name="Labels">Int64 class indices.</param>
public sealed record ImageBatch(Tensor Images, Tensor Labels);

/// <summary>Where the labelled object lies in an image, in pixels (for generated canvases, whose ground truth is known).</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct ObjectBox(int Top, int Left, int Height, int Width)
{
    /// <summary>Centre row (may be fractional).</summary>
    public double CentreY => Top + Height / 2.0;
    /// <summary>Centre column (may be fractional).</summary>
    public double CentreX => Left + Width / 2.0;
}

/// <summary>Labelled images held in memory as bytes (1 byte a pixel); batches are converted to float on demand on the chosen device.</summary>
public sealed class ImageDataset : IBatchSource<ImageBatch>
{
    readonly byte[] _pixels;
    readonly byte[] _labels;

    /// <summary>Creates a dataset of <c>labels.Length</c> images of <paramref name="height"/> x <paramref name="width"/> (one channel).</summary>
    /// <param name="pixels">Grey bytes, image after image.</param>
    /// <param name="labels">One class per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="device">Device of the batches.</param>
    /// <param name="boxes">Optional: per image, the box of the labelled object (see <see cref="Boxes"/>).</param>
    public ImageDataset(byte[] pixels, byte[] labels, int height, int width, int classes = 10, Device? device = null, ObjectBox[]? boxes = null)
    {
        if (boxes is not null && boxes.Length != labels.Length)
            throw new ArgumentException($"{labels.Length} images need {labels.Length} object boxes; got {boxes.Length}");
        Boxes = boxes;
        if (height < 1 || width < 1) throw new ArgumentException($"image size must be positive; got {height}x{width}");
        if (pixels.Length != (long)labels.Length * height * width)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * height * width} pixels of {height}x{width}; got {pixels.Length}");
        if (labels.Any(l => l >= classes)) throw new ArgumentException($"labels must be below {classes}; found {labels.Max()}");
        _pixels = pixels; _labels = labels; Height = height; Width = width; Classes = classes; Device = device ?? CPU;
    }

    /// <summary>Image height.</summary>
    public int Height { get; }
    /// <summary>Image width.</summary>
    public int Width { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>Per image, where the labelled object lies (known for generated canvases), else null.</summary>
    public ObjectBox[]? Boxes { get; }
    /// <summary>Device the batches are created on.</summary>
    public Device Device { get; }
    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <summary>The label of example <paramref name="i"/>.</summary>
    public int Label(int i) => _labels[i];

    /// <summary>The pixels of example <paramref name="i"/> (H*W bytes).</summary>
    public ReadOnlySpan<byte> Pixels(int i) => _pixels.AsSpan(i * Height * Width, Height * Width);

    /// <inheritdoc />
    public ImageBatch GetBatch(int[] indices)
    {
        int n = Height * Width;
        var buf = new byte[indices.Length * n];
        var lab = new long[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} is outside 0..{Count - 1}");
            _pixels.AsSpan(i * n, n).CopyTo(buf.AsSpan(k * n));
            lab[k] = _labels[i];
        }
        return ToBatch(buf, lab, Height, Width, Device);
    }

    /// <summary>A batch from <c>B*H*W</c> grey bytes and B labels: images scaled to [0, 1] <c>(B, 1, H, W)</c> on <paramref name="device"/>.</summary>
    public static ImageBatch ToBatch(byte[] pixels, long[] labels, int height, int width, Device device)
    {
        var images = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(labels.Length, 1, height, width) // (B, 1, H, W)
            .to(ScalarType.Float32).div_(HeldScalars.Of(255f)).to(device);
        return new ImageBatch(images, torch.tensor(labels, dtype: ScalarType.Int64).to(device));
    }

    /// <summary>The examples at <paramref name="indices"/> as a new dataset (e.g. a validation split).</summary>
    public ImageDataset Subset(IReadOnlyList<int> indices)
    {
        int n = Height * Width;
        var p = new byte[indices.Count * n];
        var l = new byte[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            _pixels.AsSpan(indices[k] * n, n).CopyTo(p.AsSpan(k * n));
            l[k] = _labels[indices[k]];
        }
        return new ImageDataset(p, l, Height, Width, Classes, Device, Boxes is null ? null : [.. indices.Select(i => Boxes[i])]);
    }

    /// <summary>Loads an IDX image file and its IDX label file, checking they agree.</summary>
    public static ImageDataset FromIdx(string imagesPath, string labelsPath, Device? device = null)
    {
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.Dimensions.Length != 3) throw new InvalidDataException($"{imagesPath}: expected (N, H, W) images; got rank {images.Dimensions.Length}");
        if (labels.Dimensions.Length != 1) throw new InvalidDataException($"{labelsPath}: expected (N) labels; got rank {labels.Dimensions.Length}");
        if (images.Count != labels.Count) throw new InvalidDataException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels");
        int classes = labels.Data.Max() + 1;
        return new ImageDataset(images.Data, labels.Data, images.Dimensions[1], images.Dimensions[2], Math.Max(10, classes), device);
    }
}

/// <summary>Loads the MNIST-format datasets of <see cref="DatasetCatalog"/> with a fixed validation split.</summary>
public static class MnistLoader
{
    /// <summary>Train (minus validation), validation and test splits of an MNIST-format dataset; the split is fixed by <paramref name="splitSeed"/>.</summary>
    public static (ImageDataset Train, ImageDataset Valid, ImageDataset Test) Load(DatasetSource source, string cacheRoot, TextWriter log,
        int validationSize = 5000, int splitSeed = 12345, Device? device = null)
    {
        string dir = source.Ensure(cacheRoot, log);
        var full = ImageDataset.FromIdx(Path.Combine(dir, "train-images-idx3-ubyte"), Path.Combine(dir, "train-labels-idx1-ubyte"), device);
        var test = ImageDataset.FromIdx(Path.Combine(dir, "t10k-images-idx3-ubyte"), Path.Combine(dir, "t10k-labels-idx1-ubyte"), device);
        if (validationSize < 0 || validationSize >= full.Count) throw new ArgumentException($"validation size must be in 0..{full.Count - 1}; got {validationSize}");
        var order = Enumerable.Range(0, full.Count).ToArray();
        new Random(splitSeed).Shuffle(order);
        return (full.Subset(order[validationSize..]), full.Subset(order[..validationSize]), test);
    }
}
