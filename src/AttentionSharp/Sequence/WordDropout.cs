using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Sequence;

/// <summary>
/// Word dropout (Iyyer et al. 2015; Sennrich et al. 2016 for translation): in training, each token id is replaced by the unknown id
/// with probability <c>p</c>, so the model learns to use the context of a word it cannot read, as it must for a rare word at test
/// time. Tokens listed as kept (padding, the start symbol) are never replaced. One uniform draw per token, in the shape of the ids.
/// </summary>
public static class WordDropout
{
    /// <summary>
    /// <paramref name="tokens"/> (int64 ids, any shape) with each id not in <paramref name="kept"/> replaced by <paramref name="unknown"/>
    /// with probability <paramref name="p"/>; the ids themselves when not <paramref name="training"/> or <paramref name="p"/> is 0.
    /// </summary>
    public static Tensor Apply(Tensor tokens, double p, bool training, long unknown, params long[] kept)
    {
        if (p is < 0 or >= 1) throw new ArgumentException($"word dropout must be in [0, 1); got {p}");
        if (!training || p == 0) return tokens;
        var drop = torch.rand(tokens.shape, device: tokens.device).lt(HeldScalars.Of(p));      // same shape as tokens
        foreach (long k in kept) drop = drop.logical_and(tokens.ne(HeldScalars.Of(k)));
        return tokens.masked_fill(drop, HeldScalars.Of(unknown));
    }
}
