using static TorchSharp.torch;

namespace AttentionSharp.Data;

/// <summary>How multi-digit segmentation scenes are generated.</summary>
/// <param name="Canvas">Side of the square canvas in pixels.</param>
/// <param name="MinDigits">Fewest digits per scene.</param>
/// <param name="MaxDigits">Most digits per scene.</param>
/// <param name="Threshold">A digit pixel at or above this intensity (0-255) is labelled with the digit's class.</param>
public sealed record MultiDigitOptions(int Canvas = 64, int MinDigits = 2, int MaxDigits = 3, int Threshold = 96)
{
    /// <summary>Checks the values for digits of <paramref name="digitSize"/> pixels, naming the bad one.</summary>
    public void Validate(int digitSize = 28)
    {
        if (Canvas < digitSize) throw new ArgumentException($"canvas must be at least the digit size {digitSize}; got {Canvas}");
        if (MinDigits < 1 || MaxDigits < MinDigits) throw new ArgumentException($"need 1 <= min digits <= max digits; got {MinDigits}..{MaxDigits}");
        if (Threshold is < 1 or > 255) throw new ArgumentException($"threshold must be in 1..255; got {Threshold}");
    }
}

/// <summary>
/// Multi-digit MNIST segmentation: several digits pasted at random positions on a blank canvas (overlaps combined by
/// maximum intensity); each pixel is labelled with the class + 1 of the digit that is brightest there when that
/// intensity reaches the threshold, else 0 (background). Deterministic by seed; 11 classes.
/// </summary>
public static class MultiDigitSegmentation
{
    /// <summary>Number of classes: background and the ten digits.</summary>
    public const int Classes = 11;

    /// <summary>Generates <paramref name="count"/> scenes from <paramref name="digits"/>; the same seed gives the same scenes.</summary>
    public static SegmentationDataset Generate(ImageDataset digits, int count, long seed, MultiDigitOptions? options = null, Device? device = null)
    {
        var o = options ?? new MultiDigitOptions();
        if (digits.Height != digits.Width) throw new ArgumentException($"digits must be square; got {digits.Height}x{digits.Width}");
        o.Validate(digits.Height);
        if (count < 0) throw new ArgumentException($"count must be non-negative; got {count}");
        if (digits.Count == 0) throw new ArgumentException("the digit dataset is empty");
        int c = o.Canvas, d = digits.Height, n = c * c;
        var pixels = new byte[(long)count * n];
        var masks = new byte[(long)count * n];
        var rng = new Random(unchecked((int)(seed * 2_654_435_761L)));
        for (int s = 0; s < count; s++)
        {
            var img = pixels.AsSpan(s * n, n);
            var mask = masks.AsSpan(s * n, n);
            int k = rng.Next(o.MinDigits, o.MaxDigits + 1);
            for (int t = 0; t < k; t++)
            {
                int idx = rng.Next(digits.Count);
                int top = rng.Next(c - d + 1), left = rng.Next(c - d + 1);
                var digit = digits.Pixels(idx);
                byte label = (byte)(digits.Label(idx) + 1);
                for (int y = 0; y < d; y++)
                    for (int x = 0; x < d; x++)
                    {
                        byte v = digit[y * d + x];
                        int p = (top + y) * c + left + x;
                        if (v >= o.Threshold && v >= img[p]) mask[p] = label;
                        if (v > img[p]) img[p] = v;
                    }
            }
        }
        return new SegmentationDataset(pixels, masks, c, c, Classes, device);
    }
}

/// <summary>The train/validation/test splits of a segmentation task.</summary>
/// <param name="Train">Training scenes.</param>
/// <param name="Valid">Validation scenes (select the best checkpoint).</param>
/// <param name="Test">Held-out test scenes.</param>
public sealed record SegmentationTaskData(SegmentationDataset Train, SegmentationDataset Valid, SegmentationDataset Test);

/// <summary>Segmentation tasks by name for <c>attn segment</c>.</summary>
public static class SegmentationTasks
{
    /// <summary>Known task names.</summary>
    public static readonly string[] Names = ["digits", "brain"];

    /// <summary>Classes of a task, background included.</summary>
    public static int ClassesOf(string task) => task switch
    {
        "digits" => MultiDigitSegmentation.Classes,
        "brain" => 2,
        _ => throw new ArgumentException($"unknown segmentation task '{task}'; known: {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// Loads a task: <c>digits</c> builds train scenes from MNIST training digits, validation scenes from the validation
    /// digits and test scenes from the test digits, so no digit image is shared between splits; <c>brain</c> reads the
    /// MRI slices of <see cref="BrainMri"/> (the counts cap each split; the scene options and seed do not apply).
    /// </summary>
    public static SegmentationTaskData Load(string task, string cacheRoot, TextWriter log, MultiDigitOptions options,
        int trainCount, int validCount, int testCount, long seed = 1, Device? device = null)
    {
        if (task == "brain") return BrainMri.Load(cacheRoot, log, trainCount, validCount, testCount, device);
        if (task != "digits") throw new ArgumentException($"unknown segmentation task '{task}'; known: {string.Join(", ", Names)}");
        var (train, valid, test) = MnistLoader.Load(DatasetCatalog.Mnist, cacheRoot, log);
        return new SegmentationTaskData(
            MultiDigitSegmentation.Generate(train, trainCount, seed, options, device),
            MultiDigitSegmentation.Generate(valid, validCount, seed + 1, options, device),
            MultiDigitSegmentation.Generate(test, testCount, seed + 2, options, device));
    }
}
