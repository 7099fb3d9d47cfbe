using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>The recurrent decoder (stored as none, bahdanau, luong-dot, luong-general, luong-concat, luong-location, luong-local-m, luong-local-p).</summary>
[JsonConverter(typeof(VariantJsonConverter<Seq2SeqArch>))]
public enum Seq2SeqArch
{
    /// <summary>No attention: the decoder starts from the encoder's final states (Cho et al. 2014; Sutskever et al. 2014).</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Additive attention before the RNN step (Bahdanau et al. 2015).</summary>
    [JsonStringEnumMemberName("bahdanau")] Bahdanau,
    /// <summary>Luong et al. 2015, global attention with the dot score.</summary>
    [JsonStringEnumMemberName("luong-dot")] LuongDot,
    /// <summary>Luong et al. 2015, global attention with the general (bilinear) score.</summary>
    [JsonStringEnumMemberName("luong-general")] LuongGeneral,
    /// <summary>Luong et al. 2015, global attention with the concat score.</summary>
    [JsonStringEnumMemberName("luong-concat")] LuongConcat,
    /// <summary>Luong et al. 2015, location-based attention (scores from the target state only).</summary>
    [JsonStringEnumMemberName("luong-location")] LuongLocation,
    /// <summary>Luong et al. 2015, local attention with a monotonic window.</summary>
    [JsonStringEnumMemberName("luong-local-m")] LuongLocalM,
    /// <summary>Luong et al. 2015, local attention with a predicted window.</summary>
    [JsonStringEnumMemberName("luong-local-p")] LuongLocalP,
}

/// <summary>Options of the recurrent encoder-decoder (one record for CLI, tests and benchmarks).</summary>
/// <param name="Arch">Decoder: <c>none</c>, <c>bahdanau</c>, <c>luong-dot</c>, <c>luong-general</c>, <c>luong-concat</c>, <c>luong-location</c>, <c>luong-local-m</c> or <c>luong-local-p</c>.</param>
/// <param name="SourceVocab">Source vocabulary size.</param>
/// <param name="TargetVocab">Target vocabulary size.</param>
/// <param name="Embedding">Embedding size of source and target tokens.</param>
/// <param name="Hidden">Encoder RNN units per direction; the decoder has <c>2 * Hidden</c> units (so dot scores need no projection).</param>
/// <param name="Dropout">Dropout on embeddings and decoder outputs (training only).</param>
/// <param name="Window">Half-width <c>D</c> of the local-m/local-p window.</param>
/// <param name="MaxSourceLength">Longest source (symbols) accepted.</param>
/// <param name="MaxTargetLength">Longest output decoded (symbols, EOS included).</param>
/// <param name="LabelSmoothing">Label smoothing of the training loss.</param>
/// <param name="EncoderCell">Encoder RNN: GRU (null, the default, also means GRU, so older checkpoints keep their options; stored as <c>gru</c>) or LSTM (stored as <c>lstm</c>).</param>
/// <param name="ShareEmbeddings">Tie the output layer to the target embedding (Press &amp; Wolf 2017; Inan et al. 2017): <c>logits = (P o_t) E^T + b</c>,
/// with a projection <c>P</c> from the decoder's <c>2 * Hidden</c> units to the embedding size when they differ; not written when false.</param>
/// <param name="EncoderLayers">Stacked bidirectional encoder layers, each reading the annotations of the one below through dropout
/// (<see cref="Dropout"/>, as Zaremba et al. 2014 and Luong et al. 2015 drop between layers); null (1, the default) is not written.</param>
/// <param name="WordDropout">Word dropout (<see cref="Sequence.WordDropout"/>): in training, each source word and each decoder input word (not <c>&lt;s&gt;</c>) is read as <c>&lt;unk&gt;</c> with this probability; not written when 0, so older checkpoints keep their identity.</param>
public sealed record Seq2SeqOptions(
    Seq2SeqArch Arch = Seq2SeqArch.Bahdanau, int SourceVocab = 0, int TargetVocab = 0, int Embedding = 64, int Hidden = 128, double Dropout = 0.1,
    int Window = 5, int MaxSourceLength = 64, int MaxTargetLength = 64, double LabelSmoothing = 0.0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Sequence.RnnCell? EncoderCell = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    double WordDropout = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    bool ShareEmbeddings = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    int? EncoderLayers = null)
{
    /// <summary>Stacked bidirectional encoder layers (<see cref="EncoderLayers"/>, null meaning 1).</summary>
    public int Layers => EncoderLayers ?? 1;

    /// <summary>The encoder's cell.</summary>
    public Sequence.RnnCell Cell => EncoderCell ?? Sequence.RnnCell.Gru;

    /// <summary>Every recurrent decoder architecture, by name.</summary>
    public static string[] Architectures => Variant.Names<Seq2SeqArch>();

    /// <summary>Decoder hidden size.</summary>
    public int DecoderHidden => 2 * Hidden;

    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        Variant.Check(Arch, nameof(Arch));
        if (SourceVocab < 5 || TargetVocab < 5) throw new ArgumentException($"vocabularies need at least 5 symbols (4 specials + 1); got source {SourceVocab}, target {TargetVocab}");
        if (Embedding < 1 || Hidden < 1) throw new ArgumentException($"embedding and hidden must be positive; got {Embedding}, {Hidden}");
        if (Dropout < 0 || Dropout >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        if (Window < 1) throw new ArgumentException($"window must be >= 1; got {Window}");
        if (MaxSourceLength < 1 || MaxTargetLength < 1) throw new ArgumentException($"max lengths must be positive; got {MaxSourceLength}, {MaxTargetLength}");
        Variant.Check(Cell, nameof(EncoderCell));
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) throw new ArgumentException($"label smoothing must be in [0, 1); got {LabelSmoothing}");
        if (WordDropout < 0 || WordDropout >= 1) throw new ArgumentException($"word dropout must be in [0, 1); got {WordDropout}");
        if (Layers is < 1 or > 16) throw new ArgumentException($"encoder layers must be in 1..16; got {Layers}");
    }
}
