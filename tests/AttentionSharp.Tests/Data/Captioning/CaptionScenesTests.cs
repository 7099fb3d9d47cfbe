using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;

namespace AttentionSharp.Tests.Data.Captioning;

public class CaptionScenesTests
{
    /// <summary>
    /// Source images with a known look: every pixel of an image of class c is <paramref name="value"/> + c, so a canvas shows
    /// which split and class its objects came from. <paramref name="perClass"/> images of each of the 10 labels.
    /// </summary>
    internal static ImageDataset Sprites(int value, int perClass)
    {
        int n = 10 * perClass;
        var pixels = new byte[n * 784];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = (byte)(i % 10);
            Array.Fill(pixels, (byte)(value + i % 10), i * 784, 784);
        }
        return new ImageDataset(pixels, labels, 28, 28);
    }

    /// <summary>
    /// Source images a small network tells apart: class c (0-9 digits, 10-19 items) lights the 7x7 blocks of a 4x4 layout
    /// given by the bits of a code unique to the class.
    /// </summary>
    internal static ImageDataset Patterns(bool items, int perClass)
    {
        int n = 10 * perClass;
        var pixels = new byte[n * 784];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 10 + (items ? 10 : 0);
            labels[i] = (byte)(i % 10);
            int code = 0x0F0F ^ (c * 2654435761u % 65521 == 0 ? 1 : (int)(c * 2654435761u % 65521));
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    if ((code >> (y / 7 * 4 + x / 7) & 1) == 1) pixels[i * 784 + y * 28 + x] = 255;
        }
        return new ImageDataset(pixels, labels, 28, 28);
    }

    internal static (ImageTaskData Digits, ImageTaskData Items) Sources() =>
        (new ImageTaskData(Sprites(100, 3), Sprites(140, 2), Sprites(200, 2)), new ImageTaskData(Sprites(20, 3), Sprites(60, 2), Sprites(220, 2)));

    static SceneSplits Make(SceneOptions options, int n = 200, long seed = 3)
    {
        var (d, f) = Sources();
        return CaptionScenes.Generate(d, f, options, n, n / 4, n / 4, seed);
    }

    [Fact]
    public void TheSameSeedGivesTheSameScenesAndAnotherSeedOthers()
    {
        var a = Make(new SceneOptions());
        var b = Make(new SceneOptions());
        var c = Make(new SceneOptions(), seed: 4);
        for (int i = 0; i < a.Train.Count; i++)
        {
            Assert.True(a.Train.Pixels(i).SequenceEqual(b.Train.Pixels(i)));
            Assert.Equal(a.Train.References[i], b.Train.References[i]);
        }
        Assert.False(Enumerable.Range(0, a.Train.Count).All(i => a.Train.Pixels(i).SequenceEqual(c.Train.Pixels(i))));
    }

    [Fact]
    public void ObjectsLieInTheirBoxesOnOneLineOfTheGridAndTheCaptionsNameThemInOrder()
    {
        var s = Make(new SceneOptions(MinObjects: 1, MaxObjects: 3));
        var counts = new int[4];
        for (int i = 0; i < s.Train.Count; i++)
        {
            var objects = s.Train.Objects![i];
            counts[objects.Length]++;
            var px = s.Train.Pixels(i);
            foreach (var o in objects)
            {
                Assert.InRange(o.Box.Top, 0, 64 - 20);
                Assert.InRange(o.Box.Left, 0, 64 - 20);
                Assert.Equal(20, o.Box.Height);
                // A constant sprite resized stays constant: the box interior holds at least its value (maximum paste).
                int value = o.Class < 10 ? 100 + o.Class : 20 + o.Class - 10;
                Assert.True(px[(o.Box.Top + 10) * 64 + o.Box.Left + 10] >= value);
            }
            bool horizontal = objects.Select(o => (int)((o.Box.Top + 10) / (64 / 3.0))).Distinct().Count() == 1 && objects.Length > 1;
            var refs = s.Train.References[i];
            Assert.True(refs.Length >= 3, "at least 3 references");
            Assert.Equal(refs.Length, refs.Distinct().Count());
            var words = objects.Select(o => o.Word).ToArray();
            Assert.Equal(SceneGrammar.References(words, horizontal || objects.Length == 1), refs);
            // Objects are named in reading order: left to right, or top to bottom.
            var order = objects.Select(o => horizontal ? o.Box.Left : o.Box.Top).ToArray();
            Assert.Equal(order.OrderBy(x => x), order);
            // Outside the boxes the canvas is black.
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    if (!objects.Any(o => y >= o.Box.Top && y < o.Box.Top + 20 && x >= o.Box.Left && x < o.Box.Left + 20)) Assert.Equal(0, px[y * 64 + x]);
        }
        Assert.True(counts[1] > 0 && counts[2] > 0 && counts[3] > 0);
    }

    [Fact]
    public void TheGrammarWritesFourReferencesThatParseToTheSameRelations()
    {
        var refs = SceneGrammar.References(["3", "sandal", "bag"], horizontal: true);
        Assert.Equal(["a 3 left of a sandal left of a bag", "a bag right of a sandal right of a 3",
            "a 3 left of a sandal and a sandal left of a bag", "a bag right of a sandal and a sandal right of a 3"], refs);
        var expected = new[] { new SceneRelation("3", true, "sandal"), new SceneRelation("sandal", true, "bag") };
        foreach (var r in refs)
        {
            var (objects, relations) = SceneGrammar.Parse(CaptionVocabulary.Tokenize(r));
            Assert.Equal(new HashSet<string> { "3", "sandal", "bag" }, objects.ToHashSet());
            Assert.Equal(expected.ToHashSet(), relations.ToHashSet());
        }
        Assert.Equal(["a trouser above a 7", "a 7 below a trouser", "a trouser is above a 7", "a 7 is below a trouser"], SceneGrammar.References(["trouser", "7"], false));
        Assert.Equal(3, SceneGrammar.References(["boot"], true).Length);
    }

    [Fact]
    public void EveryOrderedPairOfDistinctClassesAppearsOnceInEachCycle()
    {
        // 380 two-object scenes with nothing held out: the first two objects run through all 20 x 19 ordered pairs once.
        var (d, f) = Sources();
        var set = CaptionScenes.Build(d.Train, f.Train, new SceneOptions(MinObjects: 2, MaxObjects: 2, HeldOut: 0), 380, 9,
            new HashSet<SceneRelation>(), [], false, CaptionScenes.Vocabulary());
        var pairs = Enumerable.Range(0, 380).Select(i => (set.Objects![i][0].Class, set.Objects[i][1].Class)).ToList();
        Assert.Equal(380, pairs.Distinct().Count());
        Assert.All(pairs, p => Assert.NotEqual(p.Item1, p.Item2));
    }

    [Fact]
    public void HeldOutCombinationsNeverReachTrainingAndEveryCompositionalSceneHasOne()
    {
        var s = Make(new SceneOptions(MinObjects: 2, MaxObjects: 3, HeldOut: 0.2), n: 400);
        var held = s.HeldOut.ToHashSet();
        Assert.Equal((int)Math.Round(0.2 * 760), held.Count);
        foreach (var set in new[] { s.Train, s.Valid, s.Test })
            for (int i = 0; i < set.Count; i++)
            {
                var (_, relations) = SceneGrammar.Parse(CaptionVocabulary.Tokenize(set.References[i][0]));
                Assert.DoesNotContain(relations, held.Contains);
            }
        for (int i = 0; i < s.Compositional.Count; i++)
        {
            var (_, relations) = SceneGrammar.Parse(CaptionVocabulary.Tokenize(s.Compositional.References[i][0]));
            Assert.Contains(relations, held.Contains);
        }
    }

    [Fact]
    public void TestAndCompositionalCanvasesUseOnlyTestImages()
    {
        // Test sprites are 200-209 (digits) and 220-229 (items); training and validation sprites are below 170.
        var s = Make(new SceneOptions(), n: 120);
        foreach (var set in new[] { s.Test, s.Compositional })
            for (int i = 0; i < set.Count; i++)
                Assert.All(set.Pixels(i).ToArray(), p => Assert.True(p == 0 || p >= 200, $"pixel {p} is not from a test image"));
        for (int i = 0; i < s.Train.Count; i++)
            Assert.All(s.Train.Pixels(i).ToArray(), p => Assert.True(p < 170));
    }

    [Fact]
    public void TrainingPairsCycleThroughTheReferencesByEpoch()
    {
        var s = Make(new SceneOptions(), n: 40);
        var used = new HashSet<int>();
        Assert.Equal(0, s.Train.ReferenceOf(5));
        for (int epoch = 1; epoch <= 30; epoch++)
        {
            s.Train.BeginEpoch(epoch);
            used.Add(s.Train.ReferenceOf(5));
        }
        Assert.Equal(4, used.Count);
        s.Train.BeginEpoch(3);
        var a = s.Train.GetBatch([1, 2]);
        s.Train.BeginEpoch(3);
        var b = s.Train.GetBatch([1, 2]);
        Assert.True(a.Targets.eq(b.Targets).all().item<bool>());
        // Inputs are BOS + words, targets words + EOS, padded.
        var inputs = a.Inputs.data<long>().ToArray();
        var targets = a.Targets.data<long>().ToArray();
        Assert.Equal(CaptionVocabulary.Bos, inputs[0]);
        Assert.Equal(targets[0], inputs[1]);
        Assert.Contains((long)CaptionVocabulary.Eos, targets);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirNames()
    {
        Assert.Equal("Canvas must be a multiple of 8 and at least 24; got 60", Assert.Throws<ArgumentException>(() => new SceneOptions(Canvas: 60).Validate()).Message);
        Assert.Contains("MinObjects and MaxObjects", Assert.Throws<ArgumentException>(() => new SceneOptions(MinObjects: 2, MaxObjects: 4).Validate()).Message);
        Assert.Contains("HeldOut", Assert.Throws<ArgumentException>(() => new SceneOptions(HeldOut: 1).Validate()).Message);
        var (d, f) = Sources();
        var wrong = new ImageTaskData(new ImageDataset(new byte[10 * 16 * 16], new byte[10], 16, 16), d.Valid, d.Test);
        Assert.Contains("28x28", Assert.Throws<ArgumentException>(() => CaptionScenes.Generate(wrong, f, new SceneOptions(), 5, 5, 5, 1)).Message);
    }
}
