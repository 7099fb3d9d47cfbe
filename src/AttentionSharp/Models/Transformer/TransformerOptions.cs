namespace AttentionSharp.Models.Transformer;

/// <summary>Options of the Transformer encoder-decoder (defaults sized for CPU runs; the paper's base model is 512/8/6/2048).</summary>
/// <param name="SourceVocab">Source vocabulary size.</param>
/// <param name="TargetVocab">Target vocabulary size.</param>
/// <param name="ModelDim">Model width <c>d_model</c>.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Layers">Encoder layers and decoder layers (each).</param>
/// <param name="FeedForward">Inner size of the position-wise feed-forward network.</param>
/// <param name="Dropout">Residual, embedding and attention dropout.</param>
/// <param name="PreNorm">Layer norm before each sub-layer (default) or after the residual sum (the paper's post-norm).</param>
/// <param name="MaxSourceLength">Longest source (symbols).</param>
/// <param name="MaxTargetLength">Longest output (symbols, EOS included).</param>
/// <param name="LabelSmoothing">Label smoothing of the training loss (the paper uses 0.1).</param>
/// <param name="LearnedPositions">Learned position embeddings (one table per side, up to the max length) instead of the sinusoids.</param>
/// <param name="ShareEmbeddings">Tie the output layer to the target embedding (<c>logits = y E^T + b</c>, Press &amp; Wolf 2017, as the paper
/// does); the source embedding stays separate because the vocabularies are separate.</param>
/// <param name="WordDropout">Word dropout (<see cref="Sequence.WordDropout"/>): in training, each source word and each decoder input word (not <c>&lt;s&gt;</c>) is read as <c>&lt;unk&gt;</c> with this probability; not written when 0, so older checkpoints keep their identity.</param>
public sealed record TransformerOptions(int SourceVocab = 0, int TargetVocab = 0, int ModelDim = 128, int Heads = 4, int Layers = 2, int FeedForward = 256,
    double Dropout = 0.1, bool PreNorm = true, int MaxSourceLength = 64, int MaxTargetLength = 64, double LabelSmoothing = 0.1,
    bool LearnedPositions = false, bool ShareEmbeddings = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    double WordDropout = 0)
{
    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        if (SourceVocab < 5 || TargetVocab < 5) throw new ArgumentException($"vocabularies need at least 5 symbols; got source {SourceVocab}, target {TargetVocab}");
        if (ModelDim < 2 || Heads < 1 || ModelDim % Heads != 0 || ModelDim % 2 != 0)
            throw new ArgumentException($"model dim must be even and a multiple of heads; got dim {ModelDim}, heads {Heads}");
        if (Layers < 1 || FeedForward < 1) throw new ArgumentException($"layers and feed-forward must be positive; got {Layers}, {FeedForward}");
        if (Dropout < 0 || Dropout >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        if (MaxSourceLength < 1 || MaxTargetLength < 1) throw new ArgumentException($"max lengths must be positive; got {MaxSourceLength}, {MaxTargetLength}");
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) throw new ArgumentException($"label smoothing must be in [0, 1); got {LabelSmoothing}");
        if (WordDropout < 0 || WordDropout >= 1) throw new ArgumentException($"word dropout must be in [0, 1); got {WordDropout}");
    }
}
