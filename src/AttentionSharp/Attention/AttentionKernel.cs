using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>
/// The functional attention kernel shared by every layer: scores -> mask -> softmax -> dropout -> weighted sum of values
/// (Bahdanau et al. 2015 eq. 5-6; Vaswani et al. 2017 eq. 1: <c>Attention(Q,K,V) = softmax(QK^T / sqrt(d_k)) V</c>).
/// Masks are boolean (true = allowed) or additive floats, broadcastable to the scores; a query with nothing allowed gets zero weights and a zero context.
/// </summary>
public static class AttentionKernel
{
    /// <summary>Softmax over the last dimension of <paramref name="scores"/> after applying <paramref name="mask"/>; rows with nothing allowed become all zeros (never NaN).</summary>
    public static Tensor MaskedSoftmax(Tensor scores, Tensor? mask)
    {
        if (mask is null) return scores.softmax(-1);
        using var scope = torch.NewDisposeScope();
        Tensor allowed;
        Tensor masked;
        if (mask.dtype == ScalarType.Bool)
        {
            allowed = mask;
            masked = scores.masked_fill(mask.logical_not(), HeldScalars.Of(LowestFinite(scores.dtype)));
        }
        else
        {
            allowed = mask > HeldScalars.Of(double.NegativeInfinity);
            masked = scores.add(mask, HeldScalars.Of(1)).masked_fill(allowed.logical_not(), HeldScalars.Of(LowestFinite(scores.dtype)));
        }
        var weights = masked.softmax(-1);
        var anyAllowed = allowed.any(-1, keepdim: true); // (..., Tq, 1)
        weights = weights.masked_fill(anyAllowed.logical_not(), HeldScalars.Of(0.0));
        return weights.MoveToOuterDisposeScope();
    }

    /// <summary>Attention from precomputed scores <c>(..., Tq, Tk)</c> and values <c>(..., Tk, Dv)</c>: masked softmax, dropout (in training), weighted sum. Returns the context <c>(..., Tq, Dv)</c> and, if <paramref name="needWeights"/>, the weights after masking (before dropout).</summary>
    public static AttentionOutput Attend(Tensor scores, Tensor values, Tensor? mask = null, double dropout = 0, bool training = false, bool needWeights = true)
    {
        if (scores.dim() < 2 || values.dim() != scores.dim() || values.shape[^2] != scores.shape[^1])
            throw new ArgumentException($"scores must be (..., Tq, Tk) and values (..., Tk, Dv) with the same rank and Tk; got scores {AttentionMask.Shape(scores)}, values {AttentionMask.Shape(values)}");
        var weights = MaskedSoftmax(scores, mask);
        var used = dropout > 0 && training ? nn.functional.dropout(weights, dropout, true) : weights;
        var context = torch.matmul(used, values); // (..., Tq, Dv)
        return new AttentionOutput(context, needWeights ? weights : null);
    }

    /// <summary>
    /// Scaled dot-product attention of <paramref name="query"/> <c>(..., Tq, D)</c>, <paramref name="key"/> <c>(..., Tk, D)</c>, <paramref name="value"/> <c>(..., Tk, Dv)</c>.
    /// Uses the fused <c>scaled_dot_product_attention</c> kernel unless weights are requested. <paramref name="causal"/> is bottom-right aligned (see <see cref="AttentionMask.Causal"/>); <paramref name="scale"/> defaults to <c>1/sqrt(D)</c>.
    /// </summary>
    public static AttentionOutput ScaledDotProduct(Tensor query, Tensor key, Tensor value, Tensor? mask = null, bool causal = false,
        double dropout = 0, bool training = false, bool needWeights = false, double? scale = null)
    {
        if (query.dim() < 2 || key.dim() != query.dim() || value.dim() != query.dim() || key.shape[^1] != query.shape[^1] || key.shape[^2] != value.shape[^2])
            throw new ArgumentException($"query must be (..., Tq, D), key (..., Tk, D), value (..., Tk, Dv) of equal rank; got query {AttentionMask.Shape(query)}, key {AttentionMask.Shape(key)}, value {AttentionMask.Shape(value)}");
        long tq = query.shape[^2], tk = key.shape[^2], d = query.shape[^1];
        double defaultScale = 1.0 / Math.Sqrt(d);
        double s = scale ?? defaultScale;
        double p = training ? dropout : 0.0;

        if (!needWeights)
        {
            var q = scale is null || Math.Abs(s - defaultScale) < 1e-15 ? query : query.mul(HeldScalars.Of(s / defaultScale));
            if (mask is null && causal && tq == tk)
                return new AttentionOutput(nn.functional.scaled_dot_product_attention(q, key, value, null, p, is_casual: true), null);
            var full = causal ? AttentionMask.Combine(mask, AttentionMask.Causal(tq, tk, query.device)) : mask;
            if (full is null)
                return new AttentionOutput(nn.functional.scaled_dot_product_attention(q, key, value, null, p, false), null);
            // Rows with nothing allowed would give NaN in the fused kernel: let them attend everywhere, then zero them.
            var allowed = AttentionMask.Allowed(full);
            var empty = allowed.any(-1, keepdim: true).logical_not(); // (..., Tq, 1)
            Tensor safe = full.dtype == ScalarType.Bool ? full.logical_or(empty) : full.masked_fill(empty, HeldScalars.Of(0.0));
            if (safe.dtype != ScalarType.Bool && safe.dtype != q.dtype) safe = safe.to(q.dtype);
            var ctx = nn.functional.scaled_dot_product_attention(q, key, value, safe, p, false);
            return new AttentionOutput(ctx.masked_fill(empty, HeldScalars.Of(0.0)), null);
        }

        var scores = torch.matmul(query, key.transpose(-2, -1)).mul(HeldScalars.Of(s)); // (..., Tq, Tk)
        var m = causal ? AttentionMask.Combine(mask, AttentionMask.Causal(tq, tk, query.device)) : mask;
        return Attend(scores, value, m, dropout, training, needWeights: true);
    }

    internal static double LowestFinite(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => double.MinValue,
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.38e38,
        _ => float.MinValue,
    };
}
