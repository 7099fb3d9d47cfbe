using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Segmentation;

/// <summary>
/// Segmentation loss: pixel-wise cross-entropy plus a soft Dice term (Milletari et al. 2016, "V-Net", eq. 1, as a
/// multi-class mean over the foreground classes): <c>L = CE + lambda (1 - 1/(K-1) sum_{c=1}^{K-1}
/// (2 sum_i p_ic t_ic + eps) / (sum_i p_ic + sum_i t_ic + eps))</c>, p the softmax probabilities, t the one-hot truth,
/// sums over all pixels of the batch, eps = 1.
/// </summary>
public static class DiceCrossEntropyLoss
{
    /// <summary>The smoothing term <c>eps</c>.</summary>
    public const double Smooth = 1.0;

    /// <summary>The loss for logits <c>(B, K, H, W)</c> and labels <c>(B, H, W)</c> (int64 in 0..K-1).</summary>
    public static Tensor Compute(Tensor logits, Tensor masks, double diceWeight = 1.0)
    {
        Check(logits, masks);
        var ce = nn.functional.cross_entropy(logits, masks);
        return diceWeight == 0 ? ce : ce.add(SoftDiceLoss(logits.softmax(1), masks).mul(HeldScalars.Of(diceWeight)), HeldScalars.Of(1));
    }

    /// <summary>The soft Dice term <c>1 - mean_c Dice_c</c> over foreground classes, from probabilities <c>(B, K, H, W)</c>.</summary>
    public static Tensor SoftDiceLoss(Tensor probabilities, Tensor masks)
    {
        Check(probabilities, masks);
        long k = probabilities.shape[1];
        var onehot = nn.functional.one_hot(masks, k).permute(0, 3, 1, 2).to(probabilities.dtype); // (B, K, H, W)
        var inter = (probabilities * onehot).sum([0, 2, 3]);                                        // (K)
        var card = probabilities.sum([0, 2, 3]).add(onehot.sum([0, 2, 3]), HeldScalars.Of(1));                            // (K)
        var dice = inter.mul(HeldScalars.Of(2)).add(HeldScalars.Of(Smooth), HeldScalars.Of(1)) / card.add(HeldScalars.Of(Smooth), HeldScalars.Of(1));                                          // (K)
        return dice[1..].mean().neg().add(HeldScalars.Of(1), HeldScalars.Of(1));
    }

    static void Check(Tensor logits, Tensor masks)
    {
        if (logits.dim() != 4 || logits.shape[1] < 2)
            throw new ArgumentException($"logits must be (batch, classes >= 2, H, W); got ({string.Join(", ", logits.shape)})");
        if (masks.dim() != 3 || masks.shape[0] != logits.shape[0] || masks.shape[1] != logits.shape[2] || masks.shape[2] != logits.shape[3])
            throw new ArgumentException($"masks must be ({logits.shape[0]}, {logits.shape[2]}, {logits.shape[3]}) to match the logits; got ({string.Join(", ", masks.shape)})");
        if (masks.dtype != ScalarType.Int64) throw new ArgumentException($"masks must be int64 class indices; got {masks.dtype}");
    }
}
