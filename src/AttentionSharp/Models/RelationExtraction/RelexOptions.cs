using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>The sentence encoder of relation extraction (stored as pcnn, cnn).</summary>
[JsonConverter(typeof(VariantJsonConverter<RelexEncoder>))]
public enum RelexEncoder
{
    /// <summary>Piecewise max pooling: three pieces split by the two entities (Zeng et al. 2015).</summary>
    [JsonStringEnumMemberName("pcnn")] Pcnn,
    /// <summary>One max over the sentence (Zeng et al. 2014).</summary>
    [JsonStringEnumMemberName("cnn")] Cnn,
}

/// <summary>How relation extraction combines a bag's sentences (stored as att, ave, one, sent).</summary>
[JsonConverter(typeof(VariantJsonConverter<RelexAggregator>))]
public enum RelexAggregator
{
    /// <summary>Selective attention over the sentences, queried by the relation (Lin et al. 2016).</summary>
    [JsonStringEnumMemberName("att")] Att,
    /// <summary>The mean of the sentence vectors.</summary>
    [JsonStringEnumMemberName("ave")] Ave,
    /// <summary>At-least-one: the bag is judged by its most confident sentence (Zeng et al. 2015).</summary>
    [JsonStringEnumMemberName("one")] One,
    /// <summary>A sentence-level classifier trained on every sentence with its bag's label.</summary>
    [JsonStringEnumMemberName("sent")] Sent,
}

/// <summary>
/// Options of the bag-level relation extractor: a CNN or PCNN sentence encoder over word and position embeddings
/// (Zeng et al. 2014; Zeng et al. 2015, "Distant Supervision for Relation Extraction via Piecewise Convolutional Neural
/// Networks") and a bag aggregator (Lin et al. 2016, "Neural Relation Extraction with Selective Attention over
/// Instances"). Defaults are the papers' settings: word dimension 50, position dimension 5, window 3, 230 filters,
/// dropout 0.5.
/// </summary>
/// <param name="VocabularySize">Word vocabulary entries (padding and unknown included).</param>
/// <param name="Relations">Relations, NA included (NA is class 0).</param>
/// <param name="Encoder"><c>pcnn</c> (piecewise max pooling: three pieces split by the two entities) or <c>cnn</c> (one max over the sentence).</param>
/// <param name="Aggregator">
/// <c>att</c> (selective attention: the bag vector is an attention-weighted sum of its sentences, queried by the relation's
/// embedding), <c>ave</c> (the mean of the sentences), <c>one</c> (at-least-one: train on the sentence that best supports
/// the bag's label, score a relation by its best sentence), or <c>sent</c> (a sentence-level classifier: every sentence
/// trained with its bag's label, a relation scored by its best sentence).
/// </param>
/// <param name="WordDim">Word embedding size d_w.</param>
/// <param name="PositionDim">Size d_p of each of the two position embeddings.</param>
/// <param name="Window">Convolution window w (odd).</param>
/// <param name="Filters">Convolution filters d_c (the sentence vector has d_c values, or 3 d_c with PCNN).</param>
/// <param name="Dropout">Dropout on the bag vector (att, ave) or the sentence vectors (one, sent) in training.</param>
/// <param name="MaxLength">Tokens kept per sentence (longer sentences are cut; an entity beyond the cut is moved to the last token).</param>
/// <param name="MaxDistance">Relative positions are clipped to [-MaxDistance, MaxDistance].</param>
/// <param name="WordDropout">
/// In training, each word is replaced by the unknown word with this probability (0: the papers' model), so that the model
/// learns to read sentences with words it has not seen (Iyyer et al. 2015's word dropout; not in Zeng's or Lin's papers).
/// </param>
public sealed record RelexOptions(int VocabularySize, int Relations, RelexEncoder Encoder = RelexEncoder.Pcnn, RelexAggregator Aggregator = RelexAggregator.Att, int WordDim = 50, int PositionDim = 5,
    int Window = 3, int Filters = 230, double Dropout = 0.5, int MaxLength = 120, int MaxDistance = 60,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] double WordDropout = 0)
{
    /// <summary>Pieces of the max pooling: 3 for PCNN, 1 for CNN.</summary>
    public int Pieces => Encoder == RelexEncoder.Pcnn ? 3 : 1;

    /// <summary>Size of a sentence vector: Filters x Pieces.</summary>
    public int SentenceDim => Filters * Pieces;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (VocabularySize < 3) throw new ArgumentException($"VocabularySize must be >= 3; got {VocabularySize}");
        if (Relations < 2) throw new ArgumentException($"Relations must be >= 2 (NA and one relation); got {Relations}");
        Variant.Check(Encoder, nameof(Encoder));
        Variant.Check(Aggregator, nameof(Aggregator));
        if (WordDim < 1) throw new ArgumentException($"WordDim must be >= 1; got {WordDim}");
        if (PositionDim < 1) throw new ArgumentException($"PositionDim must be >= 1; got {PositionDim}");
        if (Window < 1 || Window % 2 == 0) throw new ArgumentException($"Window must be odd and >= 1; got {Window}");
        if (Filters < 1) throw new ArgumentException($"Filters must be >= 1; got {Filters}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must be in [0, 1); got {Dropout}");
        if (MaxLength < 2) throw new ArgumentException($"MaxLength must be >= 2; got {MaxLength}");
        if (WordDropout is < 0 or >= 1) throw new ArgumentException($"WordDropout must be in [0, 1); got {WordDropout}");
        if (MaxDistance < 1) throw new ArgumentException($"MaxDistance must be >= 1; got {MaxDistance}");
    }
}
