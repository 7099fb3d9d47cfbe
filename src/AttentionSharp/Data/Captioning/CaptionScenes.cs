namespace AttentionSharp.Data.Captioning;

/// <summary>How <see cref="CaptionScenes"/> draws canvases.</summary>
/// <param name="Canvas">Canvas side in pixels (64; 96 works too): a multiple of 8.</param>
/// <param name="MinObjects">Fewest objects per scene (1-3).</param>
/// <param name="MaxObjects">Most objects per scene (1-3; the 3x3 grid's line holds 3).</param>
/// <param name="ObjectSize">Side of a pasted object (a 28x28 source image resized); 0 = 5/16 of the canvas (20 on 64).</param>
/// <param name="Jitter">Each object is moved from its cell's centre by up to this many pixels in each direction.</param>
/// <param name="HeldOut">Share of (object, relation, object) combinations kept out of training for the compositional test.</param>
public sealed record SceneOptions(int Canvas = 64, int MinObjects = 2, int MaxObjects = 3, int ObjectSize = 0, int Jitter = 2, double HeldOut = 0.1)
{
    /// <summary>Seed of the held-out combinations: fixed, so every run and model shares the compositional split.</summary>
    public const int CompositionSeed = 2015;

    /// <summary>The object side used (<see cref="ObjectSize"/> or its default).</summary>
    public int Size => ObjectSize > 0 ? ObjectSize : Canvas * 5 / 16;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Canvas < 24 || Canvas % 8 != 0) throw new ArgumentException($"Canvas must be a multiple of 8 and at least 24; got {Canvas}");
        if (MinObjects < 1 || MaxObjects > 3 || MinObjects > MaxObjects)
            throw new ArgumentException($"MinObjects and MaxObjects must satisfy 1 <= MinObjects <= MaxObjects <= 3; got {MinObjects} and {MaxObjects}");
        if (Size < 4 || Size > Canvas / 3) throw new ArgumentException($"ObjectSize must be in 4..{Canvas / 3} (a third of the canvas); got {Size}");
        if (Jitter < 0 || Jitter > Canvas / 12) throw new ArgumentException($"Jitter must be in 0..{Canvas / 12} (Canvas / 12); got {Jitter}");
        if (!(HeldOut >= 0 && HeldOut < 1)) throw new ArgumentException($"HeldOut must be in [0, 1); got {HeldOut}");
    }
}

/// <summary>The splits of a generated scenes task.</summary>
/// <param name="Train">Training scenes (training source images; no held-out combination).</param>
/// <param name="Valid">Validation scenes (validation source images; no held-out combination).</param>
/// <param name="Test">Test scenes (test source images; no held-out combination).</param>
/// <param name="Compositional">Test scenes (test source images) that each hold at least one held-out combination.</param>
/// <param name="HeldOut">The held-out combinations.</param>
public sealed record SceneSplits(CaptionDataset Train, CaptionDataset Valid, CaptionDataset Test, CaptionDataset Compositional, SceneRelation[] HeldOut);

/// <summary>
/// The <c>scenes</c> captioning task (issue 22): canvases with 1-3 objects drawn from MNIST digits and Fashion-MNIST items,
/// resized and pasted (pixel-wise maximum) on one line (row or column) of a 3x3 grid, each moved by a small jitter, with
/// the captions of <see cref="SceneGrammar"/> and each object's box. The first two objects' classes cycle through every
/// ordered pair of distinct classes in a shuffled order, so that a language prior cannot guess them; the third is uniform
/// among the rest. A fixed share of (object, relation, object) combinations is held out of the training, validation and
/// test scenes and makes up the compositional test. Everything is a function of the seed and the source images.
/// </summary>
public static class CaptionScenes
{
    /// <summary>Every canonical combination (a, relation, b) of distinct classes, and those the options hold out.</summary>
    public static SceneRelation[] HeldOutRelations(SceneOptions options)
    {
        var all = new List<SceneRelation>();
        foreach (bool h in new[] { true, false })
            for (int a = 0; a < SceneGrammar.Classes; a++)
                for (int b = 0; b < SceneGrammar.Classes; b++)
                    if (a != b) all.Add(new SceneRelation(SceneGrammar.Words[a], h, SceneGrammar.Words[b]));
        var order = all.ToArray();
        new Random(SceneOptions.CompositionSeed).Shuffle(order);
        return order[..(int)Math.Round(options.HeldOut * order.Length)];
    }

