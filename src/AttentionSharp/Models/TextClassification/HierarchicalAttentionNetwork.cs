using AttentionSharp.Sequence;
using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// Hierarchical Attention Network (Yang et al. 2016, "Hierarchical Attention Networks for Document Classification",
/// eq. 5-10): each sentence's words pass a bidirectional GRU; word attention with a learned context vector
/// <c>u_w</c> pools them into a sentence vector <c>s_i = sum_t alpha_it h_it</c>; the sentence vectors pass a second
/// bidirectional GRU and sentence attention (context <c>u_s</c>) pools them into the document vector
/// <c>v = sum_i alpha_i h_i</c>; <c>p = softmax(W_c v + b_c)</c>. Empty sentences (padding) are not encoded and get
/// zero weight; both levels' weights are returned.
/// </summary>
public sealed class HierarchicalAttentionNetwork : nn.Module<Tensor, Tensor, Tensor>, ITextClassifier
{
    readonly Embedding embedding;
    readonly BiRnnEncoder word_encoder;
    readonly AttentionPooling word_attention;
    readonly BiRnnEncoder sentence_encoder;
    readonly AttentionPooling sentence_attention;
    readonly Dropout dropout;
    readonly Linear output;

    /// <summary>Creates a HAN with the given sizes (model must be <c>han</c>).</summary>
    public HierarchicalAttentionNetwork(TextClassifierOptions options) : base("HierarchicalAttentionNetwork")
    {
        options.Validate();
        if (!options.Hierarchical) throw new ArgumentException($"HierarchicalAttentionNetwork needs model han; got {AttentionSharp.Training.Variant.Name(options.Model)}");
        Options = options;
        int d = 2 * options.Hidden;
        embedding = Layers.Embedding(options.VocabularySize, options.Embedding, padding_idx: Data.Text.Vocabulary.Pad);
        if (options.FreezeEmbedding) embedding.weight!.requires_grad = false;
        word_encoder = new BiRnnEncoder(options.Embedding, options.Hidden, options.Cell);
        word_attention = new AttentionPooling(d, options.AttentionDim);
        sentence_encoder = new BiRnnEncoder(d, options.Hidden, options.Cell);
        sentence_attention = new AttentionPooling(d, options.AttentionDim);
        dropout = nn.Dropout(options.Dropout);
        output = Layers.Linear(d, options.Classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public TextClassifierOptions Options { get; }
    /// <inheritdoc />
    public nn.Module Module => this;
    /// <inheritdoc />
    public Embedding WordEmbedding => embedding;

    /// <summary>Logits <c>(B, C)</c> of <paramref name="tokens"/> <c>(B, S, W)</c> with <paramref name="mask"/> <c>(B, S, W)</c>.</summary>
    public override Tensor forward(Tensor tokens, Tensor mask) => Classify(tokens, mask).Logits;

    /// <inheritdoc />
    public TextClassifierOutput Classify(Tensor tokens, Tensor mask, bool needWeights = false)
    {
        if (tokens.dim() != 3 || mask.dim() != 3 || !tokens.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"tokens and mask must both be (batch, sentences, words); got {RecurrentTextClassifier.Shape(tokens)} and {RecurrentTextClassifier.Shape(mask)}");
        long b = tokens.shape[0], s = tokens.shape[1], w = tokens.shape[2];
        int d = 2 * Options.Hidden;
        var flatTokens = tokens.reshape(b * s, w);                   // (B*S, W)
        var flatMask = mask.reshape(b * s, w);                       // (B*S, W)
        var wordLengths = flatMask.sum(1);                           // (B*S)
        var sentenceMask = wordLengths.gt(HeldScalars.Of(0));                        // (B*S)
        var real = sentenceMask.nonzero().squeeze(1);                // (N) indices of non-empty sentences

        // Word level, on the non-empty sentences only.
        var x = dropout.forward(embedding.forward(RecurrentTextClassifier.DropWords(flatTokens.index_select(0, real), Options.WordDropout, training)));      // (N, W, E)
        var realMask = flatMask.index_select(0, real);                                     // (N, W)
        var (wordStates, _) = word_encoder.EncodeLengths(x, wordLengths.index_select(0, real));   // (N, W, 2H)
        var (sentenceVectors, wordWeights) = word_attention.Forward(wordStates, realMask, needWeights); // (N, 2H), (N, W)
        var sentences = torch.zeros(b * s, d, dtype: sentenceVectors.dtype, device: sentenceVectors.device)
            .index_copy(0, real, sentenceVectors).reshape(b, s, d);                        // (B, S, 2H)

        // Sentence level; lengths run to the last non-empty sentence, the mask drops empty ones in between.
        var docMask = sentenceMask.reshape(b, s);                                           // (B, S)
        var positions = torch.arange(HeldScalars.Of(1), HeldScalars.Of(s + 1), HeldScalars.Of(1), device: tokens.device).unsqueeze(0);         // (1, S)
        var sentenceLengths = (positions * docMask).amax([1]);                              // (B)
        var (sentenceStates, _) = sentence_encoder.EncodeLengths(dropout.forward(sentences), sentenceLengths); // (B, S, 2H)
        var (document, sentenceWeights) = sentence_attention.Forward(sentenceStates, docMask, needWeights); // (B, 2H), (B, S)
        var logits = output.forward(dropout.forward(document));                             // (B, C)

        Tensor? fullWordWeights = null;
        if (needWeights && wordWeights is not null)
            fullWordWeights = torch.zeros(b * s, w, dtype: wordWeights.dtype, device: wordWeights.device)
                .index_copy(0, real, wordWeights).reshape(b, s, w);                         // (B, S, W)
        return new TextClassifierOutput(logits, fullWordWeights, needWeights ? sentenceWeights : null);
    }
}
