using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>Base of the score functions <c>score(h_t, h_s)</c>: maps queries <c>(B, Tq, Dq)</c> and keys <c>(B, Tk, Dk)</c> to unnormalised scores <c>(B, Tq, Tk)</c>. Keys may be prepared once per sequence (<see cref="PrepareKeys"/>) and reused across decoder steps.</summary>
public abstract class AttentionScore : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates a score module with the given query and key feature sizes.</summary>
    protected AttentionScore(string name, long queryDim, long keyDim) : base(name)
    {
        if (queryDim < 1 || keyDim < 1) throw new ArgumentException($"queryDim and keyDim must be positive; got {queryDim}, {keyDim}");
        QueryDim = queryDim;
        KeyDim = keyDim;
    }

    /// <summary>Feature size of the queries (decoder states <c>h_t</c>).</summary>
    public long QueryDim { get; }

    /// <summary>Feature size of the keys (encoder states <c>h_s</c>).</summary>
    public long KeyDim { get; }

    /// <summary>Scores of queries <c>(B, Tq, Dq)</c> against keys <c>(B, Tk, Dk)</c>: <c>(B, Tq, Tk)</c>.</summary>
    public override Tensor forward(Tensor query, Tensor keys) => Score(query, PrepareKeys(keys));

    /// <summary>The per-sequence part of the score that depends only on the keys <c>(B, Tk, Dk)</c> (e.g. <c>U h_s</c> of additive attention); compute once, pass to <see cref="Score"/> at every decoder step.</summary>
    public Tensor PrepareKeys(Tensor keys)
    {
        if (keys.dim() != 3 || keys.shape[2] != KeyDim)
            throw new ArgumentException($"keys must be (batch, time, dim) with dim={KeyDim}; got {AttentionMask.Shape(keys)}");
        return ProjectKeys(keys);
    }

    /// <summary>Scores of queries <c>(B, Tq, Dq)</c> against keys already passed through <see cref="PrepareKeys"/>: <c>(B, Tq, Tk)</c>.</summary>
    public Tensor Score(Tensor query, Tensor preparedKeys)
    {
        if (query.dim() != 3 || query.shape[2] != QueryDim)
            throw new ArgumentException($"query must be (batch, time, dim) with dim={QueryDim}; got {AttentionMask.Shape(query)}");
        if (preparedKeys.dim() != 3 || preparedKeys.shape[0] != query.shape[0])
            throw new ArgumentException($"prepared keys must be (batch={query.shape[0]}, time, dim); got {AttentionMask.Shape(preparedKeys)}");
        return ComputeScores(query, preparedKeys);
    }

    /// <summary>Key-only part of the score (identity by default).</summary>
    protected virtual Tensor ProjectKeys(Tensor keys) => keys;

    /// <summary>The score itself, from validated queries and prepared keys.</summary>
    protected abstract Tensor ComputeScores(Tensor query, Tensor preparedKeys);
}