    /// <summary>The vocabulary of the grammar: function words, then the object words.</summary>
    public static CaptionVocabulary Vocabulary() => new([.. SceneGrammar.FunctionWords, .. SceneGrammar.Words]);

    /// <summary>
    /// Generates the four splits from the digit and item datasets (train/valid/test of each); sizes are scene counts.
    /// Test and compositional scenes use test images only.
    /// </summary>
    public static SceneSplits Generate(ImageTaskData digits, ImageTaskData items, SceneOptions options, int trainSize, int validSize, int testSize, long seed,
        TorchSharp.torch.Device? device = null)
    {
        options.Validate();
        if (trainSize < 1 || validSize < 1 || testSize < 1) throw new ArgumentException($"scene counts must be >= 1; got {trainSize}, {validSize}, {testSize}");
        var held = HeldOutRelations(options);
        var vocab = Vocabulary();
        var heldSet = held.ToHashSet();
        CaptionDataset Split(ImageDataset d, ImageDataset f, int n, long s, bool compositional) =>
            Build(d, f, options, n, s, heldSet, held, compositional, vocab, device);
        return new SceneSplits(Split(digits.Train, items.Train, trainSize, seed, false), Split(digits.Valid, items.Valid, validSize, seed + 1, false),
            Split(digits.Test, items.Test, testSize, seed + 2, false), Split(digits.Test, items.Test, testSize, seed + 3, true), held);
    }

