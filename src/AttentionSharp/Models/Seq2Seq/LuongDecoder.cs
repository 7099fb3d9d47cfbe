using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>
/// Luong et al. 2015 decoder with input feeding (sec. 3, eq. 5-10): <c>h_t = GRU([E y_{t-1}; h~_{t-1}], h_{t-1})</c>; global attention
/// <c>a_t = softmax(score(h_t, h_s))</c> with the dot, general or concat score (eq. 8) or the location score <c>a_t = softmax(W_a h_t)</c>
/// (eq. 9), or local attention over the window <c>[p_t - D, p_t + D]</c> with the general score: local-m (<c>p_t = t</c>) or local-p
/// (<c>p_t = S sigmoid(v_p^T tanh(W_p h_t))</c> and a Gaussian factor, eq. 10); <c>c_t = sum_s a_t(s) h_s</c>; attentional state <c>h~_t = tanh(W_c [c_t; h_t])</c> (eq. 5), fed to the output layer
/// and to the next step. <c>h_0 = tanh(W_i [h_fwd_S; h_bwd_1])</c>. Scores and the local window come from the attention catalog.
/// </summary>
public sealed class LuongDecoder : RnnDecoder
{
    readonly KeyValueAttention? global;
    readonly LocalAttention? local;
    readonly GRUCell cell;
    readonly Linear init;
    readonly Linear W_c;

    /// <summary>
    /// Creates the decoder; <paramref name="score"/> is dot, general, concat, location (over at most <paramref name="maxSource"/>
    /// positions), local-m or local-p (general score inside a window of half-width <paramref name="window"/>).
    /// </summary>
    public LuongDecoder(string score, long embedding, long annotation, long hidden, long window, long maxSource = 64) : base("LuongDecoder")
    {
        if (score == "dot" && annotation != hidden) throw new ArgumentException($"the dot score needs annotation size = decoder size; got {annotation} and {hidden}");
        ScoreName = score;
        AttentionScore s = score switch
        {
            "dot" => new DotScore(hidden),
            "general" or "local-p" or "local-m" => new GeneralScore(hidden, annotation),
            "concat" => new ConcatScore(hidden, annotation, hidden),
            "location" => new LocationScore(hidden, annotation, maxSource),
            _ => throw new ArgumentException($"Luong score must be dot, general, concat, location, local-m or local-p; got '{score}'"),
        };
        if (score == "local-p") local = new LocalAttention(s, window, LocalAttentionMode.Predictive, hidden);
        else if (score == "local-m") local = new LocalAttention(s, window, LocalAttentionMode.Monotonic);
        else global = new KeyValueAttention(s);
        cell = Layers.GRUCell(embedding + hidden, hidden);
        init = Layers.Linear(annotation, hidden);
        W_c = Layers.Linear(annotation + hidden, hidden, hasBias: false);
        Hidden = hidden;
        RegisterComponents();
    }

    /// <summary>The score name: dot, general, concat, location, local-m or local-p.</summary>
    public string ScoreName { get; }

    /// <summary>Decoder hidden size.</summary>
    public long Hidden { get; }

    /// <summary>The global attention layer (null for local-m/local-p).</summary>
    public KeyValueAttention? GlobalAttention => global;

    /// <summary>The local attention layer (null for global attention).</summary>
    public LocalAttention? LocalAttention => local;

    /// <inheritdoc />
    public override Tensor? PrepareKeys(Tensor annotations) => global?.Score.PrepareKeys(annotations);

    /// <inheritdoc />
    public override Seq2SeqState Start(EncoderMemory memory)
    {
        var h0 = init.forward(memory.Final).tanh();                               // (B, Hd)
        return new Seq2SeqState(h0, torch.zeros_like(h0), memory);
    }

    /// <inheritdoc />
    public override RnnDecoderStep Step(Tensor embedded, Seq2SeqState state)
    {
        var m = state.Memory;
        var h = cell.forward(torch.cat([embedded, state.Feed!], 1), state.Hidden); // (B, Hd)
        Tensor context;
        Tensor? weights;
        if (global is not null)
        {
            var att = global.ForwardPrepared(h, m.Keys!, m.Annotations, m.Mask);   // (B, 2H), (B, S)
            (context, weights) = (att.Context, att.Weights);
        }
        else
        {
            var att = local!.Forward(h, m.Annotations, m.Annotations, m.Mask, queryOffset: state.Step); // (B, 2H), (B, S)
            (context, weights) = (att.Context, att.Weights);
        }
        var attentional = W_c.forward(torch.cat([context, h], 1)).tanh();         // (B, Hd)
        return new RnnDecoderStep(attentional, weights, new Seq2SeqState(h, attentional, m, state.Step + 1));
    }
}
