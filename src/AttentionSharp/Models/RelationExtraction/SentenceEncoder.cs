using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;
using AttentionSharp.Sequence;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>
/// The CNN/PCNN sentence encoder (Zeng et al. 2014 and 2015): each token is its word embedding joined with two position
/// embeddings (its distance to the head and to the tail), a 1-D convolution of width w with d_c filters runs over the
/// sentence, max pooling (over the sentence, or per piece with <see cref="PiecewiseMaxPool"/>) and tanh give the
/// sentence vector <c>x = tanh(p)</c>.
/// </summary>
public sealed class SentenceEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    readonly Embedding word_embedding, head_position, tail_position;
    readonly Conv1d conv;
    readonly int _pieces;
    readonly double _wordDropout;

    /// <summary>Index of the position embeddings' padding row.</summary>
    public static int PositionPad(RelexOptions o) => 2 * o.MaxDistance + 1;

    /// <summary>Creates the encoder of <paramref name="options"/>.</summary>
    public SentenceEncoder(RelexOptions options) : base(nameof(SentenceEncoder))
    {
        options.Validate();
        _pieces = options.Pieces;
        _wordDropout = options.WordDropout;
        word_embedding = Layers.Embedding(options.VocabularySize, options.WordDim, padding_idx: 0);
        head_position = Layers.Embedding(PositionPad(options) + 1, options.PositionDim, padding_idx: PositionPad(options));
        tail_position = Layers.Embedding(PositionPad(options) + 1, options.PositionDim, padding_idx: PositionPad(options));
        conv = Layers.Conv1d(options.WordDim + 2 * options.PositionDim, options.Filters, options.Window, padding: options.Window / 2);
        RegisterComponents();
    }

    /// <summary>Sentence vectors <c>(S, d_c n)</c> of words, head and tail positions and pooling segments, each <c>(S, L)</c>.</summary>
    public override Tensor forward(Tensor words, Tensor headPositions, Tensor tailPositions, Tensor segments)
    {
        using var scope = NewDisposeScope();
        words = WordDropout.Apply(words, _wordDropout, training, AttentionSharp.Data.Text.Vocabulary.Unknown, AttentionSharp.Data.Text.Vocabulary.Pad); // (S, L)
        var x = cat([word_embedding.forward(words), head_position.forward(headPositions), tail_position.forward(tailPositions)], -1); // (S, L, E)
        var c = conv.forward(x.transpose(1, 2));                                                                                        // (S, K, L)
        var pooled = PiecewiseMaxPool.Apply(c, segments, _pieces);                                                                      // (S, K n)
        return pooled.tanh().MoveToOuterDisposeScope();
    }
}
