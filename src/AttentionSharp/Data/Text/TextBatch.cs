using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Data.Text;

/// <summary>
/// A batch of encoded texts: token indices <c>(B, T)</c> for flat models or <c>(B, S, W)</c> (sentences of words) for
/// hierarchical ones, a boolean mask of the same shape (true = real token), and class labels <c>(B)</c>.
/// </summary>
/// <param name="Tokens">Int64 token indices, padding = <see cref="Vocabulary.Pad"/>.</param>
/// <param name="Mask">Bool, true where a real token is.</param>
/// <param name="Labels">Int64 class indices.</param>
public sealed record TextBatch(Tensor Tokens, Tensor Mask, Tensor Labels);

/// <summary>Encoded texts with labels, padded per batch to the longest text (and sentence) of the batch.</summary>
public sealed class EncodedTextSet : IBatchSource<TextBatch>
{
    readonly int[][][] _docs;
    readonly int[] _labels;

    /// <summary>Creates a set of hierarchical (<paramref name="hierarchical"/> true) or flat documents; a flat document is one sentence.</summary>
    public EncodedTextSet(IReadOnlyList<int[][]> documents, IReadOnlyList<int> labels, bool hierarchical, Device? device = null)
    {
        if (documents.Count != labels.Count) throw new ArgumentException($"one label per document expected; got {documents.Count} documents and {labels.Count} labels");
        if (!hierarchical && documents.Any(d => d.Length != 1))
            throw new ArgumentException("a flat document must be exactly one token sequence");
        _docs = documents.ToArray();
        _labels = labels.ToArray();
        Hierarchical = hierarchical;
        Device = device ?? CPU;
    }

    /// <summary>Whether batches are <c>(B, S, W)</c>.</summary>
    public bool Hierarchical { get; }
    /// <summary>Device the batches are created on.</summary>
    public Device Device { get; }
    /// <inheritdoc />
    public int Count => _docs.Length;
    /// <summary>The label of document <paramref name="i"/>.</summary>
    public int Label(int i) => _labels[i];

    /// <inheritdoc />
    public TextBatch GetBatch(int[] indices)
    {
        int b = indices.Length;
        var labels = indices.Select(i => (long)_labels[i]).ToArray();
        if (!Hierarchical)
        {
            int t = Math.Max(1, indices.Max(i => _docs[i][0].Length));
            var ids = new long[b * t];
            var mask = new bool[b * t];
            for (int r = 0; r < b; r++)
            {
                var d = _docs[indices[r]][0];
                for (int j = 0; j < d.Length; j++) { ids[r * t + j] = d[j]; mask[r * t + j] = true; }
            }
            return new TextBatch(tensor(ids, [b, t]).to(Device), tensor(mask, [b, t]).to(Device), tensor(labels).to(Device));
        }
        int s = Math.Max(1, indices.Max(i => _docs[i].Length));
        int w = Math.Max(1, indices.Max(i => _docs[i].Length == 0 ? 0 : _docs[i].Max(x => x.Length)));
        var hids = new long[b * s * w];
        var hmask = new bool[b * s * w];
        for (int r = 0; r < b; r++)
        {
            var d = _docs[indices[r]];
            for (int k = 0; k < d.Length; k++)
                for (int j = 0; j < d[k].Length; j++) { hids[(r * s + k) * w + j] = d[k][j]; hmask[(r * s + k) * w + j] = true; }
        }
        return new TextBatch(tensor(hids, [b, s, w]).to(Device), tensor(hmask, [b, s, w]).to(Device), tensor(labels).to(Device));
    }
}
