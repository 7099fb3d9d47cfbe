using AttentionSharp.Data;
using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Data;

public class FreshCanvasesTests
{
    static ImageDataset Digits(int count, int seed) => TranslatedImagesTests.Digits(count, seed);

    /// <summary>The canvases of a batch as bytes, one array per example.</summary>
    static byte[][] Bytes(ImageBatch b)
    {
        using var scope = NewDisposeScope();
        long n = b.Images.shape[0];
        var all = b.Images.mul(255).round().to(ScalarType.Byte).reshape(n, -1);
        return [.. Enumerable.Range(0, (int)n).Select(i => all[i].data<byte>().ToArray())];
    }

    [Fact]
    public void EachCanvasHoldsItsWholeDigitOnceAtSomePosition()
    {
        var src = Digits(12, 1);
        var fresh = new FreshCanvases(src, 60, seed: 5);
        var batch = fresh.GetBatch([.. Enumerable.Range(0, 12)]);
        Assert.Equal(new long[] { 12, 1, 60, 60 }, batch.Images.shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)(i % 10)), batch.Labels.data<long>().ToArray());
        var canvases = Bytes(batch);
        for (int i = 0; i < 12; i++)
        {
            // the lit pixels form exactly the source's 12x8 box, whose contents equal the source box
            var c = canvases[i];
            var lit = Enumerable.Range(0, 3600).Where(p => c[p] > 0).ToArray();
            Assert.Equal(96, lit.Length);
            int top = lit.Min(p => p / 60), left = lit.Min(p => p % 60);
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 8; x++)
                    Assert.Equal(src.Pixels(i)[(8 + y) * 28 + 10 + x], c[(top + y) * 60 + left + x]);
        }
    }

    [Fact]
    public void CanvasesAreAFunctionOfSeedEpochAndIndexAlone()
    {
        var src = Digits(20, 2);
        var a = new FreshCanvases(src, 60, 4, seed: 7);
        var b = new FreshCanvases(src, 60, 4, seed: 7);
        var whole = Bytes(a.GetBatch([.. Enumerable.Range(0, 20)]));
        // another batch composition and order on another instance gives the same canvas per index
        var some = Bytes(b.GetBatch([13, 2, 7]));
        Assert.Equal(whole[13], some[0]);
        Assert.Equal(whole[2], some[1]);
        Assert.Equal(whole[7], some[2]);

        a.BeginEpoch(2);
        var second = Bytes(a.GetBatch([.. Enumerable.Range(0, 20)]));
        Assert.True(Enumerable.Range(0, 20).Count(i => !whole[i].SequenceEqual(second[i])) >= 19, "a new epoch must draw new canvases");
        a.BeginEpoch(1);
        var again = Bytes(a.GetBatch([.. Enumerable.Range(0, 20)]));
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(whole[i], again[i]));

        var other = Bytes(new FreshCanvases(src, 60, 4, seed: 8).GetBatch([.. Enumerable.Range(0, 20)]));
        Assert.True(Enumerable.Range(0, 20).Count(i => !whole[i].SequenceEqual(other[i])) >= 19, "another seed must draw other canvases");
    }

    [Fact]
    public void ClutterComesFromTheSameSplitAndIsClipped()
    {
        var p = new byte[5 * 784];
        for (int i = 0; i < 5; i++) for (int y = 8; y < 20; y++) for (int x = 10; x < 18; x++) p[i * 784 + y * 28 + x] = 255;
        var src = new ImageDataset(p, [0, 1, 2, 3, 4], 28, 28);
        var canvases = Bytes(new FreshCanvases(src, 100, 8, seed: 1).GetBatch([0, 1, 2, 3, 4]));
        Assert.All(canvases, c => Assert.All(c, v => Assert.True(v is 0 or 255)));
        Assert.All(canvases, c => Assert.True(c.Count(v => v == 255) >= 96));
        Assert.True(canvases.Sum(c => c.Count(v => v > 0)) > 5 * 96, "distractors must add pixels");
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheExpectedValue()
    {
        var src = Digits(3, 1);
        Assert.Contains("28x28", Assert.Throws<ArgumentException>(() => new FreshCanvases(src, 20)).Message);
        Assert.Throws<ArgumentException>(() => new FreshCanvases(src, 60, -1));
        var fresh = new FreshCanvases(src, 60);
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.BeginEpoch(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.GetBatch([3]));
        var plain = new ImageTaskData(src, src, src);
        Assert.Same(src, plain.TrainingSource(false));
        Assert.Contains("generated tasks", Assert.Throws<ArgumentException>(() => plain.TrainingSource(true)).Message);
    }

    [Fact]
    public void DerivedTasksOfferFreshTrainingCanvasesFromTheTrainingDigitsOnly()
    {
        var train = Digits(10, 1);
        var test = Digits(6, 99);
        var task = TranslatedImages.Generate(new ImageTaskData(train, Digits(4, 50), test), 60, 0, seed: 3);
        var fresh = Assert.IsType<FreshCanvases>(task.TrainingSource(true));
        Assert.Equal(train.Count, fresh.Count);
        var canvases = Bytes(fresh.GetBatch([.. Enumerable.Range(0, 10)]));
        for (int i = 0; i < 10; i++)
            Assert.Equal(train.Pixels(i).ToArray().Sum(b => b), canvases[i].Sum(b => b));
    }

    /// <summary>A training source that records the epochs the trainer announces.</summary>
    sealed class EpochRecorder(ImageDataset inner) : IBatchSource<ImageBatch>, IEpochAware
    {
        public List<int> Epochs { get; } = [];
        public int Count => inner.Count;
        public void BeginEpoch(int epoch) => Epochs.Add(epoch);
        public ImageBatch GetBatch(int[] indices) => inner.GetBatch(indices);
    }

    [Fact]
    public void TheTrainerAnnouncesEveryEpochAlsoAfterAResume()
    {
        string dir = Path.Combine(Path.GetTempPath(), "attn-fresh-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = AttentionSharp.Tests.Training.TinyData.Halves(64, 1);
            TrainingSummary Fit(int epochs, bool resume, EpochRecorder source)
            {
                manual_seed(1);
                var model = new AttentionSharp.Models.Baselines.BaselineClassifier(new AttentionSharp.Models.Baselines.BaselineOptions(Height: 6, Width: 6, Classes: 2, Hidden: 8));
                var options = new TrainerOptions { Epochs = epochs, BatchSize = 16, LearningRate = 1e-2, OutDir = dir, Resume = resume };
                var identity = ModelIdentity.Of("test/fresh", new { Hidden = 8 });
                return new Trainer<ImageBatch>(options).Fit(new ClassifierTask(model), identity, source, data, new PlainProgress(TextWriter.Null));
            }
            var first = new EpochRecorder(data);
            Fit(2, false, first);
            Assert.Equal([1, 2], first.Epochs);
            var resumed = new EpochRecorder(data);
            Fit(4, true, resumed);
            Assert.Equal([3, 4], resumed.Epochs);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
