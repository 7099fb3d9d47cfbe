using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.QuestionAnswering;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.QuestionAnswering;

public class StackedAttentionNetworkTests
{
    static VqaOptions Small(VqaAttention attention = VqaAttention.Stacked, int hops = 2) =>
        new(SceneQuestions.Vocabulary().Count, SceneQuestions.Answers.Length, attention, ImageSize: 16, Features: 6, Embedding: 5, Hidden: 8, AttentionHidden: 7, Hops: hops);

    static (Tensor Images, Tensor ImageOf, Tensor Ids, Tensor Mask) Inputs(ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(3);
        var images = rand(2, 1, 16, 16, dtype: dtype);
        var (ids, mask) = QuestionDataset.EncodeWords([["is", "there", "a", "7"], ["what", "is", "left", "of", "the", "bag"], ["where", "is", "the", "3"]],
            SceneQuestions.Vocabulary(), CPU);
        return (images, tensor(new long[] { 1, 0, 1 }), ids, mask);
    }

    static double[] Row(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();

    static Tensor Param(nn.Module m, string name) => m.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void StackedAttentionEqualsTheEquationsOfThePaper()
    {
        manual_seed(1);
        var model = new StackedAttentionNetwork(Small());
        model.eval();
        var (images, imageOf, ids, mask) = Inputs();
        using var _ = no_grad();
        var pass = model.Forward(images, imageOf, ids, mask);
        var vI = model.ImageVectors(images);                                     // (S, L, d), tested with the encoder
        var vQ = model.QuestionVectors(ids, mask);                               // (N, d), tested with the encoder
        int d = 8, k = 7, l = 4, answers = SceneQuestions.Answers.Length;
        for (int n = 0; n < 3; n++)
        {
            var v = Enumerable.Range(0, l).Select(i => Row(vI[imageOf[n].item<long>(), i])).ToArray();
            var u = Row(vQ[n]);
            for (int hop = 0; hop < 2; hop++)
            {
                string p = $"hops.{hop}.score.";
                var wq = Row(Param(model, p + "W_a.weight")); var wi = Row(Param(model, p + "U_a.weight"));
                var b = Row(Param(model, p + "U_a.bias")); var wp = Row(Param(model, p + "v_a.weight"));
                // Eq. 15-16: h_A,i = tanh(W_IA v_i + W_QA u + b_A), p_i = softmax_i(W_P h_A,i).
                var e = new double[l];
                for (int i = 0; i < l; i++)
                    for (int r = 0; r < k; r++)
                    {
                        double s = b[r];
                        for (int c = 0; c < d; c++) s += wi[r * d + c] * v[i][c] + wq[r * d + c] * u[c];
                        e[i] += wp[r] * Math.Tanh(s);
                    }
                double max = e.Max(), z = e.Sum(x => Math.Exp(x - max));
                var prob = e.Select(x => Math.Exp(x - max) / z).ToArray();
                Assert.Equal(prob, Row(pass.Weights![n, hop]), (a, c) => Math.Abs(a - c) < 1e-5);
                // Eq. 17-18: v~ = sum_i p_i v_i, u^k = v~ + u^{k-1}.
                u = Enumerable.Range(0, d).Select(c => u[c] + Enumerable.Range(0, l).Sum(i => prob[i] * v[i][c])).ToArray();
            }
            var wu = Row(Param(model, "answer.weight")); var bu = Row(Param(model, "answer.bias"));
            var logits = Enumerable.Range(0, answers).Select(a => bu[a] + Enumerable.Range(0, d).Sum(c => wu[a * d + c] * u[c])).ToArray();
            Assert.Equal(logits, Row(pass.Logits[n]), (a, c) => Math.Abs(a - c) < 1e-4);
        }
    }

    [Fact]
    public void WeightsAreDistributionsAndNoAttentionFusesTheMeanOfTheRegions()
    {
        manual_seed(2);
        var model = new StackedAttentionNetwork(Small(hops: 3));
        model.eval();
        var (images, imageOf, ids, mask) = Inputs();
        using var _ = no_grad();
        var pass = model.Forward(images, imageOf, ids, mask);
        Assert.Equal([3L, SceneQuestions.Answers.Length], pass.Logits.shape);
        Assert.Equal([3L, 3, 4], pass.Weights!.shape);
        Assert.True(pass.Weights.sum(2).sub(1).abs().max().item<float>() < 1e-5);
        Assert.True(pass.Weights.min().item<float>() >= 0);

        manual_seed(2);
        var none = new StackedAttentionNetwork(Small(VqaAttention.None));
        none.eval();
        var p = none.Forward(images, imageOf, ids, mask);
        Assert.Null(p.Weights);
        Assert.Empty(none.Hops);
        var u = torch.cat([none.ImageVectors(images).index_select(0, imageOf).mean([1]), none.QuestionVectors(ids, mask)], 1);
        var expected = nn.functional.linear(nn.functional.linear(u, Param(none, "fuse.weight"), Param(none, "fuse.bias")).tanh(),
            Param(none, "answer.weight"), Param(none, "answer.bias"));
        Assert.True(p.Logits.sub(expected).abs().max().item<float>() < 1e-5);
        // flat: one image vector from the whole grid, tanh(W_g [v_1; ...; v_L] + b_g), fused the same way.
        manual_seed(2);
        var flat = new StackedAttentionNetwork(Small(VqaAttention.Flat));
        flat.eval();
        var pf = flat.Forward(images, imageOf, ids, mask);
        Assert.Null(pf.Weights);
        var g = nn.functional.linear(flat.ImageVectors(images).index_select(0, imageOf).flatten(1), Param(flat, "grid.weight"), Param(flat, "grid.bias")).tanh();
        var uf = torch.cat([g, flat.QuestionVectors(ids, mask)], 1);
        var expectedFlat = nn.functional.linear(nn.functional.linear(uf, Param(flat, "fuse.weight"), Param(flat, "fuse.bias")).tanh(),
            Param(flat, "answer.weight"), Param(flat, "answer.bias"));
        Assert.True(pf.Logits.sub(expectedFlat).abs().max().item<float>() < 1e-5);
        Assert.Equal([8L, 4 * 8], Param(flat, "grid.weight").shape);
        // An image's questions read that image only: the answers to question 1 do not depend on image 1.
        var other = images.clone();
        other[1] = rand(1, 16, 16);
        Assert.True(none.Forward(other, imageOf, ids, mask).Logits[1].sub(p.Logits[1]).abs().max().item<float>() < 1e-6);
        Assert.True(none.Forward(other, imageOf, ids, mask).Logits[0].sub(p.Logits[0]).abs().max().item<float>() > 1e-6);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        manual_seed(4);
        var model = new StackedAttentionNetwork(Small());
        model.to(ScalarType.Float64);
        model.eval();
        var (images, imageOf, ids, mask) = Inputs(ScalarType.Float64);
        var answers = tensor(new long[] { 0, 5, 30 });
        Tensor Loss() => nn.functional.cross_entropy(model.Forward(images, imageOf, ids, mask).Logits, answers);
        model.zero_grad();
        Loss().backward();
        foreach (var (name, index) in new[] { ("hops.0.score.v_a.weight", 2L), ("hops.1.score.W_a.weight", 9L), ("image.weight", 3L), ("answer.bias", 5L) })
        {
            var w = Param(model, name);
            double analytic = w.grad!.flatten()[index].item<double>();
            double numeric;
            using (no_grad())
            {
                var flat = w.view(-1);
                double x = flat[index].item<double>(), h = 1e-6;
                flat[index] = x + h; double up = Loss().item<double>();
                flat[index] = x - h; double down = Loss().item<double>();
                flat[index] = x;
                numeric = (up - down) / (2 * h);
            }
            Assert.True(Math.Abs(analytic - numeric) < 1e-6 + 1e-4 * Math.Abs(numeric), $"{name}[{index}]: backward {analytic}, finite differences {numeric}");
        }
    }

    [Fact]
    public void BadOptionsAndShapesGetClearErrors()
    {
        Assert.Equal("Hidden must be even and >= 2 (two LSTM directions of Hidden/2); got 7",
            Assert.Throws<ArgumentException>(() => new StackedAttentionNetwork(Small() with { Hidden = 7 })).Message);
        Assert.Equal("Hops must be >= 1 with stacked attention; got 0", Assert.Throws<ArgumentException>(() => Small(hops: 0).Validate()).Message);
        Small(VqaAttention.None, hops: 0).Validate();
        var model = new StackedAttentionNetwork(Small());
        var (images, imageOf, ids, mask) = Inputs();
        Assert.Contains("imageOf must give one image row per question (3)",
            Assert.Throws<ArgumentException>(() => model.Forward(images, imageOf[..2], ids, mask)).Message);
        Assert.Contains("images must be (batch, 1, 16, 16)",
            Assert.Throws<ArgumentException>(() => model.Forward(rand(2, 1, 32, 32), imageOf, ids, mask)).Message);
        Assert.Contains("questions and mask must both be (questions, words)",
            Assert.Throws<ArgumentException>(() => model.Forward(images, imageOf, ids, mask[.., ..2])).Message);
    }
}
