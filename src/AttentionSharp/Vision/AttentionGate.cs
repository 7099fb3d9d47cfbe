using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>
/// Additive attention gate of Oktay et al. 2018 ("Attention U-Net: Learning Where to Look for the Pancreas", eq. 1-2):
/// <c>q = psi^T ReLU(W_x^T x + W_g^T g + b_g) + b_psi</c>, <c>alpha = sigmoid(q)</c>, computed on the gating signal's
/// coarser grid (<c>W_x</c> is a k x k convolution with stride k, k = the sub-sampling factor), resampled bilinearly to
/// <c>x</c>'s grid; the output is <c>alpha * x</c> followed by a 1x1 convolution and batch normalisation.
/// </summary>
public sealed class AttentionGate : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Conv2d theta_x;
    readonly Conv2d phi_g;
    readonly Conv2d psi;
    readonly Conv2d out_conv;
    readonly HeldBatchNorm2d out_norm;

    /// <summary>Creates a gate for skip features of <paramref name="inChannels"/> channels gated by a signal of <paramref name="gatingChannels"/>.</summary>
    /// <param name="inChannels">Channels of <c>x</c> (the skip connection).</param>
    /// <param name="gatingChannels">Channels of <c>g</c> (the coarser gating signal).</param>
    /// <param name="interChannels">Channels of the intermediate space <c>F_int</c>.</param>
    /// <param name="subSample">Ratio of <c>x</c>'s grid to <c>g</c>'s grid (2 in a U-Net; 1 = same grid).</param>
    public AttentionGate(long inChannels, long gatingChannels, long interChannels, int subSample = 2) : base("AttentionGate")
    {
        if (inChannels < 1 || gatingChannels < 1 || interChannels < 1)
            throw new ArgumentException($"channel counts must be positive; got in={inChannels}, gating={gatingChannels}, inter={interChannels}");
        if (subSample < 1) throw new ArgumentException($"subSample must be at least 1; got {subSample}");
        InChannels = inChannels; GatingChannels = gatingChannels; SubSample = subSample;
        theta_x = Layers.Conv2d(inChannels, interChannels, subSample, stride: subSample, bias: false);
        phi_g = Layers.Conv2d(gatingChannels, interChannels, 1, bias: true);
        psi = Layers.Conv2d(interChannels, 1, 1, bias: true);
        out_conv = Layers.Conv2d(inChannels, inChannels, 1);
        out_norm = new HeldBatchNorm2d(inChannels);
        RegisterComponents();
    }

    /// <summary>Channels of the gated input <c>x</c>.</summary>
    public long InChannels { get; }
    /// <summary>Channels of the gating signal <c>g</c>.</summary>
    public long GatingChannels { get; }
    /// <summary>Ratio of <c>x</c>'s grid to the grid the coefficients are computed on.</summary>
    public int SubSample { get; }

    /// <summary>The gated features <c>(B, C_x, H, W)</c>.</summary>
    public override Tensor forward(Tensor x, Tensor g) => Forward(x, g).Output;

    /// <summary>The gated features <c>(B, C_x, H, W)</c> and the attention coefficients <c>alpha</c> on <c>x</c>'s grid <c>(B, 1, H, W)</c>.</summary>
    public (Tensor Output, Tensor Attention) Forward(Tensor x, Tensor g)
    {
        VisionChecks.Image(x, "x", InChannels);
        VisionChecks.Image(g, "g (gating signal)", GatingChannels);
        if (x.shape[0] != g.shape[0])
            throw new ArgumentException($"x and g must have the same batch size; got x {VisionChecks.Shape(x)} and g {VisionChecks.Shape(g)}");
        if (x.shape[2] < SubSample || x.shape[3] < SubSample)
            throw new ArgumentException($"x must be at least {SubSample}x{SubSample} for sub-sampling {SubSample}; got {VisionChecks.Shape(x)}");
        var tx = theta_x.forward(x);                       // (B, F_int, H/s, W/s)
        var pg = phi_g.forward(g);                         // (B, F_int, Hg, Wg)
        if (pg.shape[2] != tx.shape[2] || pg.shape[3] != tx.shape[3])
            pg = nn.functional.interpolate(pg, size: [tx.shape[2], tx.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        var q = psi.forward(nn.functional.relu(tx.add(pg, HeldScalars.Of(1))));  // (B, 1, H/s, W/s)
        var alpha = torch.sigmoid(q);
        if (alpha.shape[2] != x.shape[2] || alpha.shape[3] != x.shape[3])
            alpha = nn.functional.interpolate(alpha, size: [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false); // (B, 1, H, W)
        var y = out_norm.forward(out_conv.forward(alpha * x));
        return (y, alpha);
    }
}
