using AttentionSharp.Data;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Tagging;

public class TaggerTests
{
    /// <summary>
    /// A generated tagging rule that needs context: words w0-w4 are A, w5-w7 are B, and the ambiguous words w8, w9 are
    /// C after an A-word and D otherwise.
    /// </summary>
    internal static List<TaggedSentence> Generate(int count, int seed)
    {
        var rng = new Random(seed);
        var result = new List<TaggedSentence>();
        for (int s = 0; s < count; s++)
        {
            int n = rng.Next(3, 9);
            var words = new string[n];
            var tags = new string[n];
            for (int i = 0; i < n; i++)
            {
                int w = rng.Next(10);
                words[i] = "w" + w;
                tags[i] = w < 5 ? "A" : w < 8 ? "B" : i > 0 && tags[i - 1] == "A" ? "C" : "D";
            }
            result.Add(new TaggedSentence(words, tags));
        }
        return result;
    }

    static TaggerOptions Small(string model, TaggerVocabularies v) => new(Variant.Parse<TaggerModel>(model, "model"), v.Words.Count, v.Chars.Count, v.Features.Count, v.Tags.Count,
        WordDim: 16, CharDim: 8, CharFilters: 8, Hidden: 16, FeatureDim: 16, Heads: 2, Dropout: 0);

    [Theory]
    [InlineData("crf")]
    [InlineData("bilstm-crf")]
    [InlineData("bilstm-crf-attn")]
    public void TinyTaggerLearnsAGeneratedRule(string model)
    {
        torch.manual_seed(1);
        var train = Generate(300, 1);
        var test = Generate(100, 2);
        var vocab = TaggerVocabularies.Build(train, 1, 1, withFeatures: model == "crf");
        var options = Small(model, vocab);
        var tagger = CrfTagger.Create(options, vocab.Tags.Items);
        var trainSet = new TaggingDataset(train, vocab, options.UseChars && !options.UsesFeatures, options.UsesFeatures);
        var testSet = new TaggingDataset(test, vocab, options.UseChars && !options.UsesFeatures, options.UsesFeatures, sortByLength: true);
        var trainer = new Trainer<TaggingBatch>(new TrainerOptions { Epochs = 6, BatchSize = 1, LearningRate = 0.02, Schedule = new LearningRateSchedule(ScheduleKind.Constant) });
        var summary = trainer.Fit(new TaggingTask(tagger), ModelIdentity.Of("tag/" + model, options), new BucketedBatches(trainSet, 16), null, new PlainProgress(TextWriter.Null));
        Assert.True(summary.History[^1].Train["loss"] < summary.History[0].Train["loss"]);
        var predicted = CrfTagger.PredictAll(tagger, testSet);
        var metrics = CrfTagger.Score(testSet, predicted, vocab.Tags);
        Assert.True(metrics.Accuracy > 0.97, $"{model}: accuracy {metrics.Accuracy:P2}");
        var eval = Trainer<TaggingBatch>.Evaluate(new TaggingTask(tagger), testSet, 32);
        Assert.Equal(1 - metrics.Accuracy, eval["error"], 9);
    }

    [Fact]
    public void EmissionsDoNotDependOnPaddingOrBatchMates()
    {
        torch.manual_seed(3);
        var sentences = Generate(6, 5);
        var vocab = TaggerVocabularies.Build(sentences, 1, 1, withFeatures: false);
        foreach (var model in new[] { "bilstm-crf", "bilstm-crf-attn" })
        {
            var tagger = CrfTagger.Create(Small(model, vocab), vocab.Tags.Items);
            tagger.Module.eval();
            var data = new TaggingDataset(sentences, vocab, useChars: true, useFeatures: false);
            int shortest = Enumerable.Range(0, data.Count).MinBy(i => data.Sentences[i].Length);
            int len = data.Sentences[shortest].Length;
            using var _ = torch.no_grad();
            var alone = tagger.Emissions(data.GetBatch([shortest]));
            var batched = tagger.Emissions(data.GetBatch(Enumerable.Range(0, data.Count).ToArray()));
            var mine = batched[shortest, ..len];
            Assert.True(alone[0].allclose(mine, rtol: 1e-4, atol: 1e-5), model);
        }
    }

