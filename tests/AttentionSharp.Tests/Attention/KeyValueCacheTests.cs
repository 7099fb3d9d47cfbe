using AttentionSharp.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Attention;

public class KeyValueCacheTests
{
    [Theory]
    [InlineData(4, 4)]
    [InlineData(4, 2)]
    public void IncrementalDecoding_EqualsFullRecomputation(int heads, int kvHeads)
    {
        torch.manual_seed(40);
        var self = new MultiHeadAttention(8, heads, numKeyValueHeads: kvHeads).to(ScalarType.Float64);
        var cross = new MultiHeadAttention(8, heads, kdim: 5, vdim: 5).to(ScalarType.Float64);
        var x = Naive.Rand(2, 6, 8);
        var memory = Naive.Rand(2, 4, 5);
        var memoryValid = AttentionMask.FromLengths(torch.tensor(new long[] { 4, 3 }), 4);
        // full: causal self-attention, then cross-attention over the memory
        var fullSelf = self.Forward(x, causal: true).Context;
        var full = cross.Forward(fullSelf, memory, memory, keyPaddingMask: memoryValid).Context;

        using var selfCache = KeyValueCache.ForSelfAttention();
        using var crossCache = KeyValueCache.ForCrossAttention();
        var steps = new List<Tensor>();
        // first a 2-token prompt, then one token at a time
        var chunks = new[] { (0, 2), (2, 3), (3, 4), (4, 5), (5, 6) };
        foreach (var (from, to) in chunks)
        {
            var h = self.Forward(x[.., from..to], causal: true, cache: selfCache).Context;
            // cross cache: memory projected on the first call only; later calls may pass null keys
            var c = crossCache.Length == 0
                ? cross.Forward(h, memory, memory, keyPaddingMask: memoryValid, cache: crossCache).Context
                : cross.Forward(h, keyPaddingMask: memoryValid, cache: crossCache).Context;
            steps.Add(c);
        }
        Assert.Equal(6, selfCache.Length);
        Assert.Equal(4, crossCache.Length);
        Naive.Close(full, torch.cat(steps, 1), 1e-10);
    }

    [Fact]
    public void SlidingWindowMask_WithCache_EqualsFull()
    {
        torch.manual_seed(41);
        var mha = new MultiHeadAttention(8, 2).to(ScalarType.Float64);
        var x = Naive.Rand(1, 5, 8);
        var full = mha.Forward(x, attentionMask: AttentionMask.SlidingWindow(5, 5, 2, causal: true)).Context;
        using var cache = KeyValueCache.ForSelfAttention();
        var steps = new List<Tensor>();
        for (int t = 0; t < 5; t++)
            steps.Add(mha.Forward(x[.., t..(t + 1)], attentionMask: AttentionMask.SlidingWindow(1, t + 1, 2, causal: true), cache: cache).Context);
        Naive.Close(full, torch.cat(steps, 1), 1e-10);
    }
}
