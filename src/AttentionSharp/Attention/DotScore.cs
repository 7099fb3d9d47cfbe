using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>Dot score (Luong et al. 2015, eq. 8 "dot"): <c>score(h_t, h_s) = h_t^T h_s</c>.</summary>
public sealed class DotScore : AttentionScore
{
    /// <summary>Creates a dot score over vectors of size <paramref name="dim"/>.</summary>
    public DotScore(long dim) : base("DotScore", dim, dim) { }

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys) => torch.bmm(query, preparedKeys.transpose(1, 2)); // (B, Tq, Tk)
}
