using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.TextClassification;

public class PretrainedEmbeddingTests
{
    [Theory]
    [InlineData("attn")]
    [InlineData("han")]
    public void VectorsGoToTheirVocabularyRowsPaddingStaysZeroAndOtherRowsAreRescaled(string model)
    {
        var vocabulary = Vocabulary.Build([["good", "bad", "film", "good", "bad", "film", "plot", "plot"]], minCount: 2);
        // Vocabulary order: <pad>, <unk>, then by count (ties ordinal): bad, film, good, plot.
        Assert.Equal(["<pad>", "<unk>", "bad", "film", "good", "plot"], Enumerable.Range(0, vocabulary.Count).Select(i => vocabulary[i]));
        var vectors = new WordVectors(["good", "zebra", "bad", "film"],
            [1, 2, 3, 4, 9, 9, 9, 9, -1, -2, -3, -4, 0.5f, 0, -0.5f, 0], 4, "test");
        torch.manual_seed(3);
        var classifier = TextClassifiers.Create(new TextClassifierOptions(Model: AttentionSharp.Training.Variant.Parse<TextClassifierModel>(model, "model"), VocabularySize: vocabulary.Count, Embedding: 4, Hidden: 3, AttentionDim: 3));
        var before = classifier.WordEmbedding.weight!.detach().clone().data<float>().ToArray();

        int found = PretrainedEmbedding.Initialise(classifier.WordEmbedding, vocabulary, vectors);

        Assert.Equal(3, found);
        var w = classifier.WordEmbedding.weight!.detach().data<float>().ToArray();
        float[] Row(float[] m, int r) => m[(r * 4)..(r * 4 + 4)];
        Assert.Equal([0f, 0, 0, 0], Row(w, 0));
        Assert.Equal([-1f, -2, -3, -4], Row(w, vocabulary.IndexOf("bad")));
        Assert.Equal([0.5f, 0, -0.5f, 0], Row(w, vocabulary.IndexOf("film")));
        Assert.Equal([1f, 2, 3, 4], Row(w, vocabulary.IndexOf("good")));
        // Copied values: std of {1..4, -1..-4, 0.5, 0, -0.5, 0}.
        var copied = new double[] { 1, 2, 3, 4, -1, -2, -3, -4, 0.5, 0, -0.5, 0 };
        double mean = copied.Average(), std = Math.Sqrt(copied.Select(x => (x - mean) * (x - mean)).Average());
        foreach (int r in new[] { Vocabulary.Unknown, vocabulary.IndexOf("plot") })
            for (int j = 0; j < 4; j++)
                Assert.Equal(before[r * 4 + j] * std, w[r * 4 + j], 5);
        Assert.True(classifier.WordEmbedding.weight!.requires_grad);

        Assert.Throws<ArgumentException>(() => PretrainedEmbedding.Initialise(classifier.WordEmbedding, vocabulary, new WordVectors(["good"], new float[3], 3)));
    }

    [Fact]
    public void WordDropoutReplacesRealTokensByUnknownOnlyInTraining()
    {
        torch.manual_seed(4);
        var tokens = torch.tensor(Enumerable.Range(0, 2000).Select(i => i % 10 == 9 ? 0L : 2 + i % 7).ToArray(), [20, 100]);
        Assert.True(RecurrentTextClassifier.DropWords(tokens, 0.5, training: false).eq(tokens).all().item<bool>());
        var dropped = RecurrentTextClassifier.DropWords(tokens, 0.5, training: true);
        var changed = dropped.ne(tokens);
        Assert.True(dropped.masked_select(changed).eq(Vocabulary.Unknown).all().item<bool>());
        Assert.True(tokens.masked_select(changed).ne(Vocabulary.Pad).all().item<bool>());                // padding never touched
        double rate = changed.sum().item<long>() / 1800.0;
        Assert.InRange(rate, 0.45, 0.55);
    }

    [Fact]
    public void AFrozenEmbeddingDoesNotMoveWhileTheRestTrains()
    {
        torch.manual_seed(5);
        var classifier = new RecurrentTextClassifier(new TextClassifierOptions(Model: TextClassifierModel.Attn, VocabularySize: 12, Embedding: 4, Hidden: 3, AttentionDim: 3, FreezeEmbedding: true));
        var embeddingBefore = classifier.WordEmbedding.weight!.detach().clone();
        var outputBefore = classifier.parameters().Last().detach().clone();
        var optimizer = torch.optim.Adam(classifier.parameters(), 0.05);
        var tokens = torch.tensor(new long[] { 2, 3, 4, 5, 6, 7, 8, 9 }, [2, 4]);
        var mask = torch.ones(2, 4, dtype: ScalarType.Bool);
        for (int step = 0; step < 3; step++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(classifier.forward(tokens, mask), torch.tensor(new long[] { 0, 1 })).backward();
            optimizer.step();
        }
        Assert.False(classifier.WordEmbedding.weight!.requires_grad);
        Assert.True(classifier.WordEmbedding.weight!.eq(embeddingBefore).all().item<bool>());
        Assert.False(classifier.parameters().Last().eq(outputBefore).all().item<bool>());
    }

    [Fact]
    public void VocabularyExtendsWithPretrainedWordsInOrderUpToTheCap()
    {
        var v = Vocabulary.Build([["good", "good", "film", "film"]], minCount: 2);
        var extended = v.Extend(["the", "good", "of", "and"], maxSize: 6);
        Assert.Equal(["<pad>", "<unk>", "film", "good", "the", "of"], Enumerable.Range(0, extended.Count).Select(i => extended[i]));
        Assert.Equal(4, v.Count);
    }
}
