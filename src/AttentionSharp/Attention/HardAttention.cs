using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>How <see cref="HardAttention"/> selects a position in training.</summary>
public enum HardAttentionMode
{
    /// <summary>Sample from the attention distribution; gradients reach the scores only through <see cref="HardAttentionOutput.LogProb"/> (REINFORCE).</summary>
    Reinforce,

    /// <summary>Straight-through Gumbel-softmax: a one-hot selection forward, the gradient of the relaxed softmax backward.</summary>
    GumbelStraightThrough,
}

/// <summary>What hard attention returns.</summary>
/// <param name="Context">The selected value, <c>(B, Tq, Dv)</c> (or <c>(B, Dv)</c> for a single-step query); zero for a query with nothing allowed.</param>
/// <param name="Index">Selected key position <c>(B, Tq)</c> (int64).</param>
/// <param name="LogProb">Log-probability of the selected position under the attention distribution, <c>(B, Tq)</c>; 0 where nothing is allowed.</param>
/// <param name="Entropy">Entropy of the attention distribution, <c>(B, Tq)</c>.</param>
/// <param name="Probabilities">The attention distribution <c>(B, Tq, Tk)</c>.</param>
/// <param name="Selection">The selection weights used for the context, <c>(B, Tq, Tk)</c>: one-hot (straight-through in Gumbel mode).</param>
public readonly record struct HardAttentionOutput(Tensor Context, Tensor Index, Tensor LogProb, Tensor Entropy, Tensor Probabilities, Tensor Selection);

