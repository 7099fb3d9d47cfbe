using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Location-based score (Luong et al. 2015, eq. 9): <c>a_t = softmax(W_a h_t)</c>: the scores depend only on the query, one per source position up to <c>maxLength</c>; keys only fix how many positions <c>Tk</c> are used.</summary>
public sealed class LocationScore : AttentionScore
{
    readonly Linear W_a;

    /// <summary>Creates a location score for queries of size <paramref name="queryDim"/> over at most <paramref name="maxLength"/> positions; <paramref name="keyDim"/> is the key feature size accepted.</summary>
    public LocationScore(long queryDim, long keyDim, long maxLength) : base("LocationScore", queryDim, keyDim)
    {
        if (maxLength < 1) throw new ArgumentException($"maxLength must be positive; got {maxLength}");
        MaxLength = maxLength;
        W_a = Layers.Linear(queryDim, maxLength, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Largest number of source positions.</summary>
    public long MaxLength { get; }

    /// <summary>The matrix <c>W_a</c> of shape <c>(maxLength, Dq)</c>.</summary>
    public Linear Projection => W_a;

    /// <inheritdoc />
    protected override Tensor ComputeScores(Tensor query, Tensor preparedKeys)
    {
        long tk = preparedKeys.shape[1];
        if (tk > MaxLength) throw new ArgumentException($"keys must have at most {MaxLength} positions; got {tk}");
        return W_a.forward(query).narrow(2, 0, tk); // (B, Tq, Tk)
    }
}
