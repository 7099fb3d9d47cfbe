using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Segmentation;

/// <summary>The segmentation network (stored as unet, attention-unet).</summary>
[JsonConverter(typeof(VariantJsonConverter<SegmentationModel>))]
public enum SegmentationModel
{
    /// <summary>U-Net (Ronneberger et al. 2015).</summary>
    [JsonStringEnumMemberName("unet")] UNet,
    /// <summary>Attention U-Net: attention gates on the skip connections (Oktay et al. 2018).</summary>
    [JsonStringEnumMemberName("attention-unet")] AttentionUNet,
}

/// <summary>
/// Options of the 2-D U-Net (Ronneberger et al. 2015) and Attention U-Net (Oktay et al. 2018) segmenters: an encoder of
/// <c>Depth + 1</c> levels of two 3x3 conv-BN-ReLU layers (<c>BaseFilters * 2^l</c> filters, 2x2 max pooling between
/// levels), a decoder with 2x2 transposed-convolution upsampling and concatenated skip connections, and a 1x1 head.
/// </summary>
/// <param name="Model"><c>unet</c> or <c>attention-unet</c>.</param>
/// <param name="InChannels">Input image channels.</param>
/// <param name="Classes">Output classes, background included.</param>
/// <param name="BaseFilters">Filters of the finest level.</param>
/// <param name="Depth">Number of down-sampling steps (the input side must be divisible by 2^Depth).</param>
/// <param name="GateFinestLevel">Attention U-Net only: also gate the finest skip connection (Oktay et al. gate every level but the finest).</param>
/// <param name="DiceWeight">Weight of the soft Dice term added to the cross-entropy loss.</param>
public sealed record SegmentationOptions(
    SegmentationModel Model = SegmentationModel.UNet, int InChannels = 1, int Classes = 11, int BaseFilters = 8, int Depth = 3,
    bool GateFinestLevel = false, double DiceWeight = 1.0)
{
    /// <summary>Whether this is the gated variant.</summary>
    public bool Gated => Model == SegmentationModel.AttentionUNet;

    /// <summary>Checks the values, naming the bad one.</summary>
    public void Validate()
    {
        Variant.Check(Model, nameof(Model));
        if (InChannels < 1) throw new ArgumentException($"input channels must be positive; got {InChannels}");
        if (Classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {Classes}");
        if (BaseFilters < 1) throw new ArgumentException($"base filters must be positive; got {BaseFilters}");
        if (Depth is < 1 or > 6) throw new ArgumentException($"depth must be in 1..6; got {Depth}");
        if (DiceWeight < 0 || double.IsNaN(DiceWeight)) throw new ArgumentException($"Dice weight must be non-negative; got {DiceWeight}");
    }
}
