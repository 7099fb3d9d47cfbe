using System.Text.Json;
using SkiaSharp;

namespace AttentionSharp.Data.Captioning;

/// <summary>One line of a captions file: an image and its reference captions.</summary>
/// <param name="Image">Image path, relative to the captions file's folder.</param>
/// <param name="Captions">Reference captions (at least one).</param>
/// <param name="Split">train, valid or test; null: assigned by a hash of the image path (80/10/10).</param>
public sealed record CaptionLine(string Image, string[] Captions, string? Split);

/// <summary>
/// The captioning task from a user folder (Flickr8k-style data): a captions file of JSON lines
/// <c>{"image": "img/0001.png", "captions": ["a dog runs", "a brown dog"], "split": "train"}</c> (split optional) beside
/// the images. Images are decoded with SkiaSharp (PNG, JPEG ...), turned to grey (ITU-R BT.601 luma) and must all have the
/// model's size: a wrong size, a missing image, an empty file, a line without captions or with an unknown split is an
/// error naming the file and line.
/// </summary>
public static class CaptionFolder
{
    /// <summary>The splits a line may name.</summary>
    public static readonly string[] SplitNames = ["train", "valid", "test"];

    /// <summary>Reads and checks the captions file (no images yet).</summary>
    public static List<CaptionLine> ReadLines(string captionsFile)
    {
        if (!File.Exists(captionsFile)) throw new FileNotFoundException($"captions file '{captionsFile}' does not exist", captionsFile);
        var lines = new List<CaptionLine>();
        int number = 0;
        foreach (var raw in File.ReadLines(captionsFile))
        {
            number++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            string where = $"{captionsFile}:{number}";
            JsonElement e;
            try { e = JsonDocument.Parse(raw).RootElement.Clone(); }
            catch (JsonException x) { throw new InvalidDataException($"{where}: not a JSON object ({x.Message})"); }
            if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: expected a JSON object {{\"image\": ..., \"captions\": [...]}}; got {e.ValueKind}");
            if (!e.TryGetProperty("image", out var img) || img.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(img.GetString()))
                throw new InvalidDataException($"{where}: needs \"image\", the image path relative to the captions file");
            if (!e.TryGetProperty("captions", out var caps) || caps.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{where}: needs \"captions\", an array of reference captions");
            var captions = caps.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new InvalidDataException($"{where}: captions must be strings")).ToArray();
            if (captions.Length == 0 || captions.Any(c => CaptionVocabulary.Tokenize(c).Length == 0))
                throw new InvalidDataException($"{where}: \"captions\" must hold at least one non-empty caption");
            string? split = null;
            if (e.TryGetProperty("split", out var sp))
            {
                split = sp.GetString();
                if (!SplitNames.Contains(split)) throw new InvalidDataException($"{where}: \"split\" must be one of {string.Join(", ", SplitNames)}; got '{split}'");
            }
            lines.Add(new CaptionLine(img.GetString()!, captions, split));
        }
        if (lines.Count == 0) throw new InvalidDataException($"captions file '{captionsFile}' is empty: expected one JSON line per image");
        return lines;
    }

    /// <summary>The split of a line: its own, or by a stable hash of the image path (80% train, 10% valid, 10% test).</summary>
    public static string SplitOf(CaptionLine line)
    {
        if (line.Split != null) return line.Split;
        uint h = 2166136261;
        foreach (char c in line.Image) h = (h ^ c) * 16777619;
        return (h % 10) switch { 0 => "test", 1 => "valid", _ => "train" };
    }

    /// <summary>Grey bytes of <paramref name="count"/> square images (row-major, one after the other) as a <c>(count, 1, size, size)</c> tensor in [0, 1] on <paramref name="device"/>.</summary>
    public static TorchSharp.torch.Tensor GreyTensor(byte[] pixels, int count, int size, TorchSharp.torch.Device device) =>
        TorchSharp.torch.tensor(pixels, dtype: TorchSharp.torch.ScalarType.Byte).reshape(count, 1, size, size)
            .to(TorchSharp.torch.ScalarType.Float32).div_(AttentionSharp.Native.HeldScalars.Of(255.0)).to(device);

    /// <summary>Reads an image file as grey bytes; it must be <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static byte[] ReadGrey(string path, int height, int width)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image '{path}' does not exist", path);
        using var bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException($"'{path}' is not an image SkiaSharp can decode (PNG, JPEG, WebP, BMP, GIF)");
        if (bitmap.Height != height || bitmap.Width != width)
            throw new InvalidDataException($"image '{path}' is {bitmap.Width}x{bitmap.Height} pixels; the model needs {width}x{height} (resize the images first)");
        var grey = new byte[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                grey[y * width + x] = (byte)Math.Clamp(Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue), 0, 255);
            }
        return grey;
    }

    /// <summary>
    /// Loads the train, valid and test splits of a captions file with images of <paramref name="size"/> x <paramref name="size"/>;
    /// the vocabulary is built from the training captions. Every split needs at least one image.
    /// </summary>
    public static (CaptionDataset Train, CaptionDataset Valid, CaptionDataset Test) Load(string captionsFile, int size, CaptionVocabulary? vocabulary = null,
        TorchSharp.torch.Device? device = null, long seed = 1)
    {
        var lines = ReadLines(captionsFile);
        string folder = Path.GetDirectoryName(Path.GetFullPath(captionsFile))!;
        var bySplit = SplitNames.ToDictionary(s => s, s => lines.Where(l => SplitOf(l) == s).ToList());
        foreach (var s in SplitNames)
            if (bySplit[s].Count == 0) throw new InvalidDataException($"captions file '{captionsFile}' has no '{s}' image (give lines \"split\": \"{s}\")");
        vocabulary ??= CaptionVocabulary.Build(bySplit["train"].SelectMany(l => l.Captions));
        CaptionDataset Make(List<CaptionLine> ls)
        {
            var pixels = new byte[ls.Count * size * size];
            for (int i = 0; i < ls.Count; i++) ReadGrey(Path.Combine(folder, ls[i].Image), size, size).CopyTo(pixels, i * size * size);
            return new CaptionDataset(pixels, size, size, [.. ls.Select(l => l.Captions)], vocabulary, null, [.. ls.Select(l => l.Image)], device, seed);
        }
        return (Make(bySplit["train"]), Make(bySplit["valid"]), Make(bySplit["test"]));
    }

    /// <summary>Writes grey bytes as a PNG (for <c>attn caption</c> users who export generated scenes, and for tests).</summary>
    public static void WritePng(string path, ReadOnlySpan<byte> grey, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) { byte v = grey[y * width + x]; bitmap.SetPixel(x, y, new SKColor(v, v, v)); }
        Training.AtomicFile.WriteAllBytes(path, Visualization.Png.Encode(bitmap));
    }
}
