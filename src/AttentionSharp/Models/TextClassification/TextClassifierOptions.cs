namespace AttentionSharp.Models.TextClassification;

/// <summary>The text classifier: a pooling over BiRNN states, or HAN (stored as attn, mean, max, last, han; also the suffix of the checkpoint kind textcls/...).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(AttentionSharp.Training.VariantJsonConverter<TextClassifierModel>))]
public enum TextClassifierModel
{
    /// <summary>Attention pooling (Yang et al. 2016's word level; Lin et al. 2017 with one hop).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("attn")] Attn,
    /// <summary>The mean of the states.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("mean")] Mean,
    /// <summary>The element-wise maximum of the states.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("max")] Max,
    /// <summary>The final states of both directions.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("last")] Last,
    /// <summary>The hierarchical attention network (Yang et al. 2016): words to sentences to the document.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("han")] Han,
}

/// <summary>
/// Options of the text classifiers. Defaults follow Yang et al. 2016 where the paper gives them (GRU of 50 units per
/// direction, attention context of 100) with a smaller embedding (100, trained from scratch unless initialised from skip-gram vectors, see <see cref="PretrainedEmbedding"/>).
/// Length caps (documented rule): a flat model keeps at most <see cref="MaxTokens"/> tokens of a text, the first half
/// and the last half of the cap when longer (reviews state their verdict at the start or the end); HAN keeps at most
/// <see cref="MaxSentences"/> sentences the same way (first half, last half) and the first
/// <see cref="MaxSentenceTokens"/> tokens of each sentence.
/// </summary>
/// <param name="Model">Pooling over the encoder states: <c>attn</c>, <c>mean</c>, <c>max</c>, <c>last</c>, or <c>han</c> (hierarchical attention).</param>
/// <param name="Cell">Recurrent cell: <c>gru</c> or <c>lstm</c>.</param>
/// <param name="VocabularySize">Vocabulary entries (padding and unknown included); set from the data.</param>
/// <param name="Classes">Number of classes; set from the data.</param>
/// <param name="Embedding">Word embedding size.</param>
/// <param name="Hidden">Recurrent units per direction (the encoder is bidirectional: states of 2 x Hidden).</param>
/// <param name="AttentionDim">Size of the attention layer and its context vector.</param>
/// <param name="Dropout">Dropout on the embeddings and on the pooled vector, in training.</param>
/// <param name="MinCount">Minimum count of a token in the training texts to enter the vocabulary.</param>
/// <param name="MaxVocabulary">Largest vocabulary (most frequent tokens kept).</param>
/// <param name="MaxTokens">Flat models: most tokens kept per text.</param>
/// <param name="MaxSentences">HAN: most sentences kept per text.</param>
/// <param name="MaxSentenceTokens">HAN: most tokens kept per sentence.</param>
/// <param name="FreezeEmbedding">Keep the word embedding fixed in training (its initial, e.g. pretrained, values).</param>
/// <param name="ExtendVocabulary">With pretrained vectors: the vocabulary also takes every word that has a vector, most
/// frequent first, up to <see cref="MaxVocabulary"/> entries, so test words unseen in training keep their pretrained meaning.</param>
/// <param name="WordDropout">Word dropout: in training, each real token is replaced by the unknown token with this probability (0 = off).</param>
public sealed record TextClassifierOptions(
    TextClassifierModel Model = TextClassifierModel.Attn,
    Sequence.RnnCell Cell = Sequence.RnnCell.Gru,
    int VocabularySize = 0,
    int Classes = 2,
    int Embedding = 100,
    int Hidden = 50,
    int AttentionDim = 100,
    double Dropout = 0.3,
    int MinCount = 2,
    int MaxVocabulary = 30_000,
    int MaxTokens = 1000,
    int MaxSentences = 30,
    int MaxSentenceTokens = 40,
    double WordDropout = 0,
    bool FreezeEmbedding = false,
    bool ExtendVocabulary = false)
{
    /// <summary>Whether the model reads sentences of words (<c>han</c>).</summary>
    public bool Hierarchical => Model == TextClassifierModel.Han;

    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        AttentionSharp.Training.Variant.Check(Model, nameof(Model));
        AttentionSharp.Training.Variant.Check(Cell, nameof(Cell));
        if (VocabularySize < 3) throw new ArgumentException($"vocabulary size must be at least 3 (padding, unknown, one token); got {VocabularySize}");
        if (Classes < 2) throw new ArgumentException($"classes must be at least 2; got {Classes}");
        if (Embedding < 1 || Hidden < 1 || AttentionDim < 1) throw new ArgumentException($"embedding, hidden and attention sizes must be positive; got {Embedding}, {Hidden}, {AttentionDim}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        if (MinCount < 1 || MaxVocabulary < 3) throw new ArgumentException($"min count must be at least 1 and max vocabulary at least 3; got {MinCount}, {MaxVocabulary}");
        if (!(WordDropout >= 0 && WordDropout < 1)) throw new ArgumentException($"word dropout must be in [0, 1); got {WordDropout}");
        if (MaxTokens < 1 || MaxSentences < 1 || MaxSentenceTokens < 1) throw new ArgumentException($"length caps must be positive; got {MaxTokens}, {MaxSentences}, {MaxSentenceTokens}");
    }
}
