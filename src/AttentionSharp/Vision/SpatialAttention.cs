using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>
/// CBAM spatial attention (Woo et al. 2018, "CBAM: Convolutional Block Attention Module", eq. 3):
/// <c>M_s = sigmoid(f^{k x k}([AvgPool_c(x); MaxPool_c(x)]))</c>, output <c>M_s * x</c>, pooling over channels.
/// </summary>
public sealed class SpatialAttention : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;

    /// <summary>Creates the block with a <paramref name="kernelSize"/> x <paramref name="kernelSize"/> convolution (odd; 7 in the paper).</summary>
    public SpatialAttention(int kernelSize = 7) : base("SpatialAttention")
    {
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentException($"kernel size must be odd and positive; got {kernelSize}");
        conv = Layers.Conv2d(2, 1, kernelSize, padding: kernelSize / 2);
        RegisterComponents();
    }

    /// <summary>The re-weighted features <c>(B, C, H, W)</c>.</summary>
    public override Tensor forward(Tensor x) => Forward(x).Output;

    /// <summary>The re-weighted features and the spatial map <c>(B, 1, H, W)</c> in (0, 1).</summary>
    public (Tensor Output, Tensor Map) Forward(Tensor x)
    {
        VisionChecks.Image(x, "x");
        var pooled = torch.cat([x.mean([1], keepdim: true), x.amax([1], keepdim: true)], 1); // (B, 2, H, W)
        var map = torch.sigmoid(conv.forward(pooled));                                        // (B, 1, H, W)
        return (x * map, map);
    }
}
