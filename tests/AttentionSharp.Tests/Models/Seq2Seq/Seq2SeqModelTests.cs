using AttentionSharp.Sequence;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Seq2Seq;

public class Seq2SeqModelTests
{
    [Theory]
    [InlineData("bahdanau")]
    [InlineData("luong-dot")]
    [InlineData("luong-general")]
    [InlineData("luong-concat")]
    [InlineData("luong-local-p")]
    [InlineData("luong-local-m")]
    [InlineData("luong-location")]
    [InlineData("bahdanau", "lstm")]
    [InlineData("luong-local-p", "lstm")]
    public void PaddedSourcesNeverReceiveAttention(string arch, string cell = "gru")
    {
        torch.manual_seed(3);
        var model = new Seq2SeqModel(new Seq2SeqOptions(AttentionSharp.Training.Variant.Parse<Seq2SeqArch>(arch, "arch"), SourceVocab: 10, TargetVocab: 7, Embedding: 6, Hidden: 5, Dropout: 0, Window: 2, EncoderCell: AttentionSharp.Training.Variant.Parse<RnnCell>(cell, "cell")));
        model.eval();
        using var _ = torch.no_grad();
        var src = torch.tensor(new long[] { 4, 5, 6, 7, 8, 9, 5, 0, 0, 0 }, [2, 5]);
        var tin = torch.tensor(new long[] { 2, 4, 5, 2, 6, 4 }, [2, 3]);
        var (logits, w) = model.Forward(src, src.ne(0), tin, needWeights: true);
        Assert.Equal([2L, 3, 5], w!.shape);
        Assert.Equal(0.0, w[1, .., TensorIndex.Slice(2)].abs().sum().item<float>());
        // local-p is Gaussian-scaled (sums below 1); local-m's window [t - 2, t + 2] still covers a real position at t <= 2
        Assert.True(w[0].sum(-1).allclose(torch.ones(3), 1e-5, 1e-5) || arch == "luong-local-p");
        // the padded sentence gives the same logits alone, without padding
        var (aloneLogits, aloneW) = model.Forward(src[1..2, ..2], src[1..2, ..2].ne(0), tin[1..2], needWeights: true);
        Assert.True(logits[1].allclose(aloneLogits[0], 1e-5, 1e-5));
        Assert.True(w[1, .., ..2].allclose(aloneW![0], 1e-5, 1e-5));
    }

