using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Data.Translation;

/// <summary>A padded batch of sentence pairs (ids from the vocabularies, padding = 0, masks true on real tokens).</summary>
/// <param name="Source">Source ids <c>(B, S)</c>.</param>
/// <param name="SourceMask">Real source tokens <c>(B, S)</c>.</param>
/// <param name="TargetIn">Decoder inputs <c>&lt;s&gt; y_1 .. y_n</c>, <c>(B, T)</c>.</param>
/// <param name="TargetOut">Decoder targets <c>y_1 .. y_n &lt;/s&gt;</c>, <c>(B, T)</c>.</param>
/// <param name="TargetMask">Real target positions <c>(B, T)</c>.</param>
/// <param name="Indices">Example indices in the source dataset.</param>
public sealed record Seq2SeqBatch(Tensor Source, Tensor SourceMask, Tensor TargetIn, Tensor TargetOut, Tensor TargetMask, int[] Indices);

/// <summary>Sentence pairs encoded with a source and a target vocabulary, batched on demand; pairs longer than the limits are dropped (<see cref="Dropped"/>).</summary>
public sealed class TranslationDataset : IBatchSource<Seq2SeqBatch>, ILengthAware
{
    readonly int[][] _source;
    readonly int[][] _target;

    /// <summary>Encodes <paramref name="pairs"/>; keeps those with 1..<paramref name="maxSource"/> source and 1..<paramref name="maxTarget"/> target symbols.</summary>
    public TranslationDataset(IReadOnlyList<SentencePair> pairs, Vocabulary sourceVocab, Vocabulary targetVocab, int maxSource, int maxTarget, Device? device = null)
    {
        var src = new List<int[]>();
        var tgt = new List<int[]>();
        var kept = new List<SentencePair>();
        foreach (var p in pairs)
        {
            var s = sourceVocab.Encode(p.Source);
            var t = targetVocab.Encode(p.Target);
            if (s.Length == 0 || t.Length == 0 || s.Length > maxSource || t.Length > maxTarget) { Dropped++; continue; }
            src.Add(s); tgt.Add(t); kept.Add(p);
        }
        _source = [.. src];
        _target = [.. tgt];
        Pairs = kept;
        Device = device ?? CPU;
    }

    /// <summary>The kept pairs, in order.</summary>
    public IReadOnlyList<SentencePair> Pairs { get; }
    /// <summary>Pairs dropped for being empty or too long.</summary>
    public int Dropped { get; }
    /// <summary>Device of the batches.</summary>
    public Device Device { get; }
    /// <inheritdoc />
    public int Count => _source.Length;

    /// <summary>Source plus target symbols of example <paramref name="index"/>: what its padded batch costs (for <c>--bucket</c>).</summary>
    public int LengthOf(int index) => _source[index].Length + _target[index].Length;

    /// <summary>Source ids of example <paramref name="i"/>.</summary>
    public int[] SourceIds(int i) => _source[i];

    /// <inheritdoc />
    public Seq2SeqBatch GetBatch(int[] indices)
    {
        int b = indices.Length;
        int s = indices.Max(i => _source[i].Length), t = indices.Max(i => _target[i].Length) + 1;
        var src = new long[b * s];
        var tin = new long[b * t];
        var tout = new long[b * t];
        for (int k = 0; k < b; k++)
        {
            var x = _source[indices[k]];
            for (int j = 0; j < x.Length; j++) src[k * s + j] = x[j];
            var y = _target[indices[k]];
            tin[k * t] = Vocabulary.Bos;
            for (int j = 0; j < y.Length; j++) { tin[k * t + j + 1] = y[j]; tout[k * t + j] = y[j]; }
            tout[k * t + y.Length] = Vocabulary.Eos;
        }
        var source = torch.tensor(src, [b, s], device: Device);        // (B, S)
        var targetOut = torch.tensor(tout, [b, t], device: Device);    // (B, T)
        return new Seq2SeqBatch(source, source.ne(HeldScalars.Of(Vocabulary.Pad)), torch.tensor(tin, [b, t], device: Device), targetOut,
            targetOut.ne(HeldScalars.Of(Vocabulary.Pad)), indices);
    }

    /// <summary>Pads source id sequences into <c>(B, S)</c> ids and mask.</summary>
    public static (Tensor Ids, Tensor Mask) PadSources(IReadOnlyList<int[]> sources, Device? device = null)
    {
        int b = sources.Count, s = sources.Max(x => x.Length);
        var src = new long[b * s];
        for (int k = 0; k < b; k++) for (int j = 0; j < sources[k].Length; j++) src[k * s + j] = sources[k][j];
        var ids = torch.tensor(src, [b, s], device: device ?? CPU); // (B, S)
        return (ids, ids.ne(HeldScalars.Of(Vocabulary.Pad)));
    }
}
