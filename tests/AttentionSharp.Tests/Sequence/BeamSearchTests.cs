using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Sequence;

public class BeamSearchTests
{
    const int Bos = 2, Eos = 3, A = 4, B = 5;

    /// <summary>A fixed table of next-token probabilities keyed by the previous token: greedy takes A (0.55) then ends with p 0.4; B then EOS has p 0.45 * 0.9.</summary>
    sealed class TableDecoder : IIncrementalDecoder
    {
        public sealed record State(Tensor Last) : IDecoderState
        {
            public IDecoderState Select(Tensor index) => new State(Last.index_select(0, index));
        }

        static double[] Row(int previous) => previous switch
        {
            Bos => [0, 0, 0, 0.0, 0.55, 0.45],
            A => [0, 0, 0, 0.40, 0.25, 0.35],
            B => [0, 0, 0, 0.90, 0.05, 0.05],
            _ => [0, 0, 0, 1.0, 0, 0],
        };

        public DecoderStep Step(Tensor previous, IDecoderState state)
        {
            var prev = previous.data<long>().ToArray();
            var probs = prev.SelectMany(p => Row((int)p)).ToArray();
            var lp = torch.tensor(probs, [prev.Length, 6]).log();
            return new DecoderStep(lp, null, new State(previous));
        }
    }

    [Fact]
    public void BeamFindsTheBetterSequenceGreedyMisses()
    {
        var dec = new TableDecoder();
        var start = new TableDecoder.State(torch.zeros(1, dtype: ScalarType.Int64));
        var greedy = BeamSearch.Greedy(dec, start, 1, 10, Bos, Eos)[0];
        Assert.Equal([A, Eos], greedy.Tokens);
        Assert.Equal(Math.Log(0.55 * 0.40), greedy.LogProb, 9);
        var beam = BeamSearch.Search(dec, start, 1, beam: 2, maxLength: 10, Bos, Eos, alpha: 1.0)[0];
        Assert.Equal([B, Eos], beam.Tokens);
        Assert.Equal(Math.Log(0.45 * 0.90), beam.LogProb, 9);
        Assert.Equal(Math.Log(0.45 * 0.90) / 2, beam.Score, 9); // length-normalised: log p / |y|
        var one = BeamSearch.Search(dec, start, 1, beam: 1, maxLength: 10, Bos, Eos)[0];
        Assert.Equal(greedy.Tokens, one.Tokens);
    }

    [Fact]
    public void BannedTokensAreNeverEmitted()
    {
        var dec = new TableDecoder();
        var start = new TableDecoder.State(torch.zeros(1, dtype: ScalarType.Int64));
        // greedy prefers A (0.55) after BOS; with A banned it must take B, then EOS
        Assert.Equal([B, Eos], BeamSearch.Greedy(dec, start, 1, 10, Bos, Eos, banned: [A])[0].Tokens);
        var beam = BeamSearch.Search(dec, start, 1, beam: 2, maxLength: 10, Bos, Eos, banned: [A, B]);
        Assert.DoesNotContain(beam[0].Tokens, t => t is A or B);
        Assert.Equal([0, 1, 2], AttentionSharp.Data.Translation.Vocabulary.NeverEmitted);
    }

    [Fact]
    public void MaxLengthStopsUnfinishedHypotheses()
    {
        var dec = new TableDecoder();
        var start = new TableDecoder.State(torch.zeros(1, dtype: ScalarType.Int64));
        Assert.Equal([A], BeamSearch.Greedy(dec, start, 1, 1, Bos, Eos)[0].Tokens);
        Assert.Single(BeamSearch.Search(dec, start, 1, 2, 1, Bos, Eos)[0].Tokens);
        Assert.Throws<ArgumentException>(() => BeamSearch.Search(dec, start, 1, 0, 5, Bos, Eos));
    }

    [Theory]
    [InlineData("bahdanau")]
    [InlineData("luong-general")]
    [InlineData("none")]
    public void BeamOneEqualsGreedyOnARandomModel(string arch)
    {
        torch.manual_seed(11);
        var model = new Seq2SeqModel(new Seq2SeqOptions(AttentionSharp.Training.Variant.Parse<Seq2SeqArch>(arch, "arch"), SourceVocab: 12, TargetVocab: 9, Embedding: 8, Hidden: 8, Dropout: 0, MaxTargetLength: 12));
        model.eval();
        using var _ = torch.no_grad();
        var src = torch.tensor(new long[] { 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 11, 4, 4, 0, 0 }, [3, 5]);
        var mask = src.ne(0);
        var greedy = model.Decode(src, mask, beam: 1);
        var beam = model.Decode(src, mask, beam: 1, forceBeamSearch: true);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam[i].Tokens);
            Assert.Equal(greedy[i].LogProb, beam[i].LogProb, 5);
            if (arch == "none") { Assert.Null(beam[i].Weights); continue; }
            Assert.Equal(greedy[i].Tokens.Length, beam[i].Weights!.Length);
            for (int t = 0; t < greedy[i].Tokens.Length; t++)
                Assert.Equal(greedy[i].Weights![t], beam[i].Weights![t]);
        }
        // a wider beam never returns a lower raw log-probability than its own greedy path would, when not normalising (alpha 0) and all finish
        var wide = model.Decode(src, mask, beam: 4, alpha: 0);
        for (int i = 0; i < 3; i++)
            if (greedy[i].Tokens[^1] == 3 && wide[i].Tokens[^1] == 3) Assert.True(wide[i].LogProb >= greedy[i].LogProb - 1e-5);
    }
}
