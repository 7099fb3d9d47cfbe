using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Captioning;

/// <summary>How the captioner looks at the image (stored in checkpoints by the names soft, hard, none).</summary>
[JsonConverter(typeof(VariantJsonConverter<CaptionAttention>))]
public enum CaptionAttention
{
    /// <summary>Deterministic soft attention: the expected context, beta gate, doubly stochastic penalty (section 4.2).</summary>
    [JsonStringEnumMemberName("soft")] Soft,
    /// <summary>Stochastic hard attention: one sampled region, trained by REINFORCE (section 4.1).</summary>
    [JsonStringEnumMemberName("hard")] Hard,
    /// <summary>No attention (Vinyals et al. 2015): the mean of the regions sets the initial state.</summary>
    [JsonStringEnumMemberName("none")] None,
}

/// <summary>Where the region features come from (stored in checkpoints by the names cnn, resnet18).</summary>
[JsonConverter(typeof(VariantJsonConverter<CaptionEncoder>))]
public enum CaptionEncoder
{
    /// <summary>The small CNN of <see cref="RegionEncoder"/>, trained from scratch with the decoder: a (S/8)^2 grid.</summary>
    [JsonStringEnumMemberName("cnn")] Cnn,
    /// <summary>
    /// A frozen ImageNet-pretrained ResNet-18 (<see cref="Interop.Onnx.ImageNetRegions"/>): a 7x7 grid of 512-channel vectors,
    /// computed once per image before training, as Xu et al. 2015 did with VGG (section 4.3).
    /// </summary>
    [JsonStringEnumMemberName("resnet18")] ResNet18,
}

/// <summary>Which LSTM state asks where to look, and where the context goes (stored in checkpoints by the names below).</summary>
[JsonConverter(typeof(VariantJsonConverter<CaptionAttendFrom>))]
public enum CaptionAttendFrom
{
    /// <summary>
    /// Xu et al. 2015 (eq. 4-7): <c>alpha_t</c> from the previous state <c>h_{t-1}</c>; the context <c>z_t</c> enters the LSTM
    /// with the previous word and the deep output layer.
    /// </summary>
    [JsonStringEnumMemberName("previous")] Previous,
    /// <summary>
    /// Lu et al. 2017 ("Knowing When to Look", section 2.2, their spatial attention): the LSTM reads only the previous word,
    /// <c>alpha_t</c> comes from the current state <c>h_t</c>, and <c>z_t</c> goes only to the output layer. Nothing of the image
    /// carries over to the next word except through the words, so a word about the image can only use what is attended at it.
    /// </summary>
    [JsonStringEnumMemberName("current")] Current,
    /// <summary>
    /// As <see cref="Current"/>, and the context is also fed to the LSTM at the next step with the word (Luong et al. 2015's
    /// input feeding), so that the decoder remembers what it looked at (e.g. where the first object of a relation was).
    /// </summary>
    [JsonStringEnumMemberName("current-fed")] CurrentFed,
}