    /// <summary>Generates <paramref name="count"/> scenes from one split's digits and items (see the class summary).</summary>
    public static CaptionDataset Build(ImageDataset digits, ImageDataset items, SceneOptions options, int count, long seed,
        IReadOnlySet<SceneRelation> heldOut, IReadOnlyList<SceneRelation> heldList, bool compositional, CaptionVocabulary vocabulary,
        TorchSharp.torch.Device? device = null)
    {
        options.Validate();
        if (digits.Height != 28 || digits.Width != 28 || items.Height != 28 || items.Width != 28)
            throw new ArgumentException($"scene objects must be 28x28 images; got {digits.Height}x{digits.Width} digits and {items.Height}x{items.Width} items");
        if (compositional && heldList.Count == 0) throw new ArgumentException("a compositional test needs held-out combinations (HeldOut > 0)");
        if (compositional && options.MaxObjects < 2) throw new ArgumentException("a compositional test needs scenes of at least 2 objects (MaxObjects >= 2)");
        var byClass = new List<int>[SceneGrammar.Classes];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = [];
        for (int i = 0; i < digits.Count; i++) if (digits.Label(i) < 10) byClass[digits.Label(i)].Add(i);
        for (int i = 0; i < items.Count; i++) if (items.Label(i) < 10) byClass[10 + items.Label(i)].Add(i);
        for (int c = 0; c < byClass.Length; c++)
            if (byClass[c].Count == 0) throw new ArgumentException($"no source image of class '{SceneGrammar.Words[c]}' ({(c < 10 ? "digits" : "items")} label {c % 10})");

        var rng = new Random(unchecked((int)seed));
        var pairs = new List<(int A, int B)>();
        for (int a = 0; a < SceneGrammar.Classes; a++)
            for (int b = 0; b < SceneGrammar.Classes; b++) if (a != b) pairs.Add((a, b));
        var pairOrder = pairs.ToArray();
        int pairCursor = pairOrder.Length;
        int canvas = options.Canvas, size = options.Size;
        var pixels = new byte[count * canvas * canvas];
        var refs = new string[count][];
        var objects = new SceneObject[count][];
        var wordIndex = SceneGrammar.Words.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i);
        int minObjects = compositional ? Math.Max(2, options.MinObjects) : options.MinObjects;
        for (int s = 0; s < count; s++)
        {
            int n = rng.Next(minObjects, options.MaxObjects + 1);
            bool horizontal = rng.Next(2) == 0;
            int line = rng.Next(3);
            int[] slots = n == 3 ? [0, 1, 2] : n == 2 ? new[] { new[] { 0, 1 }, new[] { 0, 2 }, new[] { 1, 2 } }[rng.Next(3)] : [rng.Next(3)];
            int[] classes;
            for (int attempt = 0; ; attempt++)
            {
                if (attempt > 10_000) throw new InvalidOperationException("could not draw a scene outside the held-out combinations");
                classes = new int[n];
                if (compositional)
                {
                    // A held-out combination of this orientation at a random neighbouring pair; other objects uniform and distinct.
                    var candidates = heldList.Where(r => r.Horizontal == horizontal).ToArray();
                    var r = candidates.Length > 0 ? candidates[rng.Next(candidates.Length)] : heldList[rng.Next(heldList.Count)];
                    if (candidates.Length == 0) horizontal = r.Horizontal;
                    int at = rng.Next(n - 1);
                    classes[at] = wordIndex[r.First];
                    classes[at + 1] = wordIndex[r.Second];
                    for (int k = 0; k < n; k++)
                        if (k != at && k != at + 1)
                            do classes[k] = rng.Next(SceneGrammar.Classes); while (classes.Take(k).Concat(classes.Skip(k + 1)).Contains(classes[k]));
                    break;
                }
                if (n == 1) classes[0] = rng.Next(SceneGrammar.Classes);
                else
                {
                    if (pairCursor == pairOrder.Length) { rng.Shuffle(pairOrder); pairCursor = 0; }
                    (classes[0], classes[1]) = pairOrder[pairCursor++];
                    if (n == 3) do classes[2] = rng.Next(SceneGrammar.Classes); while (classes[2] == classes[0] || classes[2] == classes[1]);
                }
                var words = classes.Select(c => SceneGrammar.Words[c]).ToArray();
                if (!SceneGrammar.Relations(words, horizontal).Any(heldOut.Contains)) break;
            }
            var scene = new SceneObject[n];
            var canvasPixels = pixels.AsSpan(s * canvas * canvas, canvas * canvas);
            for (int k = 0; k < n; k++)
            {
                int c = classes[k];
                var pool = byClass[c];
                int src = pool[rng.Next(pool.Count)];
                var sprite = c < 10 ? digits.Pixels(src) : items.Pixels(src);
                int row = horizontal ? line : slots[k], col = horizontal ? slots[k] : line;
                int top = Place(row, canvas, size, options.Jitter, rng), left = Place(col, canvas, size, options.Jitter, rng);
                Paste(sprite, canvasPixels, canvas, top, left, size);
                scene[k] = new SceneObject(c, SceneGrammar.Words[c], new ObjectBox(top, left, size, size));
            }
            objects[s] = scene;
            refs[s] = SceneGrammar.References(scene.Select(o => o.Word).ToArray(), horizontal);
        }
        return new CaptionDataset(pixels, canvas, canvas, refs, vocabulary, objects, null, device, seed);
    }

    static int Place(int cell, int canvas, int size, int jitter, Random rng)
    {
        double centre = (cell + 0.5) * canvas / 3.0;
        int p = (int)Math.Round(centre - size / 2.0) + rng.Next(-jitter, jitter + 1);
        return Math.Clamp(p, 0, canvas - size);
    }

    /// <summary>Resizes a 28x28 sprite to <paramref name="size"/> (bilinear) and pastes it at (top, left) by pixel-wise maximum.</summary>
    static void Paste(ReadOnlySpan<byte> sprite, Span<byte> canvasPixels, int canvas, int top, int left, int size)
    {
        const int src = 28;
        for (int y = 0; y < size; y++)
        {
            double sy = Math.Clamp((y + 0.5) * src / size - 0.5, 0, src - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, src - 1);
            double fy = sy - y0;
            for (int x = 0; x < size; x++)
            {
                double sx = Math.Clamp((x + 0.5) * src / size - 0.5, 0, src - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, src - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * sprite[y0 * src + x0] + fx * sprite[y0 * src + x1]) + fy * ((1 - fx) * sprite[y1 * src + x0] + fx * sprite[y1 * src + x1]);
                byte b = (byte)Math.Clamp(Math.Round(v), 0, 255);
                ref byte dst = ref canvasPixels[(top + y) * canvas + left + x];
                if (b > dst) dst = b;
            }
        }
    }
}
