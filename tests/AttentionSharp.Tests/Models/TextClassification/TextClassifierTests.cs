using AttentionSharp.Sequence;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.TextClassification;

public class TextClassifierTests
{
    static TextClassifierOptions Tiny(string model, string cell = "gru") =>
        new(Model: AttentionSharp.Training.Variant.Parse<TextClassifierModel>(model, "model"), Cell: AttentionSharp.Training.Variant.Parse<RnnCell>(cell, "cell"), VocabularySize: 20, Classes: 3, Embedding: 8, Hidden: 6, AttentionDim: 5, Dropout: 0);

    /// <summary>A padded flat batch: rows of the given lengths, random tokens 2..19.</summary>
    static (Tensor Tokens, Tensor Mask) Flat(params int[] lengths)
    {
        var docs = lengths.Select((n, r) => new[] { Enumerable.Range(0, n).Select(i => 2 + (i * 7 + r * 3) % 18).ToArray() }).ToList();
        var b = new EncodedTextSet(docs, lengths.Select(_ => 0).ToList(), hierarchical: false).GetBatch(Enumerable.Range(0, lengths.Length).ToArray());
        return (b.Tokens, b.Mask);
    }

    [Fact]
    public void AttentionWeightsSumToOneOverRealTokensAndIgnorePadding()
    {
        torch.manual_seed(1);
        var model = new RecurrentTextClassifier(Tiny("attn"));
        model.eval();
        var (tokens, mask) = Flat(5, 2, 7);
        var output = model.Classify(tokens, mask, needWeights: true);
        Assert.Equal([3L, 3L], output.Logits.shape);
        var w = output.WordWeights!;
        Assert.Equal([3L, 7L], w.shape);
        var sums = w.sum(1).data<float>().ToArray();
        Assert.All(sums, s => Assert.Equal(1.0, s, 5));
        Assert.Equal(0.0, w.masked_select(mask.logical_not()).abs().sum().item<float>(), 7);

        // Changing what sits in the padding changes nothing: row 1 alone, unpadded, gives the same logits and weights.
        var noisy = tokens.clone();
        noisy[1, TensorIndex.Slice(2)] = 9;
        var again = model.Classify(noisy, mask, needWeights: true);
        Assert.True(again.Logits.allclose(output.Logits, 1e-5, 1e-6));
        var (alone, aloneMask) = Flat(2);
        var single = model.Classify(tokens[TensorIndex.Slice(1, 2), TensorIndex.Slice(0, 2)], aloneMask, needWeights: true);
        Assert.True(single.Logits.allclose(output.Logits[TensorIndex.Slice(1, 2)], 1e-5, 1e-6));
        Assert.True(single.WordWeights!.allclose(w[TensorIndex.Slice(1, 2), TensorIndex.Slice(0, 2)], 1e-5, 1e-6));
        _ = alone;
    }

    [Theory]
    [InlineData("mean", "gru")]
    [InlineData("max", "gru")]
    [InlineData("last", "gru")]
    [InlineData("last", "lstm")]
    [InlineData("attn", "lstm")]
    public void PoolingBaselinesIgnorePadding(string model, string cell)
    {
        torch.manual_seed(2);
        var m = new RecurrentTextClassifier(Tiny(model, cell));
        m.eval();
        var (tokens, mask) = Flat(6, 3);
        var batch = m.Classify(tokens, mask).Logits;
        var single = m.Classify(tokens[TensorIndex.Slice(1, 2), TensorIndex.Slice(0, 3)], mask[TensorIndex.Slice(1, 2), TensorIndex.Slice(0, 3)]).Logits;
        Assert.True(single.allclose(batch[TensorIndex.Slice(1, 2)], 1e-5, 1e-6), $"{model}/{cell}: padding changed the result");
        Assert.Null(model == "attn" ? null : m.Classify(tokens, mask, needWeights: true).WordWeights);
    }

    [Fact]
    public void HanMasksEmptySentencesAndReturnsBothLevelsOfWeights()
    {
        torch.manual_seed(3);
        var han = new HierarchicalAttentionNetwork(Tiny("han"));
        han.eval();
        // Document 0: 3 sentences (the middle one empty); document 1: 1 sentence.
        int[][][] docs = [[[2, 3, 4], [], [5, 6]], [[7, 8, 9, 10]]];
        var set = new EncodedTextSet(docs, [0, 1], hierarchical: true);
        var b = set.GetBatch([0, 1]);
        Assert.Equal([2L, 3L, 4L], b.Tokens.shape);
        var o = han.Classify(b.Tokens, b.Mask, needWeights: true);
        var sw = o.SentenceWeights!;
        Assert.Equal([2L, 3L], sw.shape);
        Assert.Equal(0.0, sw[0, 1].item<float>(), 7);
        Assert.Equal(0.0, sw[1, TensorIndex.Slice(1)].abs().sum().item<float>(), 7);
        Assert.All(sw.sum(1).data<float>().ToArray(), s => Assert.Equal(1.0, s, 5));
        var ww = o.WordWeights!;
        Assert.Equal([2L, 3L, 4L], ww.shape);
        Assert.Equal(1.0, ww[0, 0].sum().item<float>(), 5);
        Assert.Equal(0.0, ww[0, 1].abs().sum().item<float>(), 7);
        Assert.Equal(1.0, ww[0, 2].sum().item<float>(), 5);
        Assert.Equal(0.0, ww[0, 2, 2].item<float>(), 7);

        // Document 1 alone gives the same logits as in the padded batch.
        var alone = set.GetBatch([1]);
        Assert.True(han.Classify(alone.Tokens, alone.Mask).Logits.allclose(o.Logits[TensorIndex.Slice(1, 2)], 1e-5, 1e-6));
    }

