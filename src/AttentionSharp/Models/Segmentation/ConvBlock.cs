using AttentionSharp.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Segmentation;

/// <summary>Two 3x3 convolutions, each followed by batch normalisation and ReLU (the U-Net level block); keeps H and W.</summary>
public sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    readonly Sequential layers;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels.</summary>
    public ConvBlock(long inChannels, long outChannels) : base("ConvBlock")
    {
        layers = nn.Sequential(
            ("conv1", Layers.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false)), ("bn1", new HeldBatchNorm2d(outChannels)), ("relu1", nn.ReLU()),
            ("conv2", Layers.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false)), ("bn2", new HeldBatchNorm2d(outChannels)), ("relu2", nn.ReLU()));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => layers.forward(x);
}
