using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Sequence;

public class BiRnnEncoderTests
{
    [Theory]
    [InlineData("gru")]
    [InlineData("lstm")]
    public void PaddingNeverChangesTheRealPositions(string cell)
    {
        torch.manual_seed(4);
        var enc = new BiRnnEncoder(3, 5, AttentionSharp.Training.Variant.Parse<RnnCell>(cell, "cell"));
        enc.to(ScalarType.Float64);
        var x = torch.randn(1, 4, 3, dtype: ScalarType.Float64);
        var alone = enc.Encode(x, torch.ones(1, 4, dtype: ScalarType.Bool));
        var padded = torch.cat([x, torch.randn(1, 3, 3, dtype: ScalarType.Float64) * 100], 1);   // (1, 7, 3) with garbage padding
        var mask = torch.tensor(new[] { true, true, true, true, false, false, false }, [1, 7]);
        var withPad = enc.Encode(padded, mask);
        Assert.True(withPad.Annotations.narrow(1, 0, 4).allclose(alone.Annotations, 1e-12, 1e-12));
        Assert.Equal(0.0, withPad.Annotations.narrow(1, 4, 3).abs().sum().item<double>());
        Assert.True(withPad.Final.allclose(alone.Final, 1e-12, 1e-12));
    }

    [Fact]
    public void BackwardDirectionReadsTheSequenceReversed()
    {
        torch.manual_seed(6);
        var enc = new BiRnnEncoder(2, 3);
        enc.to(ScalarType.Float64);
        var x = torch.randn(1, 3, 2, dtype: ScalarType.Float64);
        var outp = enc.Encode(x, torch.ones(1, 3, dtype: ScalarType.Bool));
        // reference: a GRU cell with the backward weights run from the last token to the first
        var p = enc.named_parameters().ToDictionary(q => q.name, q => (Tensor)q.parameter.detach());
        var cell = nn.GRUCell(2, 3);
        cell.to(ScalarType.Float64);
        using (torch.no_grad())
        {
            cell.weight_ih!.copy_(p["backward_rnn.weight_ih_l0"]); cell.weight_hh!.copy_(p["backward_rnn.weight_hh_l0"]);
            cell.bias_ih!.copy_(p["backward_rnn.bias_ih_l0"]); cell.bias_hh!.copy_(p["backward_rnn.bias_hh_l0"]);
        }
        var h = torch.zeros(1, 3, dtype: ScalarType.Float64);
        for (int t = 2; t >= 0; t--)
        {
            h = cell.forward(x[.., t], h);
            Assert.True(outp.Annotations[0, t].narrow(0, 3, 3).allclose(h[0], 1e-12, 1e-12), $"backward state at {t}");
        }
        Assert.True(outp.Final[0].narrow(0, 3, 3).allclose(h[0], 1e-12, 1e-12));
        Assert.Contains("at least one real token", Assert.Throws<ArgumentException>(() => enc.Encode(x, torch.zeros(1, 3, dtype: ScalarType.Bool))).Message);
    }

    [Fact]
    public void LstmDirectionsFollowAnLstmCellReference()
    {
        torch.manual_seed(8);
        var enc = new BiRnnEncoder(2, 3, RnnCell.Lstm);
        enc.to(ScalarType.Float64);
        var x = torch.randn(1, 4, 2, dtype: ScalarType.Float64);
        var outp = enc.Encode(x, torch.ones(1, 4, dtype: ScalarType.Bool));
        var p = enc.named_parameters().ToDictionary(q => q.name, q => (Tensor)q.parameter.detach());
        foreach (var (dir, offset, order) in new[] { ("forward_rnn", 0, new[] { 0, 1, 2, 3 }), ("backward_rnn", 3, new[] { 3, 2, 1, 0 }) })
        {
            var cell = nn.LSTMCell(2, 3);
            cell.to(ScalarType.Float64);
            using (torch.no_grad())
            {
                cell.weight_ih!.copy_(p[dir + ".weight_ih_l0"]); cell.weight_hh!.copy_(p[dir + ".weight_hh_l0"]);
                cell.bias_ih!.copy_(p[dir + ".bias_ih_l0"]); cell.bias_hh!.copy_(p[dir + ".bias_hh_l0"]);
            }
            var h = torch.zeros(1, 3, dtype: ScalarType.Float64);
            var c = torch.zeros(1, 3, dtype: ScalarType.Float64);
            foreach (int t in order)
            {
                (h, c) = cell.forward(x[.., t], (h, c));
                Assert.True(outp.Annotations[0, t].narrow(0, offset, 3).allclose(h[0], 1e-12, 1e-12), $"{dir} state at {t}");
            }
            Assert.True(outp.Final[0].narrow(0, offset, 3).allclose(h[0], 1e-12, 1e-12), $"{dir} final state");
        }
        Assert.Contains("gru, lstm", Assert.Throws<ArgumentException>(() => new BiRnnEncoder(2, 3, (RnnCell)7)).Message);
    }

    [Fact]
    public void ReverseIndexKeepsPaddingInPlace()
    {
        var idx = BiRnnEncoder.ReverseIndex(torch.tensor(new long[] { 3, 1 }), 4);
        Assert.Equal([2L, 1, 0, 3, 0, 1, 2, 3], idx.data<long>().ToArray());
    }
}
