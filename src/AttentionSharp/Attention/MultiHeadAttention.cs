using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>
/// Multi-head attention (Vaswani et al. 2017, section 3.2.2): <c>MultiHead(Q,K,V) = Concat(head_1..head_h) W^O</c>, <c>head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)</c>;
/// with fewer key/value heads it is grouped-query attention (Ainslie et al. 2023: each group of <c>h / h_kv</c> query heads shares one key/value head).
/// Batch-first <c>(B, T, E)</c>; self- or cross-attention; <c>kdim</c>/<c>vdim</c>; causal, key-padding (true = valid) and boolean/additive masks; dropout;
/// per-head weights <c>(B, H, Tq, Tk)</c> on request; an incremental <see cref="KeyValueCache"/>. Uses the fused kernel when weights are not requested.
/// </summary>
public sealed class MultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly Linear q_proj;
    readonly Linear k_proj;
    readonly Linear v_proj;
    readonly Linear out_proj;

    /// <summary>Creates multi-head attention of model size <paramref name="embedDim"/> with <paramref name="numHeads"/> query heads and <paramref name="numKeyValueHeads"/> key/value heads (default: equal; fewer gives grouped-query attention; 1 gives multi-query attention).</summary>
    public MultiHeadAttention(long embedDim, long numHeads, double dropout = 0.0, bool bias = true, long? kdim = null, long? vdim = null, long? numKeyValueHeads = null)
        : base("MultiHeadAttention")
    {
        if (embedDim < 1 || numHeads < 1 || embedDim % numHeads != 0)
            throw new ArgumentException($"embedDim must be a positive multiple of numHeads; got embedDim={embedDim}, numHeads={numHeads}");
        long kvHeads = numKeyValueHeads ?? numHeads;
        if (kvHeads < 1 || numHeads % kvHeads != 0)
            throw new ArgumentException($"numKeyValueHeads must divide numHeads={numHeads}; got {kvHeads}");
        if (dropout < 0 || dropout >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {dropout}");
        EmbedDim = embedDim;
        NumHeads = numHeads;
        NumKeyValueHeads = kvHeads;
        HeadDim = embedDim / numHeads;
        KeyDim = kdim ?? embedDim;
        ValueDim = vdim ?? embedDim;
        Dropout = dropout;
        q_proj = Layers.Linear(embedDim, embedDim, hasBias: bias);
        k_proj = Layers.Linear(KeyDim, kvHeads * HeadDim, hasBias: bias);
        v_proj = Layers.Linear(ValueDim, kvHeads * HeadDim, hasBias: bias);
        out_proj = Layers.Linear(embedDim, embedDim, hasBias: bias);
        RegisterComponents();
    }

    /// <summary>Model size <c>E</c> (query input and output features).</summary>
    public long EmbedDim { get; }

    /// <summary>Number of query heads <c>H</c>.</summary>
    public long NumHeads { get; }

    /// <summary>Number of key/value heads (<c>H</c> for standard attention, fewer for grouped-query attention).</summary>
    public long NumKeyValueHeads { get; }

    /// <summary>Size of one head <c>Dh = E / H</c>.</summary>
    public long HeadDim { get; }

    /// <summary>Key input features (<c>kdim</c>).</summary>
    public long KeyDim { get; }

    /// <summary>Value input features (<c>vdim</c>).</summary>
    public long ValueDim { get; }

    /// <summary>Dropout probability on the attention weights (training only).</summary>
    public double Dropout { get; }

    /// <summary>Query projection <c>W^Q</c> (E -> E).</summary>
    public Linear QueryProjection => q_proj;

    /// <summary>Key projection <c>W^K</c> (kdim -> Hkv * Dh).</summary>
    public Linear KeyProjection => k_proj;

    /// <summary>Value projection <c>W^V</c> (vdim -> Hkv * Dh).</summary>
    public Linear ValueProjection => v_proj;

    /// <summary>Output projection <c>W^O</c> (E -> E).</summary>
    public Linear OutputProjection => out_proj;

    /// <summary>Context only, no masks: <c>(B, Tq, E)</c>. See <see cref="Forward"/>.</summary>
    public override Tensor forward(Tensor query, Tensor key, Tensor value) => Forward(query, key, value).Context;

    /// <summary>
    /// Attends <paramref name="query"/> <c>(B, Tq, E)</c> over <paramref name="key"/> <c>(B, Tk, kdim)</c> and <paramref name="value"/> <c>(B, Tk, vdim)</c>
    /// (null key: self-attention on the query; null value: the key).
    /// <paramref name="keyPaddingMask"/> <c>(B, Tk)</c>, true = valid key (Tk counts cached positions too);
    /// <paramref name="attentionMask"/> <c>(Tq, Tk)</c>, <c>(B, Tq, Tk)</c> or <c>(B, H, Tq, Tk)</c>, boolean (true = allowed) or additive;
    /// <paramref name="causal"/> bottom-right aligned (query <c>i</c> sees keys up to <c>i + Tk - Tq</c>);
    /// <paramref name="needWeights"/> returns per-head weights <c>(B, H, Tq, Tk)</c> (slower, unfused path);
    /// <paramref name="cache"/> keeps projected keys/values across decoder steps.
    /// </summary>
    public AttentionOutput Forward(Tensor query, Tensor? key = null, Tensor? value = null, Tensor? keyPaddingMask = null,
        Tensor? attentionMask = null, bool causal = false, bool needWeights = false, KeyValueCache? cache = null)
    {
        if (query.dim() != 3 || query.shape[2] != EmbedDim)
            throw new ArgumentException($"query must be (batch, time, dim) with dim={EmbedDim}; got {AttentionMask.Shape(query)}");
        long b = query.shape[0], tq = query.shape[1];

        Tensor k, v;
        if (cache is { IsStatic: true, Keys: not null })
        {
            k = cache.Keys;
            v = cache.Values!;
            if (k.shape[0] != b) throw new ArgumentException($"cached keys have batch {k.shape[0]}; query has batch {b}");
        }
        else
        {
            key ??= query;
            value ??= key;
            if (key.dim() != 3 || key.shape[0] != b || key.shape[2] != KeyDim)
                throw new ArgumentException($"key must be (batch={b}, time, dim={KeyDim}); got {AttentionMask.Shape(key)}");
            if (value.dim() != 3 || value.shape[0] != b || value.shape[1] != key.shape[1] || value.shape[2] != ValueDim)
                throw new ArgumentException($"value must be (batch={b}, time={key.shape[1]}, dim={ValueDim}); got {AttentionMask.Shape(value)}");
            long tnew = key.shape[1];
            k = k_proj.forward(key).view(b, tnew, NumKeyValueHeads, HeadDim).transpose(1, 2);   // (B, Hkv, Tk, Dh)
            v = v_proj.forward(value).view(b, tnew, NumKeyValueHeads, HeadDim).transpose(1, 2); // (B, Hkv, Tk, Dh)
            if (cache is not null)
            {
                cache.Append(k, v);
                k = cache.Keys!;
                v = cache.Values!;
            }
        }
        long tk = k.shape[2];
        if (NumKeyValueHeads != NumHeads)
        {
            long group = NumHeads / NumKeyValueHeads;
            k = k.repeat_interleave(group, dim: 1); // (B, H, Tk, Dh)
            v = v.repeat_interleave(group, dim: 1); // (B, H, Tk, Dh)
        }
        var q = q_proj.forward(query).view(b, tq, NumHeads, HeadDim).transpose(1, 2); // (B, H, Tq, Dh)

        var mask = BuildMask(keyPaddingMask, attentionMask, b, tq, tk);
        var result = AttentionKernel.ScaledDotProduct(q, k, v, mask, causal, Dropout, training, needWeights);
        var context = result.Context.transpose(1, 2).reshape(b, tq, EmbedDim); // (B, Tq, E)
        return new AttentionOutput(out_proj.forward(context), result.Weights);
    }

    /// <summary>Averages per-head weights <c>(B, H, Tq, Tk)</c> over heads: <c>(B, Tq, Tk)</c> (what PyTorch returns by default).</summary>
    public static Tensor AverageHeads(Tensor weights) => weights.mean([1]);

    Tensor? BuildMask(Tensor? keyPaddingMask, Tensor? attentionMask, long b, long tq, long tk)
    {
        Tensor? padding = null;
        if (keyPaddingMask is not null)
        {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.shape[0] != b || keyPaddingMask.shape[1] != tk)
                throw new ArgumentException($"keyPaddingMask must be (batch={b}, keys={tk}); got {AttentionMask.Shape(keyPaddingMask)}");
            padding = keyPaddingMask.view(b, 1, 1, tk); // (B, 1, 1, Tk)
        }
        Tensor? attn = null;
        if (attentionMask is not null)
        {
            var s = attentionMask.shape;
            bool ok = s.Length switch
            {
                2 => s[0] == tq && s[1] == tk,
                3 => s[0] == b && s[1] == tq && s[2] == tk,
                4 => s[0] == b && (s[1] == NumHeads || s[1] == 1) && s[2] == tq && s[3] == tk,
                _ => false,
            };
            if (!ok)
                throw new ArgumentException($"attentionMask must be ({tq}, {tk}), ({b}, {tq}, {tk}) or ({b}, {NumHeads}, {tq}, {tk}); got {AttentionMask.Shape(attentionMask)}");
            attn = s.Length == 3 ? attentionMask.unsqueeze(1) : attentionMask; // (B, 1, Tq, Tk)
        }
        return AttentionMask.Combine(padding, attn);
    }
}
