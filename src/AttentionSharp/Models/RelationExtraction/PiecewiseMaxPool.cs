using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>
/// Piecewise max pooling (Zeng et al. 2015, eq. 2-3): each filter's outputs over a sentence are split into pieces by the two
/// entities, and the maximum is taken within each piece, <c>p_ij = max_{t in piece j} c_it</c>; the pooled vector lists,
/// for each filter i, its maxima over pieces j = 1..n. With one piece this is the plain max pooling of a CNN (Zeng 2014).
/// Padding positions belong to no piece; an empty piece pools to 0 (no gradient).
/// </summary>
public static class PiecewiseMaxPool
{
    static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
    static readonly Scalar Zero = 0f.ToScalar();

    /// <summary>
    /// Pools <paramref name="features"/> <c>(S, K, L)</c> by <paramref name="segments"/> <c>(S, L)</c> (int64: piece 1..n of each
    /// position, 0 = padding) into <c>(S, K * n)</c>, filter-major (<c>[p_11, .., p_1n, p_21, ...]</c>).
    /// </summary>
    public static Tensor Apply(Tensor features, Tensor segments, int pieces)
    {
        if (features.dim() != 3 || segments.dim() != 2 || segments.shape[0] != features.shape[0] || segments.shape[1] != features.shape[2])
            throw new ArgumentException($"features must be (S, K, L) and segments (S, L); got {Shape(features)} and {Shape(segments)}");
        if (pieces < 1) throw new ArgumentException($"pieces must be >= 1; got {pieces}");
        using var scope = NewDisposeScope();
        long s = features.shape[0], k = features.shape[1];
        var inPiece = nn.functional.one_hot(segments, pieces + 1).narrow(-1, 1, pieces).to(ScalarType.Bool);  // (S, L, n)
        var blocked = inPiece.logical_not().unsqueeze(1);                                                      // (S, 1, L, n)
        var pooled = features.unsqueeze(-1).masked_fill(blocked, NegativeInfinity).amax([2]);                  // (S, K, n)
        var empty = inPiece.any(1).logical_not().unsqueeze(1);                                                 // (S, 1, n)
        pooled = pooled.masked_fill(empty, Zero);
        return pooled.reshape(s, k * pieces).MoveToOuterDisposeScope();                                        // (S, K n)
    }

    /// <summary>
    /// The pieces of a sentence of <paramref name="length"/> tokens (padded to <paramref name="padded"/>) with entities at token
    /// spans <c>[s1, e1)</c> and <c>[s2, e2)</c>: 1 up to the end of the entity that starts first, 2 up to the end of the other,
    /// 3 after it (Zeng 2015's three segments, each entity closing its segment), 0 on padding; all 1 when <paramref name="pieces"/> is 1.
    /// </summary>
    public static long[] Segments(int length, int padded, (int Start, int End) head, (int Start, int End) tail, int pieces)
    {
        var seg = new long[padded];
        var (first, second) = head.Start <= tail.Start ? (head, tail) : (tail, head);
        int cut1 = first.End, cut2 = Math.Max(first.End, second.End);
        for (int i = 0; i < length; i++) seg[i] = pieces == 1 ? 1 : i < cut1 ? 1 : i < cut2 ? 2 : 3;
        return seg;
    }

    static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}