    [Fact]
    public void AttentionWeightsSkipPaddingAndSumToOne()
    {
        torch.manual_seed(4);
        var sentences = Generate(5, 6);
        var vocab = TaggerVocabularies.Build(sentences, 1, 1, withFeatures: false);
        var tagger = (BiLstmCrfTagger)CrfTagger.Create(Small("bilstm-crf-attn", vocab), vocab.Tags.Items);
        Assert.True(tagger.HasAttention);
        var data = new TaggingDataset(sentences, vocab, useChars: true, useFeatures: false);
        using var _ = torch.no_grad();
        var batch = data.GetBatch(Enumerable.Range(0, data.Count).ToArray());
        var (states, weights) = tagger.Encode(batch, needWeights: true);
        Assert.Equal(new long[] { 5, batch.Words.shape[1], 4 * 16 }, states.shape);
        Assert.Equal(new long[] { 5, 2, batch.Words.shape[1], batch.Words.shape[1] }, weights!.shape);
        var keyPad = batch.Mask.logical_not().reshape(5, 1, 1, -1).expand_as(weights);
        Assert.Equal(0.0, weights.masked_select(keyPad).abs().sum().item<float>(), 6);
        Assert.True(weights.sum(-1).allclose(torch.ones(5, 2, batch.Words.shape[1]), atol: 1e-5));
    }

    [Fact]
    public void LexiconRoundTripsAndKnowsUnknowns()
    {
        var lex = Lexicon.Build(["b", "a", "b", "c", "b", "a"], minCount: 2, withSpecials: true);
        Assert.Equal(["<pad>", "<unk>", "b", "a"], lex.Items);
        Assert.Equal(Lexicon.Unknown, lex.IndexOf("c"));
        var back = Lexicon.FromJson(lex.ToJson(), "test");
        Assert.Equal(lex.Items, back.Items);
        var tags = new Lexicon(["O", "B-X"], hasSpecials: false);
        Assert.Equal(-1, tags.IndexOf("I-X"));
        Assert.Throws<ArgumentException>(() => new Lexicon(["a", "a"], false));
        Assert.Throws<InvalidDataException>(() => Lexicon.FromJson(null, "word"));
    }

    [Fact]
    public void DatasetRejectsUnknownTagsAndBucketsCoverEverySentence()
    {
        var train = Generate(50, 1);
        var vocab = TaggerVocabularies.Build(train, 1, 1, withFeatures: true);
        var e = Assert.Throws<InvalidDataException>(() => new TaggingDataset([new TaggedSentence(["w1"], ["Z"])], vocab, true, true));
        Assert.Contains("'Z'", e.Message);
        var data = new TaggingDataset(train, vocab, useChars: true, useFeatures: true);
        var buckets = new BucketedBatches(data, 8);
        Assert.Equal(7, buckets.Count);
        using var scope = torch.NewDisposeScope();
        var all = buckets.GetBatch(Enumerable.Range(0, buckets.Count).ToArray());
        Assert.Equal(train.Sum(s => s.Length), all.TokenCount);
        Assert.Equal(train.Sum(s => s.Length), all.Mask.sum().item<long>());
        Assert.Equal(new long[] { 50, all.Words.shape[1], TokenFeatures.PerToken }, all.Features!.shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => buckets.GetBatch([7]));
    }

    [Fact]
    public void FeatureTemplatesAndShapes()
    {
        Assert.Equal("XxXx'x", TokenFeatures.Shape("McDonald's"));
        Assert.Equal("d,d", TokenFeatures.Shape("1,000"));
        var f = TokenFeatures.Extract(["The", "dog"]);
        Assert.All(f, x => Assert.Equal(TokenFeatures.PerToken, x.Length));
        Assert.Contains("l-1=<s>", f[0]);
        Assert.Contains("l+1=</s>", f[1]);
        Assert.Contains("cap=101", f[0]);
        Assert.Contains("s3=dog", f[1]);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Contains("Model must be one of crf, bilstm-crf, bilstm-crf-attn; got 6", Assert.Throws<ArgumentException>(() => new TaggerOptions((TaggerModel)6, Tags: 3, Words: 5).Validate()).Message);
        Assert.Contains("heads", Assert.Throws<ArgumentException>(() => new TaggerOptions(TaggerModel.BiLstmCrfAttention, Words: 5, Chars: 5, Tags: 3, Hidden: 5, Heads: 4).Validate()).Message);
        Assert.Throws<ArgumentException>(() => CrfTagger.Create(new TaggerOptions(TaggerModel.BiLstmCrf, Words: 5, Chars: 5, Tags: 3), ["A", "B"]));
    }
}
