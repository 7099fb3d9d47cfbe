using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Cosine score (content-based addressing, Graves et al. 2014 "Neural Turing Machines", eq. 6): <c>score(q, k) = scale * q.k / (|q| |k|)</c>.</summary>
public sealed class CosineScore : AttentionScore
{
    readonly double scale;
    readonly double eps;

    /// <summary>Creates a cosine score over vectors of size <paramref name="dim"/>, multiplied by <paramref name="scale"/> (the sharpness beta); <paramref name="eps"/> guards zero vectors.</summary>
    public CosineScore(long dim, double scale = 1.0, double eps = 1e-8) : base("CosineScore", dim, dim)
    {
        this.scale = scale;
        this.eps = eps;
    }

    /// <inheritdoc />
    protected override Tensor ProjectKeys(Tensor keys) => keys / keys.norm(-1, true).clamp_min(HeldScalars.Of(eps)); // (B, Tk, D), unit rows

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys)
    {
        var q = query / query.norm(-1, true).clamp_min(HeldScalars.Of(eps));             // (B, Tq, D)
        return torch.bmm(q, preparedKeys.transpose(1, 2)).mul(HeldScalars.Of(scale));      // (B, Tq, Tk)
    }
}
