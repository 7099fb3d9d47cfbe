using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Baselines;

/// <summary>The non-attention baseline network (stored as fc, conv).</summary>
[JsonConverter(typeof(VariantJsonConverter<BaselineModel>))]
public enum BaselineModel
{
    /// <summary>Fully connected ReLU layers.</summary>
    [JsonStringEnumMemberName("fc")] Fc,
    /// <summary>One convolutional layer, then a fully connected ReLU layer.</summary>
    [JsonStringEnumMemberName("conv")] Conv,
}

/// <summary>
/// Options of the non-attention baselines of Mnih et al. 2014 ("Recurrent Models of Visual Attention", Table 1):
/// a fully connected net with two hidden layers of 256 ReLU units, and a convolutional net with one convolutional
/// layer (8 filters of 10x10, stride 5) followed by a 256-unit fully connected ReLU layer.
/// </summary>
/// <param name="Model"><c>fc</c> or <c>conv</c>.</param>
/// <param name="Height">Input height.</param>
/// <param name="Width">Input width.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Hidden">Units of each fully connected hidden layer.</param>
/// <param name="FcLayers">Hidden layers of the fc model.</param>
/// <param name="ConvFilters">Filters of the conv layer.</param>
/// <param name="ConvKernel">Kernel size of the conv layer.</param>
/// <param name="ConvStride">Stride of the conv layer.</param>
/// <param name="Dropout">Dropout before the output layer (0 = none).</param>
public sealed record BaselineOptions(
    BaselineModel Model = BaselineModel.Fc, int Height = 28, int Width = 28, int Classes = 10, int Hidden = 256, int FcLayers = 2,
    int ConvFilters = 8, int ConvKernel = 10, int ConvStride = 5, double Dropout = 0.0)
{
    /// <summary>Checks the values, naming the bad one.</summary>
    public void Validate()
    {
        Variant.Check(Model, nameof(Model));
        if (Height < 1 || Width < 1) throw new ArgumentException($"image size must be positive; got {Height}x{Width}");
        if (Classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {Classes}");
        if (Hidden < 1 || FcLayers < 1) throw new ArgumentException("hidden units and layers must be positive");
        if (Model == BaselineModel.Conv && (ConvKernel > Math.Min(Height, Width) || ConvStride < 1))
            throw new ArgumentException($"conv kernel {ConvKernel} (stride {ConvStride}) does not fit a {Height}x{Width} image");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"dropout must be in [0, 1); got {Dropout}");
    }
}
