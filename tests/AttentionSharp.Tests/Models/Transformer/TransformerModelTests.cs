using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Transformer;

public sealed class TransformerModelTests : IDisposable
{
    // Many small ops: one intra-op thread is much faster than two on a shared 2-core machine; restored after each test.
    readonly int _threads = torch.get_num_threads();
    public TransformerModelTests() => torch.set_num_threads(1);
    public void Dispose() => torch.set_num_threads(_threads);

    static TransformerModel Tiny(bool preNorm = true, bool learned = false, bool shared = false)
    {
        torch.manual_seed(7);
        var m = new TransformerModel(new TransformerOptions(SourceVocab: 11, TargetVocab: 9, ModelDim: 16, Heads: 4, Layers: 2, FeedForward: 32,
            Dropout: 0, PreNorm: preNorm, MaxTargetLength: 8, LabelSmoothing: 0, LearnedPositions: learned, ShareEmbeddings: shared));
        m.to(ScalarType.Float64);
        m.eval();
        return m;
    }

    static readonly long[] SourceIds = [4, 5, 6, 7, 8, 9, 10, 0, 0, 0];

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public void CachedStepsEqualFullRecomputation(bool preNorm, bool learned, bool shared)
    {
        var m = Tiny(preNorm, learned, shared);
        using var _ = torch.no_grad();
        var src = torch.tensor(SourceIds, [2, 5]);
        var mask = src.ne(0);
        var tin = torch.tensor(new long[] { 2, 4, 5, 6, 2, 7, 7, 8 }, [2, 4]);
        var (logits, weights) = m.Forward(src, mask, tin, needWeights: true);
        var full = logits.log_softmax(-1);                                  // (2, 4, V)
        IDecoderState state = m.Start(src, mask);
        for (int t = 0; t < 4; t++)
        {
            var step = m.Step(tin[.., t], state);
            state = step.State;
            Assert.True(step.LogProbs.allclose(full[.., t], 1e-9, 1e-9), $"log-probs differ at step {t}");
            Assert.True(step.Weights!.allclose(weights![.., t], 1e-9, 1e-9), $"weights differ at step {t}");
        }
        // padded source positions get no attention
        Assert.Equal(0.0, weights![1, .., TensorIndex.Slice(2)].abs().sum().item<double>());
        // decoding with and without caches: same outputs, greedy and beam
        foreach (int beam in new[] { 1, 3 })
        {
            m.UseCache = true;
            var cached = m.Decode(src, mask, beam);
            m.UseCache = false;
            var plain = m.Decode(src, mask, beam);
            m.UseCache = true;
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(plain[i].Tokens, cached[i].Tokens);
                Assert.Equal(plain[i].LogProb, cached[i].LogProb, 9);
            }
        }
        var g = m.Decode(src, mask, 1);
        var b1 = m.Decode(src, mask, 1, forceBeamSearch: true);
        for (int i = 0; i < 2; i++) Assert.Equal(g[i].Tokens, b1[i].Tokens);
    }

    [Fact]
    public void SharedEmbeddingsTieTheOutputLayerAndLearnedPositionsAddTables()
    {
        var plain = Tiny();
        var shared = Tiny(shared: true);
        var learned = Tiny(learned: true);
        long Count(TransformerModel m) => m.parameters().Sum(p => p.numel());
        // Tied: the V x D output matrix is the target embedding itself (one tensor, one parameter), only a bias of V is added.
        Assert.Equal(Count(plain) - 9 * 16, Count(shared));
        using (torch.no_grad()) shared.TargetEmbeddingWeight[5, 3] = 42.0;
        Assert.Equal(42.0, shared.OutputWeight[5, 3].item<double>());
        Assert.Single(shared.named_parameters(), p => p.parameter.shape.SequenceEqual(new long[] { 9, 16 }));
        // Learned positions: a (max source, D) and a (max target + 1, D) table.
        Assert.Equal(Count(plain) + 64 * 16 + 9 * 16, Count(learned));
        // A learned table cannot be read past its end: a clear error, not an index fault.
        using var _ = torch.no_grad();
        var longSource = torch.ones(1, 65, dtype: ScalarType.Int64) * 4;
        Assert.Throws<ArgumentException>(() => learned.Encode(longSource, longSource.ne(0)));
    }

    [Fact]
    public void PaddingDoesNotChangeTheOutput()
    {
        var m = Tiny();
        using var _ = torch.no_grad();
        var src = torch.tensor(SourceIds, [2, 5]);
        var tin = torch.tensor(new long[] { 2, 4, 5, 2, 7, 7 }, [2, 3]);
        var all = m.forward(src, src.ne(0), tin);
        var alone = m.forward(src[1..2, ..2], src[1..2, ..2].ne(0), tin[1..2]);
        Assert.True(all[1].allclose(alone[0], 1e-9, 1e-9));
        Assert.Contains("at least one real token", Assert.Throws<ArgumentException>(() => m.forward(src, torch.zeros(2, 5, dtype: ScalarType.Bool), tin)).Message);
    }

    [Fact]
    public void SinusoidalTableMatchesTheFormula()
    {
        var pe = SinusoidalPositions.Table(3, 4, dtype: ScalarType.Float64);
        // PE(pos, 2i) = sin(pos / 10000^(2i/4)), PE(pos, 2i+1) = cos(...)
        double[] expected = [0, 1, 0, 1, Math.Sin(1), Math.Cos(1), Math.Sin(0.01), Math.Cos(0.01), Math.Sin(2), Math.Cos(2), Math.Sin(0.02), Math.Cos(0.02)];
        var actual = pe.data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
        Assert.True(SinusoidalPositions.Table(1, 4, offset: 2, dtype: ScalarType.Float64).allclose(pe[2..3]));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void TinyTransformerLearnsToCopySequences()
    {
        var rng = new Random(2);
        string Sample() => new string(Enumerable.Range(0, rng.Next(2, 6)).Select(_ => (char)('a' + rng.Next(5))).ToArray());
        var train = Enumerable.Range(0, 1280).Select(_ => Sample()).Select(s => new SentencePair(s, s)).ToList();
        var test = Enumerable.Range(0, 100).Select(_ => Sample()).Select(s => new SentencePair(s, s)).ToList();
        var vocab = Vocabulary.Build(train.Select(p => p.Source), VocabularyLevel.Char);
        torch.manual_seed(1);
        var model = new TransformerModel(new TransformerOptions(vocab.Count, vocab.Count, ModelDim: 32, Heads: 4, Layers: 2, FeedForward: 64, Dropout: 0, MaxTargetLength: 8, LabelSmoothing: 0));
        var data = new TranslationDataset(train, vocab, vocab, 10, 10);
        var options = new TrainerOptions { Epochs = 10, BatchSize = 32, LearningRate = 0.003, Schedule = new LearningRateSchedule(ScheduleKind.Cosine), Seed = 1, GradClipNorm = 1 };
        var summary = new Trainer<Seq2SeqBatch>(options).Fit(new Seq2SeqTask(model), ModelIdentity.Of("test", 1), data, null, new PlainProgress(TextWriter.Null));
        var eval = new Translator(model, vocab, vocab).Evaluate(test);
        Assert.True(summary.History[^1].Train["loss"] < 0.5 * summary.History[0].Train["loss"], "training loss did not halve");
        Assert.True(eval.ExactMatch >= 0.9, $"exact match {eval.ExactMatch:P1}");
    }
}
