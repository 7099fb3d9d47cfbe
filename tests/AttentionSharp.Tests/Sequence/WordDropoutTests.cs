using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Sequence;

public sealed class WordDropoutTests
{
    [Fact]
    public void MatchesANaivePerTokenDrawAndNeverTouchesKeptIds()
    {
        var rng = new Random(2);
        var ids = Enumerable.Range(0, 4000).Select(_ => (long)rng.Next(0, 12)).ToArray();
        using var tokens = torch.tensor(ids, [40, 100]);
        torch.manual_seed(7);
        using var got = WordDropout.Apply(tokens, 0.3, training: true, unknown: 1, 0, 2);
        torch.manual_seed(7);
        var u = torch.rand(40, 100).data<float>().ToArray();               // the same draw, one per token, row-major
        var want = ids.Select((id, i) => id is 0 or 2 ? id : u[i] < 0.3f ? 1L : id).ToArray();
        Assert.Equal(want, got.data<long>().ToArray());
        double rate = ids.Where((id, i) => id is not (0 or 2 or 1)).Zip(got.data<long>().ToArray().Where((_, i) => ids[i] is not (0 or 2 or 1))).Count(z => z.Second == 1) /
                      (double)ids.Count(id => id is not (0 or 2 or 1));
        Assert.InRange(rate, 0.27, 0.33);
    }

    [Fact]
    public void OffOutsideTrainingOrAtZeroAndBadRatesAreRejected()
    {
        using var tokens = torch.tensor(new long[] { 2, 5, 6, 0 });
        Assert.Same(tokens, WordDropout.Apply(tokens, 0.5, training: false, unknown: 1, 0));
        Assert.Same(tokens, WordDropout.Apply(tokens, 0, training: true, unknown: 1, 0));
        Assert.Contains("word dropout must be in [0, 1); got 1", Assert.Throws<ArgumentException>(() => WordDropout.Apply(tokens, 1, true, 1)).Message);
        Assert.Contains("word dropout must be in [0, 1)", Assert.Throws<ArgumentException>(() => new Seq2SeqOptions(SourceVocab: 9, TargetVocab: 9, WordDropout: -0.1).Validate()).Message);
        Assert.Contains("word dropout must be in [0, 1)", Assert.Throws<ArgumentException>(() => new TransformerOptions(SourceVocab: 9, TargetVocab: 9, WordDropout: 1).Validate()).Message);
    }

    static (Tensor Src, Tensor Mask, Tensor TgtIn) Batch()
    {
        var src = torch.tensor(new long[] { 4, 5, 6, 7, 8, 9, 10, 0 }, [2, 4]);
        var tgtIn = torch.tensor(new long[] { Vocabulary.Bos, 5, 6, Vocabulary.Bos, 7, 0 }, [2, 3]);
        return (src, src.ne(0), tgtIn);
    }

    [Fact]
    public void TheTranslationModelsDropWordsInTrainingOnly()
    {
        var (src, mask, tgtIn) = Batch();
        var builders = new (string Name, Func<double, ITranslationModel> Build)[]
        {
            ("bahdanau", p => new Seq2SeqModel(new Seq2SeqOptions(Seq2SeqArch.Bahdanau, 12, 12, Embedding: 8, Hidden: 8, Dropout: 0, MaxTargetLength: 6, WordDropout: p))),
            ("transformer", p => new TransformerModel(new TransformerOptions(12, 12, ModelDim: 8, Heads: 2, Layers: 1, FeedForward: 16, Dropout: 0, MaxTargetLength: 6, LabelSmoothing: 0, WordDropout: p))),
        };
        foreach (var (name, build) in builders)
        {
            torch.manual_seed(1);
            var plain = build(0);
            torch.manual_seed(1);
            var dropping = build(0.5);
            using var _ = torch.no_grad();
            plain.Module.eval();
            dropping.Module.eval();
            Assert.True(plain.Logits(src, mask, tgtIn).allclose(dropping.Logits(src, mask, tgtIn)), $"{name}: word dropout changed an evaluation");
            plain.Module.train();
            dropping.Module.train();
            torch.manual_seed(4);
            using var a = plain.Logits(src, mask, tgtIn);
            torch.manual_seed(4);
            using var b = dropping.Logits(src, mask, tgtIn);
            Assert.False(a.allclose(b), $"{name}: word dropout 0.5 left every training input as it was");
            // the dropped inputs, drawn as the model draws them (source first, then decoder inputs), give the same logits in evaluation
            torch.manual_seed(4);
            var droppedSrc = WordDropout.Apply(src, 0.5, true, Vocabulary.Unk, Vocabulary.Pad);
            var droppedTgt = WordDropout.Apply(tgtIn, 0.5, true, Vocabulary.Unk, Vocabulary.Pad, Vocabulary.Bos);
            plain.Module.eval();
            Assert.True(b.allclose(plain.Logits(droppedSrc, mask, droppedTgt), 1e-5, 1e-6), $"{name}: the training logits are not those of the dropped inputs");
        }
    }
}