    [Trait("Category", "Slow")]
    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    public void TinyAttentionModelLearnsToReverseSequences(string cell)
    {
        var rng = new Random(1);
        string Sample() => new string(Enumerable.Range(0, rng.Next(2, 6)).Select(_ => (char)('a' + rng.Next(5))).ToArray());
        var train = Enumerable.Range(0, 1280).Select(_ => Sample()).Select(s => new SentencePair(s, new string(s.Reverse().ToArray()))).ToList();
        var test = Enumerable.Range(0, 100).Select(_ => Sample()).Select(s => new SentencePair(s, new string(s.Reverse().ToArray()))).ToList();
        var vocab = Vocabulary.Build(train.Select(p => p.Source), VocabularyLevel.Char);
        torch.manual_seed(1);
        var model = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, vocab.Count, vocab.Count, Embedding: 16, Hidden: 24, Dropout: 0, MaxTargetLength: 8, EncoderCell: AttentionSharp.Training.Variant.Parse<RnnCell>(cell, "cell")));
        var data = new TranslationDataset(train, vocab, vocab, 10, 10);
        var options = new TrainerOptions { Epochs = 8, BatchSize = 32, LearningRate = 0.02, Seed = 1, GradClipNorm = 1 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Many tiny ops: one intra-op thread is much faster than two on a shared 2-core machine (restored afterwards).
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        TrainingSummary summary;
        try { summary = new Trainer<Seq2SeqBatch>(options).Fit(new Seq2SeqTask(model), ModelIdentity.Of("test", 1), data, null, new PlainProgress(TextWriter.Null)); }
        finally { torch.set_num_threads(threads); }
        var eval = new Translator(model, vocab, vocab).Evaluate(test);
        Assert.True(summary.History[^1].Train["loss"] < 0.5 * summary.History[0].Train["loss"], "training loss did not halve");
        Assert.True(eval.ExactMatch >= 0.9, $"exact match {eval.ExactMatch:P1} after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void BadInputsAreRejectedClearly()
    {
        var vocab = Vocabulary.Build(["abc"], VocabularyLevel.Char);
        torch.manual_seed(1);
        var model = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, vocab.Count, vocab.Count, Embedding: 4, Hidden: 4, MaxSourceLength: 5, MaxTargetLength: 4));
        var t = new Translator(model, vocab, vocab);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => t.Translate(["  "])).Message);
        var longMsg = Assert.Throws<ArgumentException>(() => t.Translate(["abcabc"])).Message;
        Assert.Contains("6", longMsg);
        Assert.Contains("at most 5", longMsg);
        var r = t.Translate(["aΩb"])[0];
        Assert.Equal(["Ω"], r.Unknown);
        Assert.Equal(["a", "<unk>", "b"], r.SourceSymbols);
        Assert.InRange(r.OutputSymbols.Count, 1, 4);
        Assert.Equal(r.OutputSymbols.Count, r.Weights!.Length);
        Assert.All(r.Weights, row => Assert.Equal(3, row.Length));
        Assert.Contains("Arch must be one of none, bahdanau, luong-dot", Assert.Throws<ArgumentException>(() => new Seq2SeqModel(new Seq2SeqOptions((Seq2SeqArch)20, 9, 9))).Message);
        Assert.Contains("EncoderCell must be one of gru, lstm; got 7", Assert.Throws<ArgumentException>(() => new Seq2SeqOptions(Seq2SeqArch.None, 9, 9, EncoderCell: (RnnCell)7).Validate()).Message);
    }

    [Fact]
    public void GruEncodersKeepTheCheckpointOptionsOfEarlierRuns()
    {
        // A GRU run records no cell, so runs trained before the LSTM option resume with unchanged options.
        var gru = System.Text.Json.JsonSerializer.SerializeToNode(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 9, 9), Checkpoint.Json)!.AsObject();
        Assert.False(gru.ContainsKey(nameof(Seq2SeqOptions.EncoderCell)));
        var old = System.Text.Json.JsonSerializer.Deserialize<Seq2SeqOptions>(gru.ToJsonString(), Checkpoint.Json)!;
        Assert.Equal(RnnCell.Gru, old.Cell);
        var lstm = System.Text.Json.JsonSerializer.SerializeToNode(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 9, 9, EncoderCell: RnnCell.Lstm), Checkpoint.Json)!.AsObject();
        Assert.Equal("lstm", lstm[nameof(Seq2SeqOptions.EncoderCell)]!.GetValue<string>());
        torch.manual_seed(1);
        var names = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 9, 9, Embedding: 4, Hidden: 3, EncoderCell: RnnCell.Lstm)).named_parameters().ToDictionary(p => p.name, p => p.parameter.shape[0]);
        Assert.Equal(4 * 3, names["encoder.forward_rnn.weight_ih_l0"]);   // an LSTM's four gates
    }

    [Theory]
    [InlineData(6, 3)]     // decoder 2 x 3 = 6 units = embedding: no projection
    [InlineData(4, 3)]     // 6 decoder units, embedding 4: a projection P (4 x 6)
    public void TiedOutputUsesTheTargetEmbeddingAndEqualsTheWrittenOutFormula(int embedding, int hidden)
    {
        torch.manual_seed(2);
        var tied = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 10, 11, Embedding: embedding, Hidden: hidden, Dropout: 0, ShareEmbeddings: true));
        torch.manual_seed(2);
        var untied = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 10, 11, Embedding: embedding, Hidden: hidden, Dropout: 0));
        var names = tied.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.DoesNotContain("generator.weight", names.Keys);
        Assert.Equal(2 * hidden != embedding, names.ContainsKey("output_projection.weight"));
        long projection = 2 * hidden != embedding ? embedding * 2 * hidden : 0;
        Assert.Equal(untied.parameters().Sum(p => p.numel()) - 11L * 2 * hidden + projection, tied.parameters().Sum(p => p.numel()));
        Assert.Equal(new long[] { 11, embedding }, tied.OutputWeight.shape);

        // logits = (P o) E^T + b, from the decoder outputs o recomputed step by step
        var src = torch.tensor(new long[] { 4, 5, 6, 7, 8, 0 }, [2, 3]);
        var mask = src.ne(0);
        var tgtIn = torch.tensor(new long[] { Vocabulary.Bos, 5, 6, Vocabulary.Bos, 7, 8 }, [2, 3]);
        tied.eval();
        using (torch.no_grad())
        {
            var logits = tied.Logits(src, mask, tgtIn);
            var state = tied.Encode(src, mask);
            var e = names["target_embedding.weight"];
            for (int t = 0; t < 3; t++)
            {
                var step = tied.Decoder.Step(e.index_select(0, tgtIn.select(1, t)), state);
                state = step.State;
                var o = step.Output;
                if (names.TryGetValue("output_projection.weight", out var p)) o = o.matmul(p.t());
                var want = o.matmul(e.t()) + names["output_bias"];
                Assert.True(logits.select(1, t).allclose(want, 1e-5, 1e-6), $"step {t}");
            }
        }

        // the output layer trains the embedding rows of words that are never decoder inputs
        tied.train();
        tied.Logits(src, mask, tgtIn).log_softmax(-1).select(2, 9).sum().backward();
        Assert.True(names["target_embedding.weight"].grad!.select(0, 9).abs().sum().item<float>() > 0);
        using (torch.no_grad()) names["target_embedding.weight"].zero_();
        Assert.Equal(0f, tied.OutputWeight.abs().sum().item<float>());      // one table, not a copy
    }

    [Fact]
    public void StackedEncoderLayersReadTheAnnotationsBelow()
    {
        torch.manual_seed(5);
        var one = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 10, 10, Embedding: 4, Hidden: 3, Dropout: 0.3));
        torch.manual_seed(5);
        var two = new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 10, 10, Embedding: 4, Hidden: 3, Dropout: 0.3, EncoderLayers: 2));
        var names = two.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(3 * 3, names["upper_encoders.0.forward_rnn.weight_ih_l0"].shape[0]);   // a GRU's three gates over 3 units
        Assert.Equal(2 * 3, names["upper_encoders.0.forward_rnn.weight_ih_l0"].shape[1]);   // reading both directions of the layer below
        Assert.DoesNotContain(one.named_parameters(), p => p.name.StartsWith("upper_encoders", StringComparison.Ordinal));

        // the written-out stack: layer 1 as in the one-layer model (same first parameters), layer 2 a BiRnnEncoder(2H, H) with the upper weights
        var upper = new BiRnnEncoder(6, 3);
        using (torch.no_grad())
            foreach (var (name, p) in upper.named_parameters()) p.copy_(names["upper_encoders.0." + name]);
        var src = torch.tensor(new long[] { 4, 5, 6, 7, 8, 0 }, [2, 3]);
        var mask = src.ne(0);
        one.eval(); two.eval(); upper.eval();
        using var _ = torch.no_grad();
        var below = one.Encode(src, mask).Memory;
        var want = upper.Encode(below.Annotations, mask);
        var got = two.Encode(src, mask).Memory;
        Assert.True(got.Annotations.allclose(want.Annotations, 1e-5, 1e-6));
        Assert.True(got.Final.allclose(want.Final, 1e-5, 1e-6));
        Assert.Contains("encoder layers must be in 1..16; got 0", Assert.Throws<ArgumentException>(() => new Seq2SeqOptions(SourceVocab: 9, TargetVocab: 9, EncoderLayers: 0).Validate()).Message);
    }
}
