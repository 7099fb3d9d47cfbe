using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>General (multiplicative) score (Luong et al. 2015, eq. 8 "general"): <c>score(h_t, h_s) = h_t^T W_a h_s</c>; <c>W_a h_s</c> is prepared once per sequence.</summary>
public sealed class GeneralScore : AttentionScore
{
    readonly Linear W_a;

    /// <summary>Creates a general score between queries of size <paramref name="queryDim"/> and keys of size <paramref name="keyDim"/> (default: same).</summary>
    public GeneralScore(long queryDim, long? keyDim = null) : base("GeneralScore", queryDim, keyDim ?? queryDim)
    {
        W_a = Layers.Linear(KeyDim, QueryDim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The matrix <c>W_a</c> as a <c>(Dq, Dk)</c> linear map of keys.</summary>
    public Linear Projection => W_a;

    /// <inheritdoc />
    protected override Tensor ProjectKeys(Tensor keys) => W_a.forward(keys); // (B, Tk, Dq)

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys) => torch.bmm(query, preparedKeys.transpose(1, 2)); // (B, Tq, Tk)
}
