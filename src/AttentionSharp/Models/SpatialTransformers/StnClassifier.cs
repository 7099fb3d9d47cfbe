using AttentionSharp.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.SpatialTransformers;

/// <summary>The CNN or ST-CNN classifier of <see cref="StnOptions"/>: images <c>(B, 1, H, W)</c> to logits <c>(B, classes)</c>.</summary>
public sealed class StnClassifier : nn.Module<Tensor, Tensor>
{
    readonly SpatialTransformer? transformer;
    readonly Sequential body;

    /// <summary>Builds the network described by <paramref name="options"/>.</summary>
    public StnClassifier(StnOptions options) : base("StnClassifier")
    {
        options.Validate();
        Options = options;
        if (options.Model == StnModel.StCnn) transformer = new SpatialTransformer(1, options.Height, options.Width, options.AttentionOnly);
        long h = ((options.Height - 4) / 2 - 4) / 2, w = ((options.Width - 4) / 2 - 4) / 2;
        body = nn.Sequential(
            ("conv1", Layers.Conv2d(1, options.Filters1, 5)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", Layers.Conv2d(options.Filters1, options.Filters2, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", Layers.Linear(options.Filters2 * h * w, options.Hidden)), ("fc_relu", nn.ReLU()),
            ("out", Layers.Linear(options.Hidden, options.Classes)));
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public StnOptions Options { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor images) => Forward(images).Logits;

    /// <summary>Logits, the transformed input (the input itself for the CNN) and theta <c>(B, 2, 3)</c> (null for the CNN).</summary>
    public (Tensor Logits, Tensor Transformed, Tensor? Theta) Forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != Options.Height || images.shape[3] != Options.Width)
            throw new ArgumentException($"images must be (batch, 1, {Options.Height}, {Options.Width}); got ({string.Join(", ", images.shape)})");
        if (transformer == null) return (body.forward(images), images, null);
        var (t, theta) = transformer.Forward(images);
        return (body.forward(t), t, theta);
    }
}
