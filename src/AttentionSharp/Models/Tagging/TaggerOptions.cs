using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Tagging;

/// <summary>The tagger (stored as crf, bilstm-crf, bilstm-crf-attn; also the suffix of the checkpoint kind tag/...).</summary>
[JsonConverter(typeof(VariantJsonConverter<TaggerModel>))]
public enum TaggerModel
{
    /// <summary>A linear-chain CRF on hand-made features.</summary>
    [JsonStringEnumMemberName("crf")] Crf,
    /// <summary>BiLSTM-CRF (Huang et al. 2015; Lample et al. 2016).</summary>
    [JsonStringEnumMemberName("bilstm-crf")] BiLstmCrf,
    /// <summary>BiLSTM-CRF with multi-head self-attention over the BiLSTM states.</summary>
    [JsonStringEnumMemberName("bilstm-crf-attn")] BiLstmCrfAttention,
}

/// <summary>Options of the three CRF taggers; the sizes of the lexicons are filled in from the data.</summary>
/// <param name="Model"><c>crf</c> (CRF on hand-made features), <c>bilstm-crf</c> or <c>bilstm-crf-attn</c>.</param>
/// <param name="Words">Word lexicon size (specials included).</param>
/// <param name="Chars">Character lexicon size.</param>
/// <param name="Features">Feature lexicon size.</param>
/// <param name="Tags">Number of tags.</param>
/// <param name="WordDim">Word embedding size.</param>
/// <param name="UseChars">Add a character CNN to the word embeddings (Ma and Hovy 2016).</param>
/// <param name="CharDim">Character embedding size.</param>
/// <param name="CharFilters">Filters of the width-3 character convolution.</param>
/// <param name="Hidden">LSTM units per direction.</param>
/// <param name="FeatureDim">Rank of the feature CRF's emission map (features -> FeatureDim -> tags).</param>
/// <param name="Heads">Attention heads of <c>bilstm-crf-attn</c>.</param>
/// <param name="Dropout">Dropout on embeddings and LSTM outputs.</param>
/// <param name="BioConstraints">Decode with BIO validity constraints.</param>
public sealed record TaggerOptions(
    TaggerModel Model = TaggerModel.BiLstmCrf,
    int Words = 0, int Chars = 0, int Features = 0, int Tags = 0,
    int WordDim = 100, bool UseChars = true, int CharDim = 30, int CharFilters = 50,
    int Hidden = 128, int FeatureDim = 16, int Heads = 4, double Dropout = 0.25, bool BioConstraints = false)
{
    /// <summary>Whether the model reads the feature templates (else words and characters).</summary>
    public bool UsesFeatures => Model == TaggerModel.Crf;

    /// <summary>Checks the values, naming the bad one.</summary>
    public TaggerOptions Validate()
    {
        Variant.Check(Model, nameof(Model));
        if (Tags < 1) throw new ArgumentException($"a tagger needs at least one tag; got {Tags}");
        if (UsesFeatures && (Features < 2 || FeatureDim < 1)) throw new ArgumentException($"the feature CRF needs features and FeatureDim >= 1; got {Features} features, FeatureDim {FeatureDim}");
        if (!UsesFeatures && (Words < 2 || WordDim < 1 || Hidden < 1)) throw new ArgumentException($"the BiLSTM needs a word lexicon, WordDim >= 1 and Hidden >= 1; got {Words}, {WordDim}, {Hidden}");
        if (!UsesFeatures && UseChars && (Chars < 2 || CharDim < 1 || CharFilters < 1)) throw new ArgumentException($"the character CNN needs characters, CharDim and CharFilters >= 1; got {Chars}, {CharDim}, {CharFilters}");
        if (Model == TaggerModel.BiLstmCrfAttention && (Heads < 1 || 2 * Hidden % Heads != 0)) throw new ArgumentException($"--heads must divide 2 x hidden = {2 * Hidden}; got {Heads}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        return this;
    }
}
