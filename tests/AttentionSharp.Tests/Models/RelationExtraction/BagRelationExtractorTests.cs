using AttentionSharp.Training;
using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.RelationExtraction;
using AttentionSharp.Tests.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.RelationExtraction;

public class BagRelationExtractorTests
{
    static readonly RelationSet Relations = new(["NA", "in", "capital"]);

    static RelationSentence S(string text, int hs, int he, int ts, int te, string relation, string? gold = null, string head = "a", string tail = "b") =>
        new(text.Split(' '), new EntityMention(head, null, hs, he), new EntityMention(tail, null, ts, te), relation, gold);

    /// <summary>Bags of 3, 1 and 2 sentences with different lengths, so batches have padded sentences and padded bag slots.</summary>
    static List<RelationBag> Bags() =>
    [
        new("a", "b", ["in"], [S("x a is in b .", 1, 2, 4, 5, "in"), S("a and b met", 0, 1, 2, 3, "in"), S("b has a big river flowing", 2, 3, 0, 1, "in")]),
        new("c", "d", ["NA"], [S("c d", 0, 1, 1, 2, "NA", head: "c", tail: "d")]),
        new("e", "f", ["capital"], [S("e is the capital of f", 0, 1, 5, 6, "capital", head: "e", tail: "f"), S("f , e", 2, 3, 0, 1, "capital", head: "e", tail: "f")]),
    ];

    static (BagRelationExtractor Model, BagDataset Data) Build(string aggregator, string encoder = "pcnn", ScalarType dtype = ScalarType.Float32)
    {
        var bags = Bags();
        var vocab = Vocabulary.Build(bags.SelectMany(b => b.Sentences).Select(s => s.Tokens), minCount: 1);
        var options = new RelexOptions(vocab.Count, Relations.Count, Variant.Parse<RelexEncoder>(encoder, "encoder"), Variant.Parse<RelexAggregator>(aggregator, "aggregator"), WordDim: 6, PositionDim: 2, Filters: 4, Dropout: 0, MaxDistance: 5);
        manual_seed(3);
        var model = new BagRelationExtractor(options);
        model.to(dtype);
        model.eval();
        return (model, new BagDataset(bags, vocab, Relations, options));
    }

    [Theory]
    [InlineData("att")]
    [InlineData("ave")]
    [InlineData("one")]
    [InlineData("sent")]
    public void WeightsSumToOneOverEachBagAndPaddingGetsNone(string aggregator)
    {
        var (model, data) = Build(aggregator);
        using var _ = no_grad();
        var r = model.Score(data.GetBatch([0, 1, 2]));
        Assert.Equal(new long[] { 3, 3, 3 }, r.Weights.shape);                 // (B, R, M), M = the largest bag
        var w = GradientCheck.Values(r.Weights);
        int[] sizes = [3, 1, 2];
        for (int b = 0; b < 3; b++)
            for (int q = 0; q < 3; q++)
            {
                var row = w.Skip((b * 3 + q) * 3).Take(3).ToArray();
                Assert.Equal(1.0, row.Take(sizes[b]).Sum(), 5);
                Assert.All(row.Skip(sizes[b]), v => Assert.Equal(0.0, v));
            }
        Assert.All(GradientCheck.Values(r.Scores), v => Assert.InRange(v, 0, 1));
    }

    [Theory]
    [InlineData("att")]
    [InlineData("ave")]
    [InlineData("one")]
    public void ABagScoresTheSameAloneAndPaddedInABatch(string aggregator)
    {
        var (model, data) = Build(aggregator);
        using var _ = no_grad();
        var together = GradientCheck.Values(model.Score(data.GetBatch([0, 1, 2])).Scores);
        for (int b = 0; b < 3; b++)
        {
            var alone = GradientCheck.Values(model.Score(data.GetBatch([b])).Scores);
            for (int r = 0; r < 3; r++) Assert.Equal(alone[r], together[b * 3 + r], 5);
        }
    }

    [Fact]
    public void OneSentenceBagsScoreTheSameWithEveryAggregator()
    {
        // With one sentence, attention, the mean and the best sentence all give s = x: ATT, AVE and ONE agree (same weights).
        var (att, data) = Build("att");
        var (ave, _) = Build("ave");
        var (one, _) = Build("one");
        ave.load_state_dict(att.state_dict(), strict: false);
        one.load_state_dict(att.state_dict(), strict: false);
        using var _n = no_grad();
        var batch = data.GetBatch([1]);
        var a = GradientCheck.Values(att.Score(batch).Scores);
        var m = GradientCheck.Values(ave.Score(batch).Scores);
        var o = GradientCheck.Values(one.Score(batch).Scores);
        for (int r = 0; r < 3; r++) { Assert.Equal(m[r], a[r], 5); Assert.Equal(m[r], o[r], 5); }
        Assert.Equal(1.0, GradientCheck.Values(att.Score(batch).Weights).Sum() / 3, 6);
    }

