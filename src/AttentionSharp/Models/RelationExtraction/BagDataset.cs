using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Text;
using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>
/// Bags turned into model inputs: word indices, relative positions to the head and tail (clipped to
/// <see cref="RelexOptions.MaxDistance"/>), pooling pieces, and each bag's label; batches are padded to their longest
/// sentence and largest bag.
/// </summary>
public sealed class BagDataset : IBatchSource<RelexBatch>
{
    readonly long[][] _words, _head, _tail, _segments;
    readonly int[] _lengths;
    readonly int[][] _bagSentences;
    readonly long[] _labels;
    readonly RelexOptions _options;
    readonly Device _device;

    /// <summary>The bags, in order.</summary>
    public IReadOnlyList<RelationBag> Bags { get; }

    /// <summary>Builds the inputs of <paramref name="bags"/> with <paramref name="vocabulary"/> and <paramref name="relations"/>.</summary>
    public BagDataset(IReadOnlyList<RelationBag> bags, Vocabulary vocabulary, RelationSet relations, RelexOptions options, Device? device = null)
    {
        Bags = bags;
        _options = options;
        _device = device ?? CPU;
        int total = bags.Sum(b => b.Sentences.Count);
        _words = new long[total][]; _head = new long[total][]; _tail = new long[total][]; _segments = new long[total][];
        _lengths = new int[total];
        _bagSentences = new int[bags.Count][];
        _labels = new long[bags.Count];
        int k = 0;
        for (int b = 0; b < bags.Count; b++)
        {
            _labels[b] = relations.IndexOf(bags[b].Relations[0]);
            _bagSentences[b] = new int[bags[b].Sentences.Count];
            for (int i = 0; i < bags[b].Sentences.Count; i++, k++)
            {
                _bagSentences[b][i] = k;
                var f = Features(bags[b].Sentences[i], vocabulary, options);
                (_words[k], _head[k], _tail[k], _segments[k]) = (f.Words, f.Head, f.Tail, f.Segments);
                _lengths[k] = f.Words.Length;
            }
        }
    }

    /// <inheritdoc />
    public int Count => Bags.Count;

    /// <summary>The model inputs of one sentence (unpadded): word indices, head and tail position indices, pooling pieces.</summary>
    public static (long[] Words, long[] Head, long[] Tail, long[] Segments) Features(RelationSentence s, Vocabulary vocabulary, RelexOptions o)
    {
        int n = Math.Min(s.Tokens.Length, o.MaxLength);
        (int, int) Clip(EntityMention e) => (Math.Min(e.Start, n - 1), Math.Max(Math.Min(e.End, n), Math.Min(e.Start, n - 1) + 1));
        var h = Clip(s.Head);
        var t = Clip(s.Tail);
        var words = new long[n];
        var head = new long[n];
        var tail = new long[n];
        for (int i = 0; i < n; i++)
        {
            words[i] = vocabulary.IndexOf(s.Tokens[i]);
            head[i] = Position(i, h, o.MaxDistance);
            tail[i] = Position(i, t, o.MaxDistance);
        }
        return (words, head, tail, PiecewiseMaxPool.Segments(n, n, h, t, o.Pieces));
    }

    /// <summary>Index of token <paramref name="i"/>'s distance to the span: 0 inside, negative before, positive after, clipped, shifted by <paramref name="max"/>.</summary>
    public static long Position(int i, (int Start, int End) span, int max)
    {
        int d = i < span.Start ? i - span.Start : i >= span.End ? i - span.End + 1 : 0;
        return Math.Clamp(d, -max, max) + max;
    }

    /// <inheritdoc />
    public RelexBatch GetBatch(int[] indices)
    {
        var sentences = indices.SelectMany(b => _bagSentences[b]).ToArray();
        int s = sentences.Length, l = sentences.Max(i => _lengths[i]), m = indices.Max(b => _bagSentences[b].Length);
        long pad = SentenceEncoder.PositionPad(_options);
        var words = new long[s * l];
        var head = new long[s * l];
        var tail = new long[s * l];
        var seg = new long[s * l];
        Array.Fill(head, pad);
        Array.Fill(tail, pad);
        for (int j = 0; j < s; j++)
        {
            int i = sentences[j], n = _lengths[i];
            Array.Copy(_words[i], 0, words, j * l, n);
            Array.Copy(_head[i], 0, head, j * l, n);
            Array.Copy(_tail[i], 0, tail, j * l, n);
            Array.Copy(_segments[i], 0, seg, j * l, n);
        }
        var slots = new long[indices.Length * m];
        var mask = new bool[indices.Length * m];
        var sentenceBag = new long[s];
        Array.Fill(slots, s);
        int at = 0;
        for (int b = 0; b < indices.Length; b++)
            for (int i = 0; i < _bagSentences[indices[b]].Length; i++, at++)
            {
                slots[b * m + i] = at;
                mask[b * m + i] = true;
                sentenceBag[at] = b;
            }
        Tensor T(long[] a, params long[] shape) => tensor(a, shape, device: _device);
        return new RelexBatch(T(words, s, l), T(head, s, l), T(tail, s, l), T(seg, s, l), T(slots, indices.Length, m),
            tensor(mask, [indices.Length, m], device: _device), T(sentenceBag, s), T(indices.Select(b => _labels[b]).ToArray(), indices.Length), indices);
    }
}