/// <summary>
/// The options of a Show, Attend and Tell captioner (Xu et al. 2015), with the paper's choices where they apply at this scale:
/// soft attention with the gating scalar beta (section 4.2.1) and the doubly stochastic penalty lambda = 1 (eq. 14); hard
/// attention trained by REINFORCE with a moving-average baseline and an entropy bonus (eq. 12), the sampled location
/// replaced by its expectation for half of the images (section 4.1); the deep output layer (eq. 7). <c>none</c> is the
/// Vinyals et al. 2015 baseline: the mean of the region features sets the LSTM's initial state and nothing else.
/// </summary>
/// <param name="Vocabulary">Output ids, special tokens included.</param>
/// <param name="Attention">Soft, hard or none.</param>
/// <param name="ImageSize">Side of the square grey input images (a multiple of 8): the encoder gives a (ImageSize/8)^2 grid of regions.</param>
/// <param name="Features">Channels D of each region feature a_i.</param>
/// <param name="Embedding">Word embedding size m (also the deep output layer's size).</param>
/// <param name="Hidden">LSTM units n.</param>
/// <param name="AttentionHidden">Hidden size of the additive score f_att.</param>
/// <param name="Gate">Soft attention: scale the context by beta_t = sigmoid(f_beta(h_{t-1})).</param>
/// <param name="DoublyStochastic">Soft attention: lambda of the penalty sum_i (1 - sum_t alpha_ti)^2 (0 = off).</param>
/// <param name="EntropyBonus">Hard attention: lambda_e of the entropy of the attention distribution (added to the objective).</param>
/// <param name="ReinforceWeight">Hard attention: lambda_r of the REINFORCE term.</param>
/// <param name="BaselineDecay">Hard attention: the moving-average baseline b_k = decay b_{k-1} + (1 - decay) log p(y | s, a).</param>
/// <param name="HardExpectation">Hard attention: share of training images whose sampled location is replaced by its expectation (the soft context); the paper uses 0.5.</param>
/// <param name="MaxLength">Most words a generated caption may have (EOS included).</param>
/// <param name="Encoder">Where the region features come from: the CNN trained with the decoder, or a frozen pretrained ResNet-18 (then <paramref name="Features"/> must be 512).</param>
/// <param name="ImageStart">
/// The LSTM's initial state from the mean of the regions (Xu et al. section 3.1.2; true) or zeros (false, attention models
/// only): then the image reaches the decoder only through what it attends to, so it cannot name an object it has not looked at.
/// </param>
/// <param name="AttendFrom">Attention models: which state asks where to look and where the context goes (<see cref="CaptionAttendFrom"/>).</param>
/// <param name="RegionContext">Pre-norm Transformer encoder layers (Vaswani et al. 2017; 4 heads, feed-forward 2D, no dropout)
/// over the region features before the decoder reads them, so that each region's annotation can say what is around it
/// beyond the CNN's 22-pixel receptive field; 0 = none, the paper's annotations.</param>
public sealed record CaptionOptions(int Vocabulary, CaptionAttention Attention = CaptionAttention.Soft, int ImageSize = 64, int Features = 64, int Embedding = 64, int Hidden = 128,
    int AttentionHidden = 64, bool Gate = true, double DoublyStochastic = 1.0, double EntropyBonus = 0.01, double ReinforceWeight = 1.0,
    double BaselineDecay = 0.9, double HardExpectation = 0.5, int MaxLength = 20, CaptionEncoder Encoder = CaptionEncoder.Cnn,
    bool ImageStart = true, CaptionAttendFrom AttendFrom = CaptionAttendFrom.Previous, int RegionContext = 0)
{
    /// <summary>Heads of each <see cref="RegionContext"/> layer.</summary>
    public const int RegionContextHeads = 4;

    /// <summary>Side of the region grid: ImageSize / 8 for the CNN (three 2x2 poolings), 7 for ResNet-18.</summary>
    public int Grid => Encoder == CaptionEncoder.ResNet18 ? Interop.Onnx.ImageNetRegions.Grid : ImageSize / 8;

    /// <summary>Whether the model reads precomputed region features <c>(B, L, D)</c> instead of images.</summary>
    public bool FrozenEncoder => Encoder != CaptionEncoder.Cnn;

    /// <summary>Number of regions L.</summary>
    public int Regions => Grid * Grid;

    /// <summary>Whether the decoder attends to the regions.</summary>
    public bool UsesAttention => Attention != CaptionAttention.None;

    /// <summary>Whether the LSTM reads a context with the word: the current one (<see cref="CaptionAttendFrom.Previous"/>) or the previous step's (<see cref="CaptionAttendFrom.CurrentFed"/>).</summary>
    public bool LstmReadsContext => UsesAttention && AttendFrom != CaptionAttendFrom.Current;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Vocabulary < 5) throw new ArgumentException($"Vocabulary must be >= 5 (four special tokens and a word); got {Vocabulary}");
        Variant.Check(Attention, nameof(Attention));
        if (ImageSize < 16 || ImageSize % 8 != 0) throw new ArgumentException($"ImageSize must be a multiple of 8 and at least 16; got {ImageSize}");
        if (Features < 1) throw new ArgumentException($"Features must be >= 1; got {Features}");
        Variant.Check(Encoder, nameof(Encoder));
        if (Encoder == CaptionEncoder.ResNet18 && Features != Interop.Onnx.ImageNetRegions.Channels)
            throw new ArgumentException($"Features must be {Interop.Onnx.ImageNetRegions.Channels} with the ResNet-18 encoder (its region vectors); got {Features}");
        if (Embedding < 1) throw new ArgumentException($"Embedding must be >= 1; got {Embedding}");
        if (Hidden < 1) throw new ArgumentException($"Hidden must be >= 1; got {Hidden}");
        if (AttentionHidden < 1) throw new ArgumentException($"AttentionHidden must be >= 1; got {AttentionHidden}");
        if (!(DoublyStochastic >= 0)) throw new ArgumentException($"DoublyStochastic must be >= 0; got {DoublyStochastic}");
        if (!(EntropyBonus >= 0)) throw new ArgumentException($"EntropyBonus must be >= 0; got {EntropyBonus}");
        if (!(ReinforceWeight >= 0)) throw new ArgumentException($"ReinforceWeight must be >= 0; got {ReinforceWeight}");
        if (!(BaselineDecay >= 0 && BaselineDecay < 1)) throw new ArgumentException($"BaselineDecay must be in [0, 1); got {BaselineDecay}");
        if (!(HardExpectation >= 0 && HardExpectation <= 1)) throw new ArgumentException($"HardExpectation must be in [0, 1]; got {HardExpectation}");
        if (MaxLength < 2) throw new ArgumentException($"MaxLength must be >= 2; got {MaxLength}");
        if (RegionContext < 0 || RegionContext > 8) throw new ArgumentException($"RegionContext must be 0 (none) to 8 layers; got {RegionContext}");
        if (RegionContext > 0 && Features % (2 * RegionContextHeads) != 0)
            throw new ArgumentException($"RegionContext layers need Features divisible by {2 * RegionContextHeads} ({RegionContextHeads} heads of even size); got {Features}");
        Variant.Check(AttendFrom, nameof(AttendFrom));
        if (!UsesAttention && AttendFrom != CaptionAttendFrom.Previous)
            throw new ArgumentException($"AttendFrom must be previous without attention (there is no context to place); got {Variant.Name(AttendFrom)}");
        if (!ImageStart && !UsesAttention) throw new ArgumentException("ImageStart must be true without attention: the initial state is the only way the image reaches that decoder");
    }
}
