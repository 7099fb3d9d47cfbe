using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Tagging;

/// <summary>
/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017, eq. 1) over a tagger's BiLSTM states, keys
/// restricted to real tokens: <c>softmax(Q K^T / sqrt(d_h)) V</c> per head, then an output projection.
/// </summary>
public sealed class TaggerSelfAttention : nn.Module
{
    readonly Linear qkv, proj;
    readonly int _heads, _dim;

    /// <summary>Creates the layer over states of size <paramref name="dim"/> with <paramref name="heads"/> heads.</summary>
    public TaggerSelfAttention(int dim, int heads) : base(nameof(TaggerSelfAttention))
    {
        if (heads < 1 || dim % heads != 0) throw new ArgumentException($"heads must divide the state size {dim}; got {heads}");
        _heads = heads; _dim = dim;
        qkv = nn.Linear(dim, 3 * dim);
        proj = nn.Linear(dim, dim);
        RegisterComponents();
    }

    /// <summary>Context <c>(B, T, D)</c> and, when asked, the weights <c>(B, heads, T, T)</c>; <paramref name="mask"/> <c>(B, T)</c> is true on real tokens.</summary>
    public (Tensor Context, Tensor? Weights) Attend(Tensor x, Tensor mask, bool needWeights)
    {
        long b = x.shape[0], t = x.shape[1];
        int dh = _dim / _heads;
        var parts = qkv.forward(x).reshape(b, t, 3, _heads, dh).permute(2, 0, 3, 1, 4); // (3, B, Hd, T, Dh)
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var keyMask = mask.reshape(b, 1, 1, t);                                           // (B, 1, 1, T)
        Tensor context;
        Tensor? weights = null;
        if (!needWeights)
        {
            context = nn.functional.scaled_dot_product_attention(q, k, v, keyMask.expand(b, _heads, t, t));
        }
        else
        {
            var scores = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(dh));               // (B, Hd, T, T)
            weights = scores.masked_fill(keyMask.logical_not(), double.NegativeInfinity).softmax(-1);
            context = weights.matmul(v);                                                 // (B, Hd, T, Dh)
        }
        context = context.transpose(1, 2).reshape(b, t, _dim);                           // (B, T, D)
        return (proj.forward(context), weights);
    }
}
