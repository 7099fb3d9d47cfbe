using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Sequence;
using AttentionSharp.Tests.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

public class ShowAttendTellTests
{
    static CaptionOptions Tiny(CaptionAttention attention, int vocabulary = 9) =>
        new(vocabulary, attention, ImageSize: 16, Features: 6, Embedding: 5, Hidden: 7, AttentionHidden: 4, MaxLength: 6);

    static (Tensor Images, Tensor Inputs, Tensor Targets) Batch(int b = 3, int t = 4, int vocabulary = 9, long seed = 1)
    {
        var g = new Generator((ulong)seed);
        var images = torch.rand(b, 1, 16, 16, generator: g);
        var words = torch.randint(4, vocabulary, [b, t - 1], generator: g);
        var inputs = torch.cat([torch.full(b, 1, CaptionVocabulary.Bos, dtype: ScalarType.Int64), words], 1);
        var targets = torch.cat([words, torch.full(b, 1, CaptionVocabulary.Eos, dtype: ScalarType.Int64)], 1);
        return (images, inputs, targets);
    }

    [Theory]
    [InlineData(CaptionAttention.Soft)]
    [InlineData(CaptionAttention.Hard)]
    public void AttentionWeightsSumToOneAtEveryStep(CaptionAttention attention)
    {
        manual_seed(1);
        var model = new ShowAttendTell(Tiny(attention));
        var (images, inputs, _) = Batch();
        foreach (bool train in new[] { true, false })
        {
            model.train(train);
            var pass = model.Forward(images, inputs);
            Assert.Equal(new long[] { 3, 4, 9 }, pass.Logits.shape);
            Assert.Equal(new long[] { 3, 4, 4 }, pass.Weights!.shape); // (B, T, L = (16/8)^2)
            var sums = pass.Weights.sum(2).data<float>().ToArray();
            Assert.All(sums, s => Assert.Equal(1.0, s, 5));
            Assert.True(pass.Weights.ge(0).all().item<bool>());
        }
        model.eval();
        var hyps = model.Caption(images, beam: 2);
        Assert.All(hyps, h => Assert.All(h.Weights!, w => Assert.Equal(1.0, w.Sum(), 4)));
    }

    [Fact]
    public void WithoutAttentionThereAreNoWeightsAndTheImageEntersOnlyThroughTheInitialState()
    {
        manual_seed(2);
        var model = new ShowAttendTell(Tiny(CaptionAttention.None));
        Assert.Null(model.Attention);
        var (images, inputs, _) = Batch();
        var pass = model.Forward(images, inputs);
        Assert.Null(pass.Weights);
        Assert.Equal(new long[] { 3, 4, 9 }, pass.Logits.shape);
        // LSTM input is the word embedding only (5), not [E y; z] (5 + 6).
        Assert.Equal(4 * 7 * 5, model.named_parameters().Single(p => p.name == "cell.weight_ih").parameter.numel());
    }

