using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>
/// Projected keys and values <c>(B, Hkv, T, Dh)</c> kept between decoder steps by <see cref="MultiHeadAttention"/>, so each step projects only its new tokens.
/// A self-attention cache grows by the new tokens at every call; a cross-attention (static) cache projects the encoder memory once and reuses it.
/// The cache owns its tensors (they survive dispose scopes); dispose it when decoding ends.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    KeyValueCache(bool isStatic) => IsStatic = isStatic;

    /// <summary>A growing cache for causal self-attention in incremental decoding.</summary>
    public static KeyValueCache ForSelfAttention() => new(false);

    /// <summary>A static cache for cross-attention: the memory's keys and values are projected on the first call and reused after.</summary>
    public static KeyValueCache ForCrossAttention() => new(true);

    /// <summary>True for a cross-attention cache that is filled once.</summary>
    public bool IsStatic { get; }

    /// <summary>Cached projected keys <c>(B, Hkv, T, Dh)</c>, or null when empty.</summary>
    public Tensor? Keys { get; private set; }

    /// <summary>Cached projected values <c>(B, Hkv, T, Dh)</c>, or null when empty.</summary>
    public Tensor? Values { get; private set; }

    /// <summary>Number of cached positions <c>T</c>.</summary>
    public long Length => Keys?.shape[2] ?? 0;

    /// <summary>Appends new projected keys and values <c>(B, Hkv, Tnew, Dh)</c> (or stores them, for an empty or static cache).</summary>
    internal void Append(Tensor keys, Tensor values)
    {
        if (Keys is null || Values is null)
        {
            Keys = keys.alias().DetachFromDisposeScope();
            Values = values.alias().DetachFromDisposeScope();
            return;
        }
        if (IsStatic) throw new InvalidOperationException("a static (cross-attention) cache is filled once");
        if (keys.shape[0] != Keys.shape[0] || keys.shape[1] != Keys.shape[1] || keys.shape[3] != Keys.shape[3])
            throw new ArgumentException($"new keys must be (batch={Keys.shape[0]}, heads={Keys.shape[1]}, time, {Keys.shape[3]}); got {AttentionMask.Shape(keys)}");
        var k = torch.cat([Keys, keys], 2).DetachFromDisposeScope();   // (B, Hkv, T + Tnew, Dh)
        var v = torch.cat([Values, values], 2).DetachFromDisposeScope(); // (B, Hkv, T + Tnew, Dh)
        Keys.Dispose();
        Values.Dispose();
        Keys = k;
        Values = v;
    }

    /// <summary>Empties the cache (e.g. before decoding a new batch).</summary>
    public void Reset()
    {
        Keys?.Dispose();
        Values?.Dispose();
        Keys = null;
        Values = null;
    }

    /// <summary>Releases the cached tensors.</summary>
    public void Dispose() => Reset();
}
