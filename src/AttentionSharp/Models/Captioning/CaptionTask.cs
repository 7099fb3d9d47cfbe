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
/// sampled. A <see cref="CaptionReferenceChoice.MinLoss"/> batch is first reduced to the likeliest reference of each image
/// (<see cref="ChooseReferences"/>). Metrics: <c>nll</c> (per caption), <c>token_error</c>; in min-loss training also
/// <c>first_reference</c>, the share of images trained on their first reference; in evaluation also <c>caption_error</c>, the share of greedy
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

    /// <summary>The negative log-likelihood per caption <c>(B)</c> of <paramref name="targets"/> <c>(B, T)</c> under <paramref name="logits"/> <c>(B, T, V)</c>, and the step mask <c>(B, T)</c>.</summary>
    static (Tensor Nll, Tensor StepMask) CaptionNll(Tensor logits, Tensor targets)
    {
        long b = targets.shape[0], t = targets.shape[1];
        var mask = targets.ne(HeldScalars.Of(CaptionVocabulary.Pad)).to(logits.dtype);                                  // (B, T)
        var ce = nn.functional.cross_entropy(logits.reshape(b * t, -1), targets.reshape(b * t),
            ignore_index: CaptionVocabulary.Pad, reduction: nn.Reduction.None).view(b, t);           // (B, T)
        return ((ce * mask).sum(1), mask);
    }

    /// <summary>
    /// A <see cref="CaptionReferenceChoice.MinLoss"/> batch turned into an ordinary one: each image keeps the reference of its
    /// <see cref="CaptionBatch.AlternativeTargets"/> with the lowest NLL under the current model (scored without gradient, in
    /// one pass over all references, in the model's current mode, with its buffers restored afterwards so that batch norm's
    /// running statistics see each batch once); the index of the chosen reference per image <c>(B)</c> comes with it. Other batches are
    /// returned as they are, with a null choice.
    /// </summary>
    public (CaptionBatch Batch, Tensor? Chosen) ChooseReferences(CaptionBatch batch)
    {
        if (batch.AlternativeInputs is null || batch.AlternativeTargets is null) return (batch, null);
        var altIn = batch.AlternativeInputs;                                                          // (R, B, T)
        var altOut = batch.AlternativeTargets;                                                        // (R, B, T)
        long r = altIn.shape[0], b = altIn.shape[1], t = altIn.shape[2];
        Tensor chosen;
        using (torch.no_grad())
        {
            // The scoring pass must leave no trace: batch norm's running statistics are put back as they were.
            var buffers = Network.buffers().ToArray();
            var saved = buffers.Select(x => x.clone()).ToArray();
            var images = torch.cat(Enumerable.Repeat(batch.Images, (int)r).ToArray(), 0);             // (R*B, ...)
            var pass = Network.Forward(images, altIn.reshape(r * b, t));
            var (nll, _) = CaptionNll(pass.Logits, altOut.reshape(r * b, t));
            chosen = nll.view(r, b).argmin(0);                                                        // (B)
            for (int i = 0; i < buffers.Length; i++) buffers[i].copy_(saved[i]);
        }
        var at = chosen.view(1, b, 1).expand(1, b, t);
        var inputs = altIn.gather(0, at).squeeze(0);                                                  // (B, T)
        var targets = altOut.gather(0, at).squeeze(0);                                                // (B, T)
        return (batch with { Inputs = inputs, Targets = targets, AlternativeInputs = null, AlternativeTargets = null }, chosen);
    }

    /// <summary>The loss of a batch and its parts: per-caption NLL <c>(B)</c>, the step mask <c>(B, T)</c> and the pass.</summary>
    public (Tensor Loss, Tensor Nll, Tensor StepMask, CaptionPass Pass) Loss(CaptionBatch batch)
    {
        var o = Network.Options;
        var pass = Network.Forward(batch.Images, batch.Inputs);
        var (nll, mask) = CaptionNll(pass.Logits, batch.Targets);
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
        (batch, var chosen) = ChooseReferences(batch);
        var (loss, nll, mask, pass) = Loss(batch);
        var sums = Sums(batch, nll, mask, pass);
        if (chosen is not null) sums["first_reference"] = chosen.eq(HeldScalars.Of(0)).sum().item<long>();
        return new StepOutput(loss, batch.Indices.Length, sums);
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
