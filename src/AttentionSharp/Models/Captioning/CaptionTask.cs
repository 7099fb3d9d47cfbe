using AttentionSharp.Native;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Captioning;

/// <summary>
/// Trains a <see cref="ShowAttendTell"/> by the losses of Xu et al. 2015, summed over a caption's words and averaged over the
/// batch. Soft (eq. 14): <c>L = -log p(y | a) + lambda sum_i (1 - sum_t alpha_ti)^2</c>, the sums over the caption's real
/// steps (EOS included). Hard (eq. 12 with the section 4.1 variance reductions): <c>L = -log p(y | s, a) - lambda_r (R - b) sum_t
/// log p(s_t) - lambda_e sum_t H[alpha_t]</c> with the reward <c>R = log p(y | s, a)</c> (no gradient), the moving-average
/// baseline b (<see cref="ShowAttendTell.RewardBaseline"/>) and the REINFORCE term only on the images whose locations were
/// sampled. Metrics: <c>nll</c> (per caption), <c>token_error</c>; in evaluation also <c>caption_error</c>, the share of greedy
/// captions that equal none of the image's references (needs the references).
/// </summary>
/// <param name="Network">The model.</param>
/// <param name="References">Per validation example, its references (for <c>caption_error</c>); null: not reported.</param>
/// <param name="Vocabulary">Ids to words (for <c>caption_error</c>).</param>
public sealed class CaptionTask(ShowAttendTell Network, string[][]? References = null, CaptionVocabulary? Vocabulary = null) : ITrainable<CaptionBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Network;

    /// <summary>The doubly stochastic penalty <c>sum_i (1 - sum_t alpha_ti)^2</c> per caption <c>(B)</c>, from alpha <c>(B, T, L)</c> and the real steps <c>(B, T)</c> (1 = real).</summary>
    public static Tensor DoublyStochastic(Tensor weights, Tensor stepMask)
    {
        var total = (weights * stepMask.unsqueeze(2)).sum(1);                      // (B, L): sum_t alpha_ti
        var gap = torch.ones_like(total) - total;                                  // (B, L)
        return (gap * gap).sum(1);                                                 // (B)
    }

    static Tensor Times(Tensor t, double x)
    {
        using var s = x.ToScalar();
        return t.mul(s);
    }

    /// <summary>The loss of a batch and its parts: per-caption NLL <c>(B)</c>, the step mask <c>(B, T)</c> and the pass.</summary>
    public (Tensor Loss, Tensor Nll, Tensor StepMask, CaptionPass Pass) Loss(CaptionBatch batch)
    {
        var o = Network.Options;
        var pass = Network.Forward(batch.Images, batch.Inputs);
        long b = batch.Targets.shape[0], t = batch.Targets.shape[1];
        var mask = batch.Targets.ne(HeldScalars.Of(CaptionVocabulary.Pad)).to(pass.Logits.dtype);                     // (B, T)
        var ce = nn.functional.cross_entropy(pass.Logits.reshape(b * t, -1), batch.Targets.reshape(b * t),
            ignore_index: CaptionVocabulary.Pad, reduction: nn.Reduction.None).view(b, t);           // (B, T)
        var nll = (ce * mask).sum(1);                                                                 // (B)
        var loss = nll.mean();
        if (o.Attention == CaptionAttention.Soft && o.DoublyStochastic > 0 && pass.Weights is not null)
            loss = loss.add(Times(DoublyStochastic(pass.Weights, mask).mean(), o.DoublyStochastic), HeldScalars.Of(1));
        if (o.Attention == CaptionAttention.Hard && Network.training && pass.SelectedLogProb is not null)
        {
            var reward = nll.detach().neg();                                                          // (B) R = log p(y | s, a)
            double meanReward = reward.mean().item<float>();
            var stats = Network.RewardBaseline.to(ScalarType.Float64).cpu().data<double>().ToArray();
            double baseline = stats[1] == 0 ? meanReward : stats[0];
            using (var bs = baseline.ToScalar())
            {
                var advantage = reward.sub(bs) * pass.Sampled!.to(reward.dtype);                     // (B)
                var logp = (pass.SelectedLogProb * mask).sum(1);                                      // (B)
                loss = loss - Times((advantage * logp).mean(), o.ReinforceWeight);
            }
            if (o.EntropyBonus > 0) loss = loss - Times((pass.Entropy! * mask).sum(1).mean(), o.EntropyBonus);
            double next = stats[1] == 0 ? meanReward : o.BaselineDecay * baseline + (1 - o.BaselineDecay) * meanReward;
            using (torch.no_grad())
                Network.RewardBaseline.copy_(torch.tensor(new float[] { (float)next, (float)(stats[1] + 1) }).to(Network.RewardBaseline.device));
        }
        return (loss, nll, mask, pass);
    }

    /// <inheritdoc />
    public StepOutput TrainStep(CaptionBatch batch)
    {
        var (loss, nll, mask, pass) = Loss(batch);
        return new StepOutput(loss, batch.Indices.Length, Sums(batch, nll, mask, pass));
    }

    /// <inheritdoc />
    public StepOutput EvalStep(CaptionBatch batch)
    {
        var (loss, nll, mask, pass) = Loss(batch);
        var sums = Sums(batch, nll, mask, pass);
        if (References != null && Vocabulary != null)
        {
            var hyps = Network.Caption(batch.Images);
            double wrong = 0;
            for (int k = 0; k < hyps.Count; k++)
            {
                string caption = Vocabulary.Decode(hyps[k].Tokens);
                if (!CaptionMetrics.IsExact(caption, References[batch.Indices[k]])) wrong++;
            }
            sums["caption_error"] = wrong;
        }
        return new StepOutput(loss, batch.Indices.Length, sums);
    }

    static Dictionary<string, double> Sums(CaptionBatch batch, Tensor nll, Tensor mask, CaptionPass pass)
    {
        var wrongTokens = pass.Logits.argmax(2).ne(batch.Targets).to(mask.dtype) * mask;               // (B, T)
        var tokenError = (wrongTokens.sum(1) / mask.sum(1)).sum();
        return new Dictionary<string, double> { ["nll"] = nll.sum().item<float>(), ["token_error"] = tokenError.item<float>() };
    }
}
