using AttentionSharp.Attention;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// Word embeddings, a bidirectional GRU/LSTM, a pooling of its states into one vector, and a linear softmax
/// classifier. The pooling is attention with a learned context vector (Yang et al. 2016, eq. 5-7, via
/// <see cref="AttentionPooling"/>), or the baselines on the same encoder: the mean or element-wise max of the states
/// over real tokens (the paper's HN-AVE / HN-MAX analogues), or the final states of both directions.
/// </summary>
public sealed class RecurrentTextClassifier : nn.Module<Tensor, Tensor, Tensor>, ITextClassifier
{
    readonly Embedding embedding;
    readonly BiRnnEncoder encoder;
    readonly AttentionPooling? attention;
    readonly Dropout dropout;
    readonly Linear output;

    /// <summary>Creates the classifier; <see cref="TextClassifierOptions.Model"/> picks the pooling.</summary>
    public RecurrentTextClassifier(TextClassifierOptions options) : base("RecurrentTextClassifier")
    {
        options.Validate();
        if (options.Hierarchical) throw new ArgumentException("model 'han' is the HierarchicalAttentionNetwork; RecurrentTextClassifier takes attn, mean, max or last");
        Options = options;
        embedding = Layers.Embedding(options.VocabularySize, options.Embedding, padding_idx: Data.Text.Vocabulary.Pad);
        if (options.FreezeEmbedding) embedding.weight!.requires_grad = false;
        encoder = new BiRnnEncoder(options.Embedding, options.Hidden, options.Cell);
        if (options.Model == TextClassifierModel.Attn) attention = new AttentionPooling(2 * options.Hidden, options.AttentionDim);
        dropout = nn.Dropout(options.Dropout);
        output = Layers.Linear(2 * options.Hidden, options.Classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public TextClassifierOptions Options { get; }
    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public Embedding WordEmbedding => embedding;

    /// <summary>Logits <c>(B, C)</c> of <paramref name="tokens"/> <c>(B, T)</c> with <paramref name="mask"/> <c>(B, T)</c>.</summary>
    public override Tensor forward(Tensor tokens, Tensor mask) => Classify(tokens, mask).Logits;

    /// <inheritdoc />
    public TextClassifierOutput Classify(Tensor tokens, Tensor mask, bool needWeights = false)
    {
        if (tokens.dim() != 2 || mask.dim() != 2 || !tokens.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"tokens and mask must both be (batch, time); got {Shape(tokens)} and {Shape(mask)}");
        var lengths = mask.sum(1);                                   // (B)
        var x = dropout.forward(embedding.forward(DropWords(tokens, Options.WordDropout, training))); // (B, T, E)
        var (states, final) = encoder.EncodeLengths(x, lengths);     // (B, T, 2H), (B, 2H)
        Tensor pooled;
        Tensor? weights = null;
        switch (Options.Model)
        {
            case TextClassifierModel.Attn:
                (pooled, weights) = attention!.Forward(states, mask, needWeights);
                break;
            case TextClassifierModel.Mean:
                var m = mask.unsqueeze(-1).to(states.dtype);          // (B, T, 1)
                pooled = (states * m).sum(1) / m.sum(1).clamp_min(HeldScalars.Of(1)); // (B, 2H)
                break;
            case TextClassifierModel.Max:
                pooled = states.masked_fill(mask.unsqueeze(-1).logical_not(), HeldScalars.Of(float.NegativeInfinity)).max(1).values; // (B, 2H)
                pooled = pooled.masked_fill(pooled.isinf(), HeldScalars.Of(0));
                break;
            default:
                pooled = final;
                break;
        }
        var logits = output.forward(dropout.forward(pooled));       // (B, C)
        return new TextClassifierOutput(logits, weights, null);
    }

    /// <summary>Word dropout (<see cref="WordDropout"/>): in training, each real token becomes the unknown token with probability <paramref name="p"/>.</summary>
    internal static Tensor DropWords(Tensor tokens, double p, bool training) =>
        WordDropout.Apply(tokens, p, training, Data.Text.Vocabulary.Unknown, Data.Text.Vocabulary.Pad);

    internal static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}