    [Fact]
    public void TheDoublyStochasticPenaltyFollowsItsFormula()
    {
        // sum_i (1 - sum_t alpha_ti)^2 over the real steps only, written as loops.
        var g = new Generator(3);
        var alpha = torch.rand(2, 3, 5, generator: g, dtype: ScalarType.Float64).softmax(2);
        var mask = torch.tensor(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var ours = CaptionTask.DoublyStochastic(alpha, mask).data<double>().ToArray();
        var a = alpha.data<double>().ToArray();
        for (int b = 0; b < 2; b++)
        {
            double expected = 0;
            for (int i = 0; i < 5; i++)
            {
                double s = 0;
                for (int t = 0; t < (b == 0 ? 3 : 2); t++) s += a[(b * 3 + t) * 5 + i];
                expected += (1 - s) * (1 - s);
            }
            Assert.Equal(expected, ours[b], 12);
        }
    }

    [Fact]
    public void TheSoftLossIsTheCaptionNllPlusLambdaTimesThePenalty()
    {
        manual_seed(4);
        var model = new ShowAttendTell(Tiny(CaptionAttention.Soft) with { DoublyStochastic = 0.5 });
        model.eval();
        var (images, inputs, targets) = Batch();
        var task = new CaptionTask(model);
        var (loss, nll, mask, pass) = task.Loss(new CaptionBatch(images, inputs, targets, [0, 1, 2]));
        var lp = pass.Logits.log_softmax(2).gather(2, targets.unsqueeze(2)).squeeze(2);  // (B, T)
        double expectedNll = -lp.sum().item<float>() / 3;
        Assert.Equal(expectedNll, nll.mean().item<float>(), 4);
        double penalty = CaptionTask.DoublyStochastic(pass.Weights!, mask).mean().item<float>();
        Assert.Equal(expectedNll + 0.5 * penalty, loss.item<float>(), 4);
    }

    [Theory]
    [InlineData(CaptionAttention.Soft)]
    [InlineData(CaptionAttention.Hard)]
    [InlineData(CaptionAttention.None)]
    public void BeamOneEqualsGreedy(CaptionAttention attention)
    {
        manual_seed(5);
        var model = new ShowAttendTell(Tiny(attention));
        var (images, _, _) = Batch(b: 4);
        model.eval();
        using var _ = no_grad();
        var greedy = BeamSearch.Greedy(model, model.Start(images), 4, 6, CaptionVocabulary.Bos, CaptionVocabulary.Eos);
        var beam = BeamSearch.Search(model, model.Start(images), 4, 1, 6, CaptionVocabulary.Bos, CaptionVocabulary.Eos, alpha: 0);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam[i].Tokens);
            Assert.Equal(greedy[i].LogProb, beam[i].LogProb, 4);
        }
        Assert.Equal(model.Caption(images).Select(h => h.Tokens), greedy.Select(h => h.Tokens));
    }

    [Fact]
    public void TheHardBaselineMovesTowardsTheRewardAndSamplingFollowsAlpha()
    {
        manual_seed(6);
        var model = new ShowAttendTell(Tiny(CaptionAttention.Hard) with { BaselineDecay = 0.5 });
        model.train();
        var task = new CaptionTask(model);
        var (images, inputs, targets) = Batch();
        var batch = new CaptionBatch(images, inputs, targets, [0, 1, 2]);
        var first = task.TrainStep(batch);
        var stats = model.RewardBaseline.data<float>().ToArray();
        Assert.Equal(1, stats[1]);
        Assert.Equal(-first.Sums["nll"] / 3, stats[0], 3); // first batch: b = mean reward
        var second = task.TrainStep(batch);
        var after = model.RewardBaseline.data<float>().ToArray();
        Assert.Equal(2, after[1]);
        Assert.Equal(0.5 * stats[0] + 0.5 * (-second.Sums["nll"] / 3), after[0], 3);
        second.Loss.backward();
        Assert.True(model.Attention!.Score.parameters().All(p => p.grad is not null && p.grad.abs().sum().item<float>() > 0),
            "REINFORCE and the entropy bonus reach the attention score");
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        // Double precision; the encoder, the soft decoder with the beta gate and the deep output layer, as a function of the image.
        manual_seed(7);
        var model = new ShowAttendTell(Tiny(CaptionAttention.Soft));
        model.to(ScalarType.Float64);
        model.eval();
        var (images, inputs, _) = Batch(b: 1, t: 3);
        GradientCheck.Assert(x => model.Forward(x, inputs).Logits, images.to(ScalarType.Float64).mul(0.5).add(0.25), tolerance: 1e-5);
        // Hard attention in evaluation (argmax region) is differentiable in the features it selects.
        manual_seed(7);
        var hard = new ShowAttendTell(Tiny(CaptionAttention.Hard));
        hard.to(ScalarType.Float64);
        hard.eval();
        GradientCheck.Assert(x => hard.Forward(x, inputs).Logits, images.to(ScalarType.Float64).mul(0.5).add(0.25), tolerance: 1e-5);
        // The penalty as a function of alpha.
        var mask = torch.tensor(new double[,] { { 1, 1, 0 } });
        GradientCheck.Assert(a => CaptionTask.DoublyStochastic(a, mask), torch.rand(1, 3, 4, dtype: ScalarType.Float64));
    }

    [Fact]
    public void BadInputsGetClearErrors()
    {
        var model = new ShowAttendTell(Tiny(CaptionAttention.Soft));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(torch.rand(2, 1, 20, 20), torch.zeros(2, 3, dtype: ScalarType.Int64)));
        Assert.Equal("images must be (batch, 1, 16, 16) grey images; got (2, 1, 20, 20)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Forward(torch.rand(2, 1, 16, 16), torch.zeros(3, 3, dtype: ScalarType.Int64)));
        Assert.Equal("inputs must be (batch=2, time) word ids; got (3, 3)", e.Message);
        Assert.Equal("ImageSize must be a multiple of 8 and at least 16; got 20", Assert.Throws<ArgumentException>(() => new ShowAttendTell(Tiny(CaptionAttention.Soft) with { ImageSize = 20 })).Message);
        Assert.Equal("Attention must be one of soft, hard, none; got 7", Assert.Throws<ArgumentException>(() => new ShowAttendTell(Tiny((CaptionAttention)7))).Message);
    }

    [Fact]
    public void AFrozenEncoderModelReadsRegionFeaturesAndTheDatasetServesThem()
    {
        var options = Tiny(CaptionAttention.Soft) with { Encoder = CaptionEncoder.ResNet18, Features = 512, ImageSize = 64 };
        Assert.Equal(7, options.Grid);
        Assert.Equal(49, options.Regions);
        Assert.Contains("Features must be 512", Assert.Throws<ArgumentException>(() => new ShowAttendTell(options with { Features = 64 })).Message);
        manual_seed(3);
        var model = new ShowAttendTell(options);
        Assert.Null(model.Encoder);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("encoder"));

        // A dataset of 5 images whose model input becomes its rows of region features.
        var vocab = CaptionVocabulary.Build(["a 3"]);
        var refs = Enumerable.Range(0, 5).Select(_ => new[] { "a 3" }).ToArray();
        var set = new CaptionDataset(new byte[5 * 64 * 64], 64, 64, refs, vocab);
        Assert.Equal(new long[] { 2, 1, 64, 64 }, set.Inputs([0, 1]).shape);
        Assert.Contains("(5, regions, channels)", Assert.Throws<ArgumentException>(() => set.UseRegions(torch.zeros(4, 49, 512))).Message);
        var regions = torch.rand(5, 49, 512, generator: new Generator(5));
        set.UseRegions(regions);
        var batch = set.GetBatch([3, 1]);
        Assert.True(batch.Images.eq(regions.index_select(0, torch.tensor(new long[] { 3, 1 }))).all().item<bool>());
        Assert.Equal(new long[] { 2, 1, 64, 64 }, set.Images([3, 1]).shape);    // the pictures still have their images
        Assert.Equal(new long[] { 3, 49, 512 }, set.Take(3).Regions!.shape);

        var pass = model.Forward(batch.Images, batch.Inputs);
        Assert.Equal(new long[] { 2, batch.Inputs.shape[1], 49 }, pass.Weights!.shape);
        Assert.Single(model.Caption(batch.Images.narrow(0, 0, 1), beam: 2));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(torch.rand(2, 1, 64, 64), batch.Inputs));
        Assert.Contains("reads region features (batch, 49, 512)", e.Message);
    }
}
