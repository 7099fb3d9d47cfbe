using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Additive score (Bahdanau et al. 2015, eq. 6 / appendix A.1.2): <c>e = v_a^T tanh(W_a s + U_a h)</c>. The key projection <c>U_a h</c> is prepared once per sequence and reused across decoder steps.</summary>
public sealed class AdditiveScore : AttentionScore
{
    readonly Linear W_a;
    readonly Linear U_a;
    readonly Linear v_a;

    /// <summary>Creates an additive score with queries of size <paramref name="queryDim"/>, keys of size <paramref name="keyDim"/> and hidden size <paramref name="hiddenDim"/>.</summary>
    public AdditiveScore(long queryDim, long keyDim, long hiddenDim) : base("AdditiveScore", queryDim, keyDim)
    {
        if (hiddenDim < 1) throw new ArgumentException($"hiddenDim must be positive; got {hiddenDim}");
        HiddenDim = hiddenDim;
        W_a = Layers.Linear(queryDim, hiddenDim, hasBias: false);
        U_a = Layers.Linear(keyDim, hiddenDim, hasBias: true);
        v_a = Layers.Linear(hiddenDim, 1, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Hidden size of the tanh layer.</summary>
    public long HiddenDim { get; }

    /// <summary>The query projection <c>W_a</c>.</summary>
    public Linear QueryProjection => W_a;

    /// <summary>The key projection <c>U_a</c> (with the bias).</summary>
    public Linear KeyProjection => U_a;

    /// <summary>The output vector <c>v_a</c>.</summary>
    public Linear Vector => v_a;

    /// <inheritdoc />
    protected override Tensor ProjectKeys(Tensor keys) => U_a.forward(keys); // (B, Tk, H)

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys)
    {
        if (preparedKeys.shape[2] != HiddenDim)
            throw new ArgumentException($"prepared keys must be (batch, time, {HiddenDim}) from PrepareKeys; got {AttentionMask.Shape(preparedKeys)}");
        var q = W_a.forward(query).unsqueeze(2);             // (B, Tq, 1, H)
        var hidden = q.add(preparedKeys.unsqueeze(1), HeldScalars.Of(1)).tanh();  // (B, Tq, Tk, H)
        return v_a.forward(hidden).squeeze(-1);               // (B, Tq, Tk)
    }
}
