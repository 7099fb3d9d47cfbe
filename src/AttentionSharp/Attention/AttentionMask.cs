using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>Builders and converters for attention masks. Library convention: a boolean mask is <c>true</c> where attention is ALLOWED; a float mask is additive (0 = allowed, -inf = blocked).</summary>
public static class AttentionMask
{
    /// <summary>Causal mask <c>(Tq, Tk)</c>, bottom-right aligned: query <c>i</c> may attend keys <c>j &lt;= i + (Tk - Tq)</c> (so the last query sees every key, as in cached decoding).</summary>
    public static Tensor Causal(long queryLength, long keyLength, Device? device = null)
    {
        if (queryLength < 1 || keyLength < 1) throw new ArgumentException($"lengths must be positive; got queryLength={queryLength}, keyLength={keyLength}");
        return torch.ones(queryLength, keyLength, dtype: ScalarType.Bool, device: device).tril(keyLength - queryLength);
    }

    /// <summary>Key-padding mask <c>(B, maxLength)</c> from sequence lengths <c>(B)</c>: <c>true</c> for the first <c>lengths[b]</c> positions.</summary>
    public static Tensor FromLengths(Tensor lengths, long maxLength)
    {
        if (lengths.dim() != 1) throw new ArgumentException($"lengths must be (batch); got ({string.Join(", ", lengths.shape)})");
        var positions = torch.arange(HeldScalars.Of(0), HeldScalars.Of(maxLength), HeldScalars.Of(1), device: lengths.device).unsqueeze(0); // (1, T)
        return positions < lengths.to(ScalarType.Int64).unsqueeze(1);                 // (B, T)
    }

    /// <summary>Sliding-window mask <c>(Tq, Tk)</c>, bottom-right aligned: query <c>i</c> (key position <c>p = i + Tk - Tq</c>) may attend keys <c>j</c> with <c>|p - j| &lt;= window</c>, or <c>p - window &lt;= j &lt;= p</c> when <paramref name="causal"/>.</summary>
    public static Tensor SlidingWindow(long queryLength, long keyLength, long window, bool causal = false, Device? device = null)
    {
        if (window < 0) throw new ArgumentException($"window must be >= 0; got {window}");
        var ones = torch.ones(queryLength, keyLength, dtype: ScalarType.Bool, device: device);
        long offset = keyLength - queryLength;
        var upper = ones.tril(offset + (causal ? 0 : window));
        var lower = ones.triu(offset - window);
        return upper & lower;
    }

    /// <summary>Converts a TorchSharp/PyTorch <c>key_padding_mask</c> (true = IGNORE) to this library's convention (true = allowed), or back.</summary>
    public static Tensor InvertPolarity(Tensor mask) => mask.logical_not();

    /// <summary>Converts a boolean mask (true = allowed) to an additive float mask (0 allowed, -inf blocked) of <paramref name="dtype"/>.</summary>
    public static Tensor ToAdditive(Tensor mask, ScalarType dtype = ScalarType.Float32)
    {
        if (mask.dtype != ScalarType.Bool) return mask.to(dtype);
        return torch.zeros(mask.shape, dtype: dtype, device: mask.device).masked_fill(mask.logical_not(), HeldScalars.Of(double.NegativeInfinity));
    }

    /// <summary>Combines two masks (either may be null): boolean AND when both are boolean, otherwise the sum of their additive forms.</summary>
    public static Tensor? Combine(Tensor? a, Tensor? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        if (a.dtype == ScalarType.Bool && b.dtype == ScalarType.Bool) return a.logical_and(b);
        var dtype = a.dtype != ScalarType.Bool ? a.dtype : b.dtype;
        return ToAdditive(a, dtype).add(ToAdditive(b, dtype), HeldScalars.Of(1));
    }

    /// <summary>Which entries a mask allows (boolean), whatever its kind: the mask itself if boolean, else entries greater than -inf.</summary>
    public static Tensor Allowed(Tensor mask) => mask.dtype == ScalarType.Bool ? mask : mask > HeldScalars.Of(double.NegativeInfinity);

    internal static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}
