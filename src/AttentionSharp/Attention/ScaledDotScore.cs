using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Scaled dot score (Vaswani et al. 2017, eq. 1): <c>score(q, k) = q^T k / sqrt(d_k)</c>.</summary>
public sealed class ScaledDotScore : AttentionScore
{
    readonly double scale;

    /// <summary>Creates a scaled dot score over vectors of size <paramref name="dim"/>; <paramref name="scale"/> defaults to <c>1/sqrt(dim)</c>.</summary>
    public ScaledDotScore(long dim, double? scale = null) : base("ScaledDotScore", dim, dim) => this.scale = scale ?? 1.0 / Math.Sqrt(dim);

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys) => torch.bmm(query, preparedKeys.transpose(1, 2)).mul(HeldScalars.Of(scale)); // (B, Tq, Tk)
}
