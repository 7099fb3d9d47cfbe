namespace AttentionSharp.Models.Tagging;

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
    string Model = "bilstm-crf",
    int Words = 0, int Chars = 0, int Features = 0, int Tags = 0,
    int WordDim = 100, bool UseChars = true, int CharDim = 30, int CharFilters = 50,
    int Hidden = 128, int FeatureDim = 16, int Heads = 4, double Dropout = 0.25, bool BioConstraints = false)
{
    /// <summary>The model names.</summary>
    public static readonly string[] Models = ["crf", "bilstm-crf", "bilstm-crf-attn"];

    /// <summary>Whether the model reads the feature templates (else words and characters).</summary>
    public bool UsesFeatures => Model == "crf";

    /// <summary>Checks the values, naming the bad one.</summary>
    public TaggerOptions Validate()
    {
        if (!Models.Contains(Model)) throw new ArgumentException($"unknown tagger '{Model}'; expected one of {string.Join(", ", Models)}");
        if (Tags < 1) throw new ArgumentException($"a tagger needs at least one tag; got {Tags}");
        if (UsesFeatures && (Features < 2 || FeatureDim < 1)) throw new ArgumentException($"the feature CRF needs features and FeatureDim >= 1; got {Features} features, FeatureDim {FeatureDim}");
        if (!UsesFeatures && (Words < 2 || WordDim < 1 || Hidden < 1)) throw new ArgumentException($"the BiLSTM needs a word lexicon, WordDim >= 1 and Hidden >= 1; got {Words}, {WordDim}, {Hidden}");
        if (!UsesFeatures && UseChars && (Chars < 2 || CharDim < 1 || CharFilters < 1)) throw new ArgumentException($"the character CNN needs characters, CharDim and CharFilters >= 1; got {Chars}, {CharDim}, {CharFilters}");
        if (Model == "bilstm-crf-attn" && (Heads < 1 || 2 * Hidden % Heads != 0)) throw new ArgumentException($"--heads must divide 2 x hidden = {2 * Hidden}; got {Heads}");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
        return this;
    }
}
