using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Vision;

/// <summary>
/// Convolutional Block Attention Module (Woo et al. 2018, eq. 1): <c>F' = M_c(F) * F</c>, <c>F'' = M_s(F') * F'</c>,
/// channel attention (average and max pooled, shared MLP) followed by spatial attention.
/// </summary>
public sealed class CbamBlock : nn.Module<Tensor, Tensor>
{
    readonly ChannelAttention channel;
    readonly SpatialAttention spatial;

    /// <summary>Creates the block for <paramref name="channels"/> channels.</summary>
    public CbamBlock(long channels, int reduction = 16, int kernelSize = 7) : base("CbamBlock")
    {
        channel = new ChannelAttention(channels, reduction, useMaxPool: true);
        spatial = new SpatialAttention(kernelSize);
        RegisterComponents();
    }

    /// <summary>The refined features <c>(B, C, H, W)</c>.</summary>
    public override Tensor forward(Tensor x) => Forward(x).Output;

    /// <summary>The refined features, the channel weights <c>(B, C, 1, 1)</c> and the spatial map <c>(B, 1, H, W)</c>.</summary>
    public (Tensor Output, Tensor ChannelWeights, Tensor SpatialMap) Forward(Tensor x)
    {
        var (f1, wc) = channel.Forward(x);
        var (f2, ms) = spatial.Forward(f1);
        return (f2, wc, ms);
    }
}
