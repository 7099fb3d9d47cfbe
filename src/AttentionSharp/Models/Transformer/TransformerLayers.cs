using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Transformer;

/// <summary>Position-wise feed-forward network (Vaswani et al. 2017, eq. 2): <c>FFN(x) = max(0, x W_1 + b_1) W_2 + b_2</c>.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    readonly Linear w1;
    readonly Linear w2;
    readonly Dropout dropout;

    /// <summary>Creates the network of width <paramref name="dim"/> and inner size <paramref name="inner"/>.</summary>
    public FeedForward(long dim, long inner, double dropout) : base("FeedForward")
    {
        w1 = Layers.Linear(dim, inner);
        w2 = Layers.Linear(inner, dim);
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => w2.forward(dropout.forward(nn.functional.relu(w1.forward(x)))); // (B, T, D)
}

/// <summary>Encoder layer: self-attention and feed-forward sub-layers, each <c>x + Dropout(Sublayer(LN(x)))</c> (pre-norm) or <c>LN(x + Dropout(Sublayer(x)))</c> (post-norm, Vaswani et al. 2017 sec. 3.1).</summary>
public sealed class EncoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    readonly MultiHeadAttention self_attn;
    readonly FeedForward ffn;
    readonly LayerNorm norm1;
    readonly LayerNorm norm2;
    readonly Dropout dropout;
    readonly bool preNorm;

    /// <summary>Creates the layer.</summary>
    public EncoderLayer(TransformerOptions o) : base("EncoderLayer")
    {
        self_attn = new MultiHeadAttention(o.ModelDim, o.Heads, o.Dropout);
        ffn = new FeedForward(o.ModelDim, o.FeedForward, o.Dropout);
        norm1 = Layers.LayerNorm(o.ModelDim);
        norm2 = Layers.LayerNorm(o.ModelDim);
        dropout = nn.Dropout(o.Dropout);
        preNorm = o.PreNorm;
        RegisterComponents();
    }

    /// <summary>Encodes <paramref name="x"/> <c>(B, S, D)</c>; <paramref name="mask"/> <c>(B, S)</c> true = real token.</summary>
    public override Tensor forward(Tensor x, Tensor mask) => Forward(x, mask, needWeights: false).Output;

    /// <summary>Encodes <paramref name="x"/> <c>(B, S, D)</c> (<paramref name="mask"/> <c>(B, S)</c>, true = real token; null: every
    /// position is real) and, when asked, returns the self-attention weights per head <c>(B, H, S, S)</c>.</summary>
    public (Tensor Output, Tensor? Weights) Forward(Tensor x, Tensor? mask, bool needWeights)
    {
        if (preNorm)
        {
            var a = self_attn.Forward(norm1.forward(x), keyPaddingMask: mask, needWeights: needWeights);
            x = x.add(dropout.forward(a.Context), HeldScalars.Of(1));
            return (x.add(dropout.forward(ffn.forward(norm2.forward(x))), HeldScalars.Of(1)), a.Weights);
        }
        var b = self_attn.Forward(x, keyPaddingMask: mask, needWeights: needWeights);
        x = norm1.forward(x.add(dropout.forward(b.Context), HeldScalars.Of(1)));
        return (norm2.forward(x.add(dropout.forward(ffn.forward(x)), HeldScalars.Of(1))), b.Weights);
    }
}

/// <summary>Decoder layer: causal self-attention, cross-attention over the encoder memory, feed-forward; pre- or post-norm residuals; optional key/value caches for incremental decoding.</summary>
public sealed class DecoderLayer : nn.Module
{
    readonly MultiHeadAttention self_attn;
    readonly MultiHeadAttention cross_attn;
    readonly FeedForward ffn;
    readonly LayerNorm norm1;
    readonly LayerNorm norm2;
    readonly LayerNorm norm3;
    readonly Dropout dropout;
    readonly bool preNorm;

    /// <summary>Creates the layer.</summary>
    public DecoderLayer(TransformerOptions o) : base("DecoderLayer")
    {
        self_attn = new MultiHeadAttention(o.ModelDim, o.Heads, o.Dropout);
        cross_attn = new MultiHeadAttention(o.ModelDim, o.Heads, o.Dropout);
        ffn = new FeedForward(o.ModelDim, o.FeedForward, o.Dropout);
        norm1 = Layers.LayerNorm(o.ModelDim);
        norm2 = Layers.LayerNorm(o.ModelDim);
        norm3 = Layers.LayerNorm(o.ModelDim);
        dropout = nn.Dropout(o.Dropout);
        preNorm = o.PreNorm;
        RegisterComponents();
    }

    /// <summary>
    /// Decodes <paramref name="x"/> <c>(B, T, D)</c> against <paramref name="memory"/> <c>(B, S, D)</c> with real tokens <paramref name="memoryMask"/>.
    /// With caches, <paramref name="x"/> holds only the new positions and earlier ones come from <paramref name="selfCache"/>. Returns the output and, when asked, the cross-attention weights per head <c>(B, H, T, S)</c>.
    /// </summary>
    public (Tensor Output, Tensor? CrossWeights) Forward(Tensor x, Tensor memory, Tensor memoryMask, bool needWeights = false,
        KeyValueCache? selfCache = null, KeyValueCache? crossCache = null)
    {
        AttentionOutput cross;
        if (preNorm)
        {
            var h = norm1.forward(x);
            x = x.add(dropout.forward(self_attn.Forward(h, causal: true, cache: selfCache).Context), HeldScalars.Of(1));
            cross = cross_attn.Forward(norm2.forward(x), memory, memory, keyPaddingMask: memoryMask, needWeights: needWeights, cache: crossCache);
            x = x.add(dropout.forward(cross.Context), HeldScalars.Of(1));
            return (x.add(dropout.forward(ffn.forward(norm3.forward(x))), HeldScalars.Of(1)), cross.Weights);
        }
        x = norm1.forward(x.add(dropout.forward(self_attn.Forward(x, causal: true, cache: selfCache).Context), HeldScalars.Of(1)));
        cross = cross_attn.Forward(x, memory, memory, keyPaddingMask: memoryMask, needWeights: needWeights, cache: crossCache);
        x = norm2.forward(x.add(dropout.forward(cross.Context), HeldScalars.Of(1)));
        return (norm3.forward(x.add(dropout.forward(ffn.forward(x)), HeldScalars.Of(1))), cross.Weights);
    }
}
