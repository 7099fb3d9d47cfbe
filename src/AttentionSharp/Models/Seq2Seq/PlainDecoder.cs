using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>
/// Decoder without attention (Cho et al. 2014, eq. 5-6 / Sutskever et al. 2014): a fixed context <c>c</c> = the encoder's final
/// state <c>[h_fwd_S; h_bwd_1]</c>; <c>s_0 = tanh(W_i c)</c>, <c>s_t = GRU([E y_{t-1}; c], s_{t-1})</c>, output <c>tanh(W_o [s_t; c; E y_{t-1}])</c>.
/// </summary>
public sealed class PlainDecoder : RnnDecoder
{
    readonly GRUCell cell;
    readonly Linear init;
    readonly Linear output;

    /// <summary>Creates the decoder for embeddings of size <paramref name="embedding"/>, context <paramref name="context"/> and hidden <paramref name="hidden"/>.</summary>
    public PlainDecoder(long embedding, long context, long hidden) : base("PlainDecoder")
    {
        cell = Layers.GRUCell(embedding + context, hidden);
        init = Layers.Linear(context, hidden);
        output = Layers.Linear(hidden + context + embedding, hidden);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor? PrepareKeys(Tensor annotations) => null;

    /// <inheritdoc />
    public override Seq2SeqState Start(EncoderMemory memory) => new(init.forward(memory.Final).tanh(), null, memory);

    /// <inheritdoc />
    public override RnnDecoderStep Step(Tensor embedded, Seq2SeqState state)
    {
        var c = state.Memory.Final;                                           // (B, 2H)
        var s = cell.forward(torch.cat([embedded, c], 1), state.Hidden);      // (B, Hd)
        var o = output.forward(torch.cat([s, c, embedded], 1)).tanh();        // (B, Hd)
        return new RnnDecoderStep(o, null, state with { Hidden = s });
    }
}
