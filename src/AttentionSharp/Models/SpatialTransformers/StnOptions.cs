using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.SpatialTransformers;

/// <summary>The distorted-MNIST classifier (stored as cnn, st-cnn).</summary>
[JsonConverter(typeof(VariantJsonConverter<StnModel>))]
public enum StnModel
{
    /// <summary>The plain CNN.</summary>
    [JsonStringEnumMemberName("cnn")] Cnn,
    /// <summary>The same CNN behind a spatial transformer (Jaderberg et al. 2015).</summary>
    [JsonStringEnumMemberName("st-cnn")] StCnn,
}

/// <summary>
/// Options of the CNN and ST-CNN classifiers (Jaderberg et al. 2015, sec. 4.1): two 5x5 conv + ReLU + 2x2 max-pool
/// layers and a hidden fully connected layer; the ST-CNN puts a <see cref="Vision.SpatialTransformer"/> in front.
/// </summary>
/// <param name="Model"><c>cnn</c> or <c>st-cnn</c>.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Filters1">Filters of the first conv layer.</param>
/// <param name="Filters2">Filters of the second conv layer.</param>
/// <param name="Hidden">Units of the hidden fully connected layer.</param>
/// <param name="AttentionOnly">ST-CNN: restrict the transform to scale and translation.</param>
public sealed record StnOptions(StnModel Model = StnModel.Cnn, int Height = 42, int Width = 42, int Classes = 10, int Filters1 = 16, int Filters2 = 32,
    int Hidden = 128, bool AttentionOnly = false)
{
    /// <summary>Checks the values, naming the bad one.</summary>
    public void Validate()
    {
        Variant.Check(Model, nameof(Model));
        if (Height < 12 || Width < 12) throw new ArgumentException($"images must be at least 12x12; got {Height}x{Width}");
        if (Classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {Classes}");
        if (Filters1 < 1 || Filters2 < 1 || Hidden < 1) throw new ArgumentException("filters and hidden units must be positive");
    }
}
