using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class CascadeAttentionTests
{
    [Fact]
    public void TwoLevels_EqualPoolingWordsThenSentences_WithMasks()
    {
        torch.manual_seed(70);
        const int B = 2, S = 3, W = 4, D = 5;
        var words = new AttentionPooling(D, 6).to(ScalarType.Float64);
        var sentences = new AttentionPooling(D, 7).to(ScalarType.Float64);
        var cascade = new CascadeAttention([words, sentences]);
        var x = Naive.Rand(B, S, W, D);
        var mask = torch.ones(B, S, W, dtype: ScalarType.Bool);
        mask[0, 1, 2..] = torch.zeros(2, dtype: ScalarType.Bool);
        mask[1, 2] = torch.zeros(W, dtype: ScalarType.Bool); // empty sentence
        var r = cascade.Forward(x, mask);
        // reference: pool every sentence separately, then the document
        var sentenceVectors = new Tensor[B];
        var wordWeights = new Tensor[B];
        for (int n = 0; n < B; n++)
        {
            var perSentence = Enumerable.Range(0, S).Select(s => words.Forward(x[n, s].unsqueeze(0), mask[n, s].unsqueeze(0))).ToArray();
            sentenceVectors[n] = torch.cat(perSentence.Select(p => p.Context).ToArray(), 0);      // (S, D)
            wordWeights[n] = torch.cat(perSentence.Select(p => p.Weights!).ToArray(), 0);        // (S, W)
        }
        var doc = sentences.Forward(torch.stack(sentenceVectors), mask.any(-1));
        Naive.Close(doc.Context, r.Context, 1e-12, "document");
        Naive.Close(torch.stack(wordWeights), r.Weights[0], 1e-12, "word weights");
        Naive.Close(doc.Weights!, r.Weights[1], 1e-12, "sentence weights");
        Assert.Equal(0.0, r.Weights[1][1, 2].item<double>());
        Assert.Equal(new long[] { B, S, W }, r.Weights[0].shape);
    }

    [Fact]
    public void EncoderBetweenLevels_IsApplied_AndShapesAreChecked()
    {
        torch.manual_seed(71);
        var cascade = new CascadeAttention([new AttentionPooling(4, 3), new AttentionPooling(6, 3)], [null, nn.Linear(4, 6)]);
        var r = cascade.Forward(torch.randn(2, 3, 5, 4));
        Assert.Equal(new long[] { 2, 6 }, r.Context.shape);
        var ex = Assert.Throws<ArgumentException>(() => cascade.Forward(torch.randn(2, 5, 4)));
        Assert.Contains("(2, 5, 4)", ex.Message);
    }
}