/// <summary>
/// Hard (stochastic) attention (Xu et al. 2015, "Show, Attend and Tell", section 4.1; Mnih et al. 2014 for the REINFORCE rule):
/// <c>s ~ Multinoulli(alpha)</c>, <c>z = sum_i s_i a_i</c>, trained with <c>grad log p(s)</c> times a reward, plus an entropy bonus;
/// or with the straight-through Gumbel-softmax estimator (Jang et al. 2017): <c>y = softmax((log alpha + g) / tau)</c>, forward one-hot <c>argmax y</c>.
/// In evaluation mode it takes the most likely position.
/// </summary>
public sealed class HardAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly AttentionScore score;

    /// <summary>Creates hard attention over the given score, in <paramref name="mode"/>, with Gumbel temperature <paramref name="temperature"/>.</summary>
    public HardAttention(AttentionScore score, HardAttentionMode mode = HardAttentionMode.Reinforce, double temperature = 1.0) : base("HardAttention")
    {
        if (temperature <= 0) throw new ArgumentException($"temperature must be positive; got {temperature}");
        this.score = score;
        Mode = mode;
        Temperature = temperature;
        RegisterComponents();
    }

    /// <summary>The score function.</summary>
    public AttentionScore Score => score;

    /// <summary>The training-time selection rule.</summary>
    public HardAttentionMode Mode { get; }

    /// <summary>The Gumbel-softmax temperature <c>tau</c>.</summary>
    public double Temperature { get; }

    /// <summary>The selected values only. See <see cref="Forward"/>.</summary>
    public override Tensor forward(Tensor query, Tensor keys, Tensor values) => Forward(query, keys, values).Context;

    /// <summary>Selects one key per query: <paramref name="query"/> <c>(B, Dq)</c> or <c>(B, Tq, Dq)</c>, <paramref name="keys"/> <c>(B, Tk, Dk)</c>, <paramref name="values"/> <c>(B, Tk, Dv)</c>, <paramref name="mask"/> <c>(B, Tk)</c> or <c>(B, Tq, Tk)</c> (true = allowed).</summary>
    public HardAttentionOutput Forward(Tensor query, Tensor keys, Tensor values, Tensor? mask = null)
    {
        bool single = query.dim() == 2;
        if (single) query = query.unsqueeze(1); // (B, 1, Dq)
        var prepared = score.PrepareKeys(keys);
        if (values.dim() != 3 || values.shape[0] != query.shape[0] || values.shape[1] != keys.shape[1])
            throw new ArgumentException($"values must be (batch={query.shape[0]}, time={keys.shape[1]}, dim); got {AttentionMask.Shape(values)}");
        var scores = score.Score(query, prepared); // (B, Tq, Tk)
        var m = KeyValueAttention.NormalizeMask(mask, scores);
        var output = Select(scores, values, m, training, Mode, Temperature);
        if (!single) return output;
        return output with
        {
            Context = output.Context.squeeze(1), Index = output.Index.squeeze(1), LogProb = output.LogProb.squeeze(1),
            Entropy = output.Entropy.squeeze(1), Probabilities = output.Probabilities.squeeze(1), Selection = output.Selection.squeeze(1),
        };
    }

    /// <summary>
    /// Hard selection from unnormalised <paramref name="scores"/> <c>(..., Tk)</c> over <paramref name="values"/> <c>(..., Tk, Dv)</c> with an optional boolean/additive <paramref name="mask"/>:
    /// samples (training) or takes the argmax (evaluation); returns the selected values, index, log-probability, entropy, distribution and selection weights.
    /// </summary>
    public static HardAttentionOutput Select(Tensor scores, Tensor values, Tensor? mask, bool training, HardAttentionMode mode = HardAttentionMode.Reinforce, double temperature = 1.0)
    {
        long tk = scores.shape[^1];
        Tensor allowed = mask is null ? torch.ones_like(scores, dtype: ScalarType.Bool) : AttentionMask.Allowed(mask).expand_as(scores);
        var masked = mask is null ? scores : mask.dtype == ScalarType.Bool ? scores : scores.add(mask, HeldScalars.Of(1));
        masked = masked.masked_fill(allowed.logical_not(), HeldScalars.Of(AttentionKernel.LowestFinite(scores.dtype)));
        var empty = allowed.any(-1).logical_not();                                   // (...)
        var logp = masked.log_softmax(-1).masked_fill(allowed.logical_not(), HeldScalars.Of(0.0));   // (..., Tk), 0 where blocked
        var probs = logp.exp().masked_fill(allowed.logical_not(), HeldScalars.Of(0.0)).masked_fill(empty.unsqueeze(-1), HeldScalars.Of(0.0));
        var entropy = -(probs * logp).sum(-1);                                       // (...)

        Tensor index;
        Tensor selection;
        var flatShape = scores.shape;
        if (!training)
        {
            index = masked.argmax(-1); // (...)
            selection = nn.functional.one_hot(index, tk).to(scores.dtype);
        }
        else if (mode == HardAttentionMode.Reinforce)
        {
            using (torch.no_grad())
            {
                var sampling = probs.masked_fill(empty.unsqueeze(-1), HeldScalars.Of(1.0)).reshape(-1, tk); // (N, Tk); empty rows sample anything
                index = sampling.multinomial(1).view(flatShape[..^1]);                     // (...)
            }
            selection = nn.functional.one_hot(index, tk).to(scores.dtype);
        }
        else
        {
            Tensor gumbel;
            using (torch.no_grad())
            {
                var u = torch.rand_like(masked).clamp(HeldScalars.Of(1e-10), HeldScalars.Of(1.0 - 1e-10));
                gumbel = -(-u.log()).log();
            }
            var soft = masked.log_softmax(-1).add(gumbel, HeldScalars.Of(1)).div(HeldScalars.Of(temperature)).masked_fill(allowed.logical_not(), HeldScalars.Of(AttentionKernel.LowestFinite(scores.dtype))).softmax(-1);
            index = soft.argmax(-1);
            var hard = nn.functional.one_hot(index, tk).to(scores.dtype);
            selection = (hard - soft.detach()).add(soft, HeldScalars.Of(1)); // straight-through
        }
        selection = selection.masked_fill(empty.unsqueeze(-1), HeldScalars.Of(0.0));
        var logProb = logp.gather(-1, index.unsqueeze(-1)).squeeze(-1).masked_fill(empty, HeldScalars.Of(0.0)); // (...)
        var context = torch.matmul(selection, values);                                          // (..., Dv) per query
        return new HardAttentionOutput(context, index, logProb, entropy, probs, selection);
    }
}
