using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.QuestionAnswering;

/// <summary>How a visual question answering model combines the question and the image (stored in checkpoints as stacked, none, flat).</summary>
[JsonConverter(typeof(VariantJsonConverter<VqaAttention>))]
public enum VqaAttention
{
    /// <summary>Stacked attention (Yang et al. 2016): the question queries the regions, <see cref="VqaOptions.Hops"/> times.</summary>
    [JsonStringEnumMemberName("stacked")] Stacked,
    /// <summary>No attention: the mean of the region features and the question, fused by one tanh layer.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>
    /// No attention, but every region kept in place: the whole grid of region vectors flattened and mapped to one image vector
    /// by a linear layer (like the fc7 image vector of Antol et al. 2015's "LSTM Q + I"), fused with the question as in
    /// <see cref="None"/>. The stronger no-attention peer: it can read where things are.
    /// </summary>
    [JsonStringEnumMemberName("flat")] Flat,
}

/// <summary>
/// The options of a visual question answering model over a grid of image regions (issue 22): the stacked attention network of
/// Yang et al. 2016 ("Stacked Attention Networks for Image Question Answering") at this task's scale, or its no-attention peer.
/// </summary>
/// <param name="Vocabulary">Question word ids, special tokens included.</param>
/// <param name="Answers">Number of answers (the classifier's outputs).</param>
/// <param name="Attention">Stacked attention or none.</param>
/// <param name="ImageSize">Side of the square grey input images (a multiple of 8): a (ImageSize/8)^2 grid of regions.</param>
/// <param name="Features">Channels of the CNN's region features f_I.</param>
/// <param name="Embedding">Question word embedding size.</param>
/// <param name="Hidden">Size d of the image vectors v_I = tanh(W_I f_I + b_I), of the question vector v_Q (a bidirectional LSTM of d/2 units a direction: even) and of the query u.</param>
/// <param name="AttentionHidden">Size k of the attention layer's h_A (Yang et al. eq. 15).</param>
/// <param name="Hops">Attention layers K (SAN-1, SAN-2 ...); the paper found 2 best.</param>
/// <param name="Dropout">Dropout on u before the answer classifier (training only).</param>
public sealed record VqaOptions(int Vocabulary, int Answers, VqaAttention Attention = VqaAttention.Stacked, int ImageSize = 64, int Features = 64,
    int Embedding = 64, int Hidden = 128, int AttentionHidden = 64, int Hops = 2, double Dropout = 0.0)
{
    /// <summary>Side of the region grid (ImageSize / 8).</summary>
    public int Grid => ImageSize / 8;

    /// <summary>Number of regions L.</summary>
    public int Regions => Grid * Grid;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Vocabulary < 5) throw new ArgumentException($"Vocabulary must be >= 5 (four special tokens and a word); got {Vocabulary}");
        if (Answers < 2) throw new ArgumentException($"Answers must be >= 2; got {Answers}");
        Variant.Check(Attention, nameof(Attention));
        if (ImageSize < 16 || ImageSize % 8 != 0) throw new ArgumentException($"ImageSize must be a multiple of 8 and at least 16; got {ImageSize}");
        if (Features < 1) throw new ArgumentException($"Features must be >= 1; got {Features}");
        if (Embedding < 1) throw new ArgumentException($"Embedding must be >= 1; got {Embedding}");
        if (Hidden < 2 || Hidden % 2 != 0) throw new ArgumentException($"Hidden must be even and >= 2 (two LSTM directions of Hidden/2); got {Hidden}");
        if (AttentionHidden < 1) throw new ArgumentException($"AttentionHidden must be >= 1; got {AttentionHidden}");
        if (Attention == VqaAttention.Stacked && Hops < 1) throw new ArgumentException($"Hops must be >= 1 with stacked attention; got {Hops}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1); got {Dropout}");
    }
}