    [Fact]
    public void BadShapesAndOptionsAreRejectedClearly()
    {
        var m = new RecurrentTextClassifier(Tiny("mean"));
        var e = Assert.Throws<ArgumentException>(() => m.Classify(torch.zeros(2, 3, 4, dtype: ScalarType.Int64), torch.ones(2, 3, 4, dtype: ScalarType.Bool)));
        Assert.Contains("(batch, time)", e.Message);
        Assert.Contains("Model must be one of attn, mean, max, last, han; got 9", Assert.Throws<ArgumentException>(() => TextClassifiers.Create(Tiny("attn") with { Model = (TextClassifierModel)9 })).Message);
        Assert.Throws<ArgumentException>(() => new HierarchicalAttentionNetwork(Tiny("attn")));
    }

    /// <summary>Two classes: class 1 texts contain "good" somewhere among filler words, class 0 texts contain "bad".</summary>
    static TextCorpus Generated(int count, int seed)
    {
        var rng = new Random(seed);
        string[] filler = ["the", "a", "film", "plot", "was", "and", "it", "actor", "scene", "very"];
        var texts = new List<string>();
        var labels = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            var words = Enumerable.Range(0, rng.Next(4, 10)).Select(_ => filler[rng.Next(filler.Length)]).ToList();
            words.Insert(rng.Next(words.Count + 1), label == 1 ? "good" : "bad");
            texts.Add(string.Join(' ', words.Take(words.Count / 2)) + ". " + string.Join(' ', words.Skip(words.Count / 2)) + ".");
            labels.Add(label);
        }
        return new TextCorpus("generated", texts, labels, ["neg", "pos"]);
    }

    [Theory]
    [InlineData("attn")]
    [InlineData("han")]
    public void TinyModelSeparatesAGeneratedTwoClassCorpusAndExplainsIt(string model)
    {
        var train = Generated(200, 1);
        var test = Generated(60, 2);
        var run = new TextClassificationRun("csv", 1, -1, 1, null, null, "label", "text",
            new TextClassifierOptions(Model: AttentionSharp.Training.Variant.Parse<TextClassifierModel>(model, "model"), Embedding: 16, Hidden: 12, AttentionDim: 12, Dropout: 0, MinCount: 1));
        var trainer = new TrainerOptions { Epochs = 8, BatchSize = 16, LearningRate = 1e-2, Seed = 1 };
        var (result, bundle) = TextClassificationExperiment.TrainAndTest(train, test, run, trainer, CPU, new PlainProgress(TextWriter.Null));
        Assert.True(result.Accuracy >= 0.95, $"{model}: test accuracy {result.Accuracy:P1}");

        var p = bundle.Predict("the plot was good and the actor very fine");
        Assert.Equal("pos", p.Label);
        var words = p.Tokens.SelectMany(s => s).ToList();
        Assert.Contains("good", words);
        var weights = p.WordWeights!.SelectMany(w => w).ToList();
        Assert.Equal(words.Count, weights.Count);
        // The decisive word gets the largest weight of its sentence.
        int s = p.Tokens.FindIndex(t => t.Contains("good"));
        Assert.Equal(p.Tokens[s].IndexOf("good"), Array.IndexOf(p.WordWeights![s], p.WordWeights[s].Max()));
        Assert.Throws<ArgumentException>(() => bundle.Predict("  "));
    }

    [Fact]
    public void WithAValidationPartTheBestValidationEpochIsTheOneTested()
    {
        var train = Generated(120, 3);
        var test = Generated(40, 4);
        var run = new TextClassificationRun("csv", 1, -1, 1, null, null, "label", "text",
            new TextClassifierOptions(Model: TextClassifierModel.Attn, Embedding: 8, Hidden: 8, AttentionDim: 8, Dropout: 0, MinCount: 1), ValidFraction: 0.25);
        string dir = Path.Combine(Path.GetTempPath(), $"attn-valid-{Guid.NewGuid():N}");
        try
        {
            var trainer = new TrainerOptions { Epochs = 4, BatchSize = 8, LearningRate = 1e-2, Seed = 1, OutDir = dir };
            var (result, bundle) = TextClassificationExperiment.TrainAndTest(train, test, run, trainer, CPU, new PlainProgress(TextWriter.Null));
            Assert.Equal(90, result.TrainCount);    // 30 of the 120 held out (15 per class)
            var lines = File.ReadAllLines(Path.Combine(dir, Trainer<TextBatch>.MetricsFile));
            var validLoss = lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["valid_loss"]!.GetValue<double>()).ToList();
            Assert.Equal(4, validLoss.Count);
            Assert.Equal(validLoss.IndexOf(validLoss.Min()) + 1, result.TestedEpoch);
            // The best checkpoint on disk is that same epoch.
            var best = Checkpoint.ReadHeader(Path.Combine(dir, Checkpoint.BestFile));
            Assert.Equal(result.TestedEpoch, best.State.BestEpoch);
            bundle.Classifier.Module.Dispose();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
