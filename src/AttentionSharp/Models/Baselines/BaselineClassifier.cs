using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Baselines;

/// <summary>The fc or conv baseline image classifier of <see cref="BaselineOptions"/>: images <c>(B, 1, H, W)</c> to logits <c>(B, classes)</c>.</summary>
public sealed class BaselineClassifier : nn.Module<Tensor, Tensor>
{
    readonly Sequential body;

    /// <summary>Builds the network described by <paramref name="options"/>.</summary>
    public BaselineClassifier(BaselineOptions options) : base("BaselineClassifier")
    {
        options.Validate();
        Options = options;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long features;
        if (options.Model == BaselineModel.Fc)
        {
            layers.Add(("flatten", nn.Flatten()));
            features = (long)options.Height * options.Width;
            for (int i = 0; i < options.FcLayers; i++)
            {
                layers.Add(($"fc{i + 1}", Layers.Linear(features, options.Hidden)));
                layers.Add(($"relu{i + 1}", nn.ReLU()));
                features = options.Hidden;
            }
        }
        else
        {
            layers.Add(("conv", Layers.Conv2d(1, options.ConvFilters, options.ConvKernel, stride: options.ConvStride)));
            layers.Add(("conv_relu", nn.ReLU()));
            layers.Add(("flatten", nn.Flatten()));
            long oh = (options.Height - options.ConvKernel) / options.ConvStride + 1;
            long ow = (options.Width - options.ConvKernel) / options.ConvStride + 1;
            layers.Add(("fc", Layers.Linear(options.ConvFilters * oh * ow, options.Hidden)));
            layers.Add(("fc_relu", nn.ReLU()));
            features = options.Hidden;
        }
        if (options.Dropout > 0) layers.Add(("dropout", nn.Dropout(options.Dropout)));
        layers.Add(("out", Layers.Linear(features, options.Classes)));
        body = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public BaselineOptions Options { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != Options.Height || images.shape[3] != Options.Width)
            throw new ArgumentException($"images must be (batch, 1, {Options.Height}, {Options.Width}); got ({string.Join(", ", images.shape)})");
        return body.forward(images);
    }
}
