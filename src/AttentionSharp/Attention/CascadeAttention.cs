using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>What cascade attention returns.</summary>
/// <param name="Context">The top-level vector <c>(B, D)</c>.</param>
/// <param name="Weights">Every level's weights, innermost first: level 0 <c>(B, N_1, ..., N_L)</c> (e.g. words per sentence), level 1 <c>(B, N_1, ..., N_{L-1})</c>, ..., last <c>(B, N_1)</c>.</param>
public readonly record struct CascadeAttentionOutput(Tensor Context, IReadOnlyList<Tensor> Weights);

/// <summary>
/// Cascade (hierarchical, multi-level) attention (Yang et al. 2016, "Hierarchical Attention Networks", eq. 5-10): each level is an
/// <see cref="AttentionPooling"/> that pools the previous level's outputs (words -> sentences -> document), optionally with an encoder
/// (e.g. a bidirectional GRU, <c>(N, T, D) -> (N, T, D')</c>) run over each level's sequence before it is pooled.
/// </summary>
public sealed class CascadeAttention : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.ModuleList<AttentionPooling> levels;
    readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> encoders;

    /// <summary>Creates a cascade of <paramref name="levels"/> (innermost first); <paramref name="encoders"/> (same count, null entries = none) run on each level's input sequence before its pooling.</summary>
    public CascadeAttention(IReadOnlyList<AttentionPooling> levels, IReadOnlyList<nn.Module<Tensor, Tensor>?>? encoders = null) : base("CascadeAttention")
    {
        if (levels.Count < 1) throw new ArgumentException("levels must hold at least one AttentionPooling; got 0");
        if (encoders is not null && encoders.Count != levels.Count)
            throw new ArgumentException($"encoders must have one entry per level ({levels.Count}); got {encoders.Count}");
        this.levels = nn.ModuleList(levels.ToArray());
        this.encoders = nn.ModuleList((encoders ?? new nn.Module<Tensor, Tensor>?[levels.Count]).Select(e => e ?? nn.Identity()).ToArray());
        RegisterComponents();
    }

    /// <summary>Number of levels <c>L</c>.</summary>
    public int Levels => levels.Count;

    /// <summary>The top-level vector. See <see cref="Forward"/>.</summary>
    public override Tensor forward(Tensor inputs) => Forward(inputs).Context;

    /// <summary>Pools <paramref name="inputs"/> <c>(B, N_1, ..., N_L, D)</c> level by level; <paramref name="mask"/> <c>(B, N_1, ..., N_L)</c> true = valid innermost element (a unit with no valid element is itself masked at the next level).</summary>
    public CascadeAttentionOutput Forward(Tensor inputs, Tensor? mask = null)
    {
        int l = levels.Count;
        if (inputs.dim() != l + 2 || inputs.shape[^1] != levels[0].InputDim)
            throw new ArgumentException($"inputs must have {l + 2} dimensions (batch, {l} nested lengths, dim={levels[0].InputDim}); got {AttentionMask.Shape(inputs)}");
        if (mask is not null && !mask.shape.SequenceEqual(inputs.shape[..^1]))
            throw new ArgumentException($"mask must be ({string.Join(", ", inputs.shape[..^1])}); got {AttentionMask.Shape(mask)}");
        var x = inputs;
        var m = mask;
        var weights = new List<Tensor>();
        for (int i = 0; i < l; i++)
        {
            var outer = x.shape[..^2];                    // (B, N_1, ..., N_{L-i-1})
            long t = x.shape[^2], d = x.shape[^1];
            var flat = x.reshape(-1, t, d);              // (B * prod(outer), T, D)
            var flatMask = m?.reshape(-1, t);            // (B * prod(outer), T)
            flat = encoders[i].forward(flat);            // (N, T, D')
            var pooled = levels[i].Forward(flat, flatMask);
            long dOut = pooled.Context.shape[^1];
            x = pooled.Context.reshape([.. outer, dOut]); // (B, N_1, ..., D')
            weights.Add(pooled.Weights!.reshape([.. outer, t]));
            m = m?.any(-1);                              // (B, N_1, ...)
        }
        return new CascadeAttentionOutput(x, weights);
    }
}
