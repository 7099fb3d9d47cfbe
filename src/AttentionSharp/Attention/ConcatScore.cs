using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Concat score (Luong et al. 2015, eq. 8 "concat"): <c>score(h_t, h_s) = v_a^T tanh(W_a [h_t; h_s])</c>. <c>W_a</c> is split into its query and key columns so the key part is prepared once and no <c>(Tq, Tk, Dq+Dk)</c> concatenation is built.</summary>
public sealed class ConcatScore : AttentionScore
{
    readonly Linear W_a;
    readonly Linear v_a;

    /// <summary>Creates a concat score with queries of size <paramref name="queryDim"/>, keys of size <paramref name="keyDim"/> and hidden size <paramref name="hiddenDim"/>.</summary>
    public ConcatScore(long queryDim, long keyDim, long hiddenDim) : base("ConcatScore", queryDim, keyDim)
    {
        if (hiddenDim < 1) throw new ArgumentException($"hiddenDim must be positive; got {hiddenDim}");
        HiddenDim = hiddenDim;
        W_a = Layers.Linear(queryDim + keyDim, hiddenDim, hasBias: false);
        v_a = Layers.Linear(hiddenDim, 1, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Hidden size of the tanh layer.</summary>
    public long HiddenDim { get; }

    /// <summary>The matrix <c>W_a</c> of shape <c>(H, Dq + Dk)</c> applied to <c>[h_t; h_s]</c>.</summary>
    public Linear Projection => W_a;

    /// <summary>The output vector <c>v_a</c>.</summary>
    public Linear Vector => v_a;

    /// <inheritdoc />
    protected override Tensor ProjectKeys(Tensor keys)
    {
        var wk = W_a.weight!.narrow(1, QueryDim, KeyDim);       // (H, Dk)
        return nn.functional.linear(keys, wk);                  // (B, Tk, H)
    }

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys)
    {
        if (preparedKeys.shape[2] != HiddenDim)
            throw new ArgumentException($"prepared keys must be (batch, time, {HiddenDim}) from PrepareKeys; got {AttentionMask.Shape(preparedKeys)}");
        var wq = W_a.weight!.narrow(1, 0, QueryDim);                          // (H, Dq)
        var q = nn.functional.linear(query, wq).unsqueeze(2);                 // (B, Tq, 1, H)
        var hidden = q.add(preparedKeys.unsqueeze(1), HeldScalars.Of(1)).tanh();                  // (B, Tq, Tk, H)
        return v_a.forward(hidden).squeeze(-1);                               // (B, Tq, Tk)
    }
}
