using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>
/// Bahdanau et al. 2015 decoder (eq. 4-6, appendix A.2): the additive score of the previous state <c>e_tj = v_a^T tanh(W_a s_{t-1} + U_a h_j)</c>
/// (catalog <see cref="AdditiveScore"/>, keys prepared once), <c>alpha = softmax(e)</c> over real source positions, <c>c_t = sum_j alpha_tj h_j</c>,
/// <c>s_t = GRU([E y_{t-1}; c_t], s_{t-1})</c>, <c>s_0 = tanh(W_s h_bwd_1)</c>; output <c>tanh(W_o [s_t; c_t; E y_{t-1}])</c> (the paper's maxout replaced by tanh).
/// </summary>
public sealed class BahdanauDecoder : RnnDecoder
{
    readonly KeyValueAttention attention;
    readonly GRUCell cell;
    readonly Linear init;
    readonly Linear output;
    readonly long encoderHidden;

    /// <summary>Creates the decoder for embeddings <paramref name="embedding"/>, annotations <paramref name="annotation"/> (= 2H) and hidden <paramref name="hidden"/>.</summary>
    public BahdanauDecoder(long embedding, long annotation, long hidden) : base("BahdanauDecoder")
    {
        attention = new KeyValueAttention(new AdditiveScore(hidden, annotation, hidden));
        cell = Layers.GRUCell(embedding + annotation, hidden);
        encoderHidden = annotation / 2;
        init = Layers.Linear(encoderHidden, hidden);
        output = Layers.Linear(hidden + annotation + embedding, hidden);
        RegisterComponents();
    }

    /// <summary>The attention layer (score + kernel from the catalog).</summary>
    public KeyValueAttention Attention => attention;

    /// <inheritdoc />
    public override Tensor? PrepareKeys(Tensor annotations) => attention.Score.PrepareKeys(annotations);

    /// <inheritdoc />
    public override Seq2SeqState Start(EncoderMemory memory) =>
        new(init.forward(memory.Final.narrow(1, encoderHidden, encoderHidden)).tanh(), null, memory); // from the backward final state h_bwd_1

    /// <inheritdoc />
    public override RnnDecoderStep Step(Tensor embedded, Seq2SeqState state)
    {
        var m = state.Memory;
        var att = attention.ForwardPrepared(state.Hidden, m.Keys!, m.Annotations, m.Mask);    // context (B, 2H), weights (B, S)
        var s = cell.forward(torch.cat([embedded, att.Context], 1), state.Hidden);             // (B, Hd)
        var o = output.forward(torch.cat([s, att.Context, embedded], 1)).tanh();               // (B, Hd)
        return new RnnDecoderStep(o, att.Weights, state with { Hidden = s });
    }
}