    [Fact]
    public void SelectiveAttentionMatchesLinEtAlWrittenOut()
    {
        // e_i = x_i A r (A diagonal), alpha = softmax over the bag, s = sum alpha_i x_i, checked on a bag of 3 with one padded slot.
        manual_seed(4);
        var att = new SelectiveAttention(4, 3);
        using (no_grad()) att.parameters().First().copy_(tensor(new float[] { 0.5f, -1f, 2f, 1f }));
        var x = randn(1, 4, 4, generator: new Generator(2));
        var mask = tensor(new[] { true, true, true, false }, [1, 4]);
        var o = att.forward(x, mask, tensor(new long[] { 2 }, [1, 1]));
        var q = GradientCheck.Values(att.parameters().Skip(1).First())[(2 * 4)..(3 * 4)];
        var xs = GradientCheck.Values(x);
        double[] a = [0.5, -1, 2, 1];
        var e = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 4).Sum(d => xs[i * 4 + d] * a[d] * q[d])).ToArray();
        var z = e.Select(v => Math.Exp(v - e.Max())).ToArray();
        var alpha = z.Select(v => v / z.Sum()).ToArray();
        var w = GradientCheck.Values(o.Weights!);
        for (int i = 0; i < 3; i++) Assert.Equal(alpha[i], w[i], 5);
        Assert.Equal(0.0, w[3]);
        var ctx = GradientCheck.Values(o.Context);
        for (int d = 0; d < 4; d++) Assert.Equal(Enumerable.Range(0, 3).Sum(i => alpha[i] * xs[i * 4 + d]), ctx[d], 5);
    }

    [Fact]
    public void SelectiveAttentionGradientMatchesFiniteDifferences()
    {
        manual_seed(6);
        var att = new SelectiveAttention(3, 2);
        att.to(float64);
        var mask = tensor(new[] { true, true, true, true, true, false }, [2, 3]);
        var rel = tensor(new long[] { 0, 1, 1, 0 }, [2, 2]);
        GradientCheck.Assert(x => att.forward(x, mask, rel).Context, randn([2, 3, 3], float64, generator: new Generator(8)));
    }

    [Theory]
    [InlineData("att", "pcnn")]
    [InlineData("one", "cnn")]
    [InlineData("ave", "pcnn")]
    public void LossGradientMatchesFiniteDifferencesThroughEncoderAndAggregator(string aggregator, string encoder)
    {
        // The whole model in double precision: d loss / d parameter from autograd against central differences, for a
        // sample of entries of every parameter (embeddings, convolution, attention, classifier).
        var (model, data) = Build(aggregator, encoder, ScalarType.Float64);
        var batch = data.GetBatch([0, 1, 2]);
        model.train();   // dropout is 0; train mode is what backward runs in
        var loss = model.Loss(batch).Loss;
        var named = model.named_parameters().ToList();
        var grads = torch.autograd.grad([loss], named.Select(p => (Tensor)p.parameter).ToArray(), allow_unused: true);
        var rng = new Random(1);
        const double h = 1e-6;
        for (int k = 0; k < named.Count; k++)
        {
            var p = named[k].parameter;
            var flat = p.detach().reshape(-1);
            var g = grads[k] is null ? new double[flat.shape[0]] : GradientCheck.Values(grads[k]);
            // Padding rows (word 0, the position padding index) have no gradient by design (padding_idx): they stay zero.
            long padRow = named[k].name.Contains("position") ? SentenceEncoder.PositionPad(model.Options) : named[k].name.Contains("word_embedding") ? 0 : -1;
            long width = p.dim() == 2 ? p.shape[1] : 1;
            for (int trial = 0; trial < 6; trial++)
            {
                int i = rng.Next((int)flat.shape[0]);
                if (i / width == padRow) continue;
                double v, up, down;
                using (no_grad())
                {
                    v = flat[i].item<double>();
                    flat[i] = v + h; up = model.Loss(batch).Loss.item<double>();
                    flat[i] = v - h; down = model.Loss(batch).Loss.item<double>();
                    flat[i] = v;
                }
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - g[i]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"{named[k].name}[{i}]: autograd {g[i]}, finite difference {numeric}");
            }
        }
    }

    [Theory]
    [InlineData("att")]
    [InlineData("ave")]
    [InlineData("one")]
    [InlineData("sent")]
    public void TrainingLearnsTheTinyBags(string aggregator)
    {
        var (model, data) = Build(aggregator);
        model.train();
        var task = new RelexTask(model);
        using var opt = new AttentionSharp.Training.Optimizers.Adam(model.parameters(), 0.05);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            var o = task.TrainStep(data.GetBatch([0, 1, 2]));
            opt.zero_grad();
            o.Loss.backward();
            opt.step();
            if (step == 0) first = o.Loss.item<float>();
            last = o.Loss.item<float>();
        }
        Assert.True(last < 0.2 * first, $"loss {first} -> {last}");
        using var _ = no_grad();
        model.eval();
        var s = GradientCheck.Values(model.Score(data.GetBatch([0, 1, 2])).Scores);
        Assert.True(s[0 * 3 + 1] > s[0 * 3 + 2] && s[2 * 3 + 2] > s[2 * 3 + 1], string.Join(", ", s));
    }
}

public class WordDropoutTests
{
    [Fact]
    public void WordDropoutReplacesWordsOnlyInTraining()
    {
        var options = new RelexOptions(20, 3, WordDim: 4, PositionDim: 2, Filters: 3, Dropout: 0, MaxDistance: 5, WordDropout: 0.5);
        manual_seed(1);
        var encoder = new SentenceEncoder(options);
        var words = tensor(Enumerable.Range(2, 16).Select(i => (long)i).ToArray(), [2, 8]);
        var pos = full(2, 8, 3L, dtype: int64);
        var seg = ones(2, 8, dtype: int64);
        using var _ = no_grad();
        encoder.eval();
        var a = GradientCheck.Values(encoder.forward(words, pos, pos, seg));
        Assert.Equal(a, GradientCheck.Values(encoder.forward(words, pos, pos, seg)));
        encoder.train();
        var b = GradientCheck.Values(encoder.forward(words, pos, pos, seg));
        Assert.NotEqual(a, b);
        Assert.Contains("WordDropout", Assert.Throws<ArgumentException>(() => (options with { WordDropout = 1 }).Validate()).Message);
    }
}
