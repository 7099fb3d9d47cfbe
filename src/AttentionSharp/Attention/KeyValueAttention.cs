using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>
/// Soft key-value attention with any <see cref="AttentionScore"/> (Bahdanau et al. 2015, eq. 5-6; Luong et al. 2015, eq. 7):
/// <c>alpha = softmax(score(q, K))</c>, <c>c = sum_j alpha_j v_j</c>. Keys and values are separate (pass the same tensor for classic encoder-state attention).
/// A query may be a single step <c>(B, Dq)</c> (context <c>(B, Dv)</c>, weights <c>(B, Tk)</c>) or a sequence <c>(B, Tq, Dq)</c>.
/// </summary>
public sealed class KeyValueAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly AttentionScore score;
    readonly double dropout;

    /// <summary>Creates soft attention with the given score function and dropout on the weights (training only).</summary>
    public KeyValueAttention(AttentionScore score, double dropout = 0.0) : base("KeyValueAttention")
    {
        if (dropout < 0 || dropout >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {dropout}");
        this.score = score;
        this.dropout = dropout;
        RegisterComponents();
    }

    /// <summary>The score function.</summary>
    public AttentionScore Score => score;

    /// <summary>Context only, no mask: see <see cref="Forward"/>.</summary>
    public override Tensor forward(Tensor query, Tensor keys, Tensor values) => Forward(query, keys, values, null, needWeights: false).Context;

    /// <summary>
    /// Attends <paramref name="query"/> <c>(B, Dq)</c> or <c>(B, Tq, Dq)</c> over <paramref name="keys"/> <c>(B, Tk, Dk)</c> and <paramref name="values"/> <c>(B, Tk, Dv)</c>.
    /// <paramref name="mask"/>: <c>(B, Tk)</c> key padding or <c>(B, Tq, Tk)</c>, boolean (true = allowed) or additive.
    /// </summary>
    public AttentionOutput Forward(Tensor query, Tensor keys, Tensor values, Tensor? mask = null, bool needWeights = true)
        => ForwardPrepared(query, score.PrepareKeys(keys), values, mask, needWeights);

    /// <summary>As <see cref="Forward"/>, with keys already passed through <see cref="AttentionScore.PrepareKeys"/> (compute once per source sequence, reuse at every decoder step).</summary>
    public AttentionOutput ForwardPrepared(Tensor query, Tensor preparedKeys, Tensor values, Tensor? mask = null, bool needWeights = true)
    {
        bool single = query.dim() == 2;
        if (single) query = query.unsqueeze(1); // (B, 1, Dq)
        if (values.dim() != 3 || values.shape[0] != query.shape[0] || values.shape[1] != preparedKeys.shape[1])
            throw new ArgumentException($"values must be (batch={query.shape[0]}, time={preparedKeys.shape[1]}, dim); got {AttentionMask.Shape(values)}");
        var scores = score.Score(query, preparedKeys); // (B, Tq, Tk)
        var m = NormalizeMask(mask, scores);
        var output = AttentionKernel.Attend(scores, values, m, dropout, training, needWeights);
        if (!single) return output;
        return new AttentionOutput(output.Context.squeeze(1), output.Weights?.squeeze(1)); // (B, Dv), (B, Tk)
    }

    internal static Tensor? NormalizeMask(Tensor? mask, Tensor scores)
    {
        if (mask is null) return null;
        long b = scores.shape[0], tq = scores.shape[1], tk = scores.shape[2];
        if (mask.dim() == 2 && mask.shape[0] == b && mask.shape[1] == tk) return mask.unsqueeze(1); // (B, 1, Tk)
        if (mask.dim() == 3 && mask.shape[0] == b && (mask.shape[1] == tq || mask.shape[1] == 1) && mask.shape[2] == tk) return mask;
        throw new ArgumentException($"mask must be (batch={b}, keys={tk}) or (batch={b}, queries={tq}, keys={tk}); got {AttentionMask.Shape(mask)}");
    }
}
