namespace AttentionSharp.Models.Seq2Seq;

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
/// <param name="EncoderCell">Encoder RNN: <c>gru</c> (null, the default, also means GRU, so older checkpoints keep their options) or <c>lstm</c>.</param>
public sealed record Seq2SeqOptions(
    string Arch = "bahdanau", int SourceVocab = 0, int TargetVocab = 0, int Embedding = 64, int Hidden = 128, double Dropout = 0.1,
    int Window = 5, int MaxSourceLength = 64, int MaxTargetLength = 64, double LabelSmoothing = 0.0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? EncoderCell = null)
{
    /// <summary>The encoder's cell, <c>gru</c> or <c>lstm</c>.</summary>
    public string Cell => EncoderCell ?? "gru";

    /// <summary>Every recurrent decoder architecture.</summary>
    public static readonly string[] Architectures = ["none", "bahdanau", "luong-dot", "luong-general", "luong-concat", "luong-location", "luong-local-m", "luong-local-p"];

    /// <summary>Decoder hidden size.</summary>
    public int DecoderHidden => 2 * Hidden;

    /// <summary>Checks every value, naming the bad one.</summary>
    public void Validate()
    {
        if (!Architectures.Contains(Arch)) throw new ArgumentException($"arch must be one of {string.Join(", ", Architectures)}; got '{Arch}'");
        if (SourceVocab < 5 || TargetVocab < 5) throw new ArgumentException($"vocabularies need at least 5 symbols (4 specials + 1); got source {SourceVocab}, target {TargetVocab}");
        if (Embedding < 1 || Hidden < 1) throw new ArgumentException($"embedding and hidden must be positive; got {Embedding}, {Hidden}");
        if (Dropout < 0 || Dropout >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        if (Window < 1) throw new ArgumentException($"window must be >= 1; got {Window}");
        if (MaxSourceLength < 1 || MaxTargetLength < 1) throw new ArgumentException($"max lengths must be positive; got {MaxSourceLength}, {MaxTargetLength}");
        if (!Sequence.BiRnnEncoder.Cells.Contains(Cell)) throw new ArgumentException($"encoder cell must be one of {string.Join(", ", Sequence.BiRnnEncoder.Cells)}; got '{Cell}'");
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) throw new ArgumentException($"label smoothing must be in [0, 1); got {LabelSmoothing}");
    }
}
