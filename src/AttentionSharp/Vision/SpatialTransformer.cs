using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>
/// Spatial transformer (Jaderberg et al. 2015, "Spatial Transformer Networks", eq. 1-3): a localisation network
/// regresses <c>theta</c>, the grid generator maps each output coordinate <c>(x_t, y_t, 1)</c> to the source
/// coordinate <c>theta (x_t, y_t, 1)^T</c> (normalised to [-1, 1]), and the sampler reads the input bilinearly there.
/// <c>theta</c> starts at the identity (the last layer's weights are zero). The attention-only mode restricts
/// <c>theta = [[s, 0, t_x], [0, s, t_y]]</c> (isotropic scale and translation).
/// </summary>
public sealed class SpatialTransformer : nn.Module<Tensor, Tensor>
{
    readonly Sequential localisation;
    readonly Linear theta_head;

    /// <summary>Creates a transformer for <paramref name="channels"/>-channel images, output <paramref name="outHeight"/> x <paramref name="outWidth"/>.</summary>
    /// <param name="channels">Input channels.</param>
    /// <param name="outHeight">Output height.</param>
    /// <param name="outWidth">Output width.</param>
    /// <param name="attentionOnly">Scale and translation only (3 parameters) instead of a full affine map (6).</param>
    /// <param name="hidden">Units of the localisation network's hidden fully connected layer.</param>
    public SpatialTransformer(long channels, int outHeight, int outWidth, bool attentionOnly = false, int hidden = 32) : base("SpatialTransformer")
    {
        if (channels < 1 || outHeight < 1 || outWidth < 1 || hidden < 1)
            throw new ArgumentException($"channels, output size and hidden units must be positive; got channels={channels}, out={outHeight}x{outWidth}, hidden={hidden}");
        Channels = channels; OutHeight = outHeight; OutWidth = outWidth; AttentionOnly = attentionOnly;
        localisation = nn.Sequential(
            ("conv1", Layers.Conv2d(channels, 8, 5, padding: 2)), ("pool1", nn.MaxPool2d(2)), ("relu1", nn.ReLU()),
            ("conv2", Layers.Conv2d(8, 10, 5, padding: 2)), ("pool2", nn.AdaptiveAvgPool2d([4, 4])), ("relu2", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", Layers.Linear(10 * 4 * 4, hidden)), ("fc_relu", nn.ReLU()));
        theta_head = Layers.Linear(hidden, attentionOnly ? 3 : 6);
        using (torch.no_grad())
        {
            theta_head.weight!.zero_();
            theta_head.bias!.copy_(attentionOnly ? torch.tensor(new float[] { 1, 0, 0 }) : torch.tensor(new float[] { 1, 0, 0, 0, 1, 0 }));
        }
        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public long Channels { get; }
    /// <summary>Output height.</summary>
    public int OutHeight { get; }
    /// <summary>Output width.</summary>
    public int OutWidth { get; }
    /// <summary>Whether theta is restricted to scale and translation.</summary>
    public bool AttentionOnly { get; }

    /// <summary>The transformed images <c>(B, C, OutHeight, OutWidth)</c>.</summary>
    public override Tensor forward(Tensor images) => Forward(images).Output;

    /// <summary>The transformed images and the affine maps <c>theta</c> <c>(B, 2, 3)</c>.</summary>
    public (Tensor Output, Tensor Theta) Forward(Tensor images)
    {
        VisionChecks.Image(images, "images", Channels);
        var p = theta_head.forward(localisation.forward(images)); // (B, 3) or (B, 6)
        var theta = AttentionOnly ? ScaleTranslation(p) : p.reshape(-1, 2, 3); // (B, 2, 3)
        return (Transform(images, theta, OutHeight, OutWidth), theta);
    }

    /// <summary>Builds <c>[[s, 0, t_x], [0, s, t_y]]</c> <c>(B, 2, 3)</c> from <c>(s, t_x, t_y)</c> <c>(B, 3)</c>.</summary>
    public static Tensor ScaleTranslation(Tensor p)
    {
        if (p.dim() != 2 || p.shape[1] != 3) throw new ArgumentException($"scale-translation parameters must be (batch, 3); got {VisionChecks.Shape(p)}");
        var s = p[.., 0]; var tx = p[.., 1]; var ty = p[.., 2];
        var zero = torch.zeros_like(s);
        return torch.stack([s, zero, tx, zero, s, ty], 1).reshape(-1, 2, 3); // (B, 2, 3)
    }

    /// <summary>Samples <paramref name="images"/> bilinearly on the grid of <paramref name="theta"/> <c>(B, 2, 3)</c> (coordinates in [-1, 1], zero padding).</summary>
    public static Tensor Transform(Tensor images, Tensor theta, int outHeight, int outWidth)
    {
        VisionChecks.Image(images, "images");
        if (theta.dim() != 3 || theta.shape[0] != images.shape[0] || theta.shape[1] != 2 || theta.shape[2] != 3)
            throw new ArgumentException($"theta must be ({images.shape[0]}, 2, 3); got {VisionChecks.Shape(theta)}");
        var grid = nn.functional.affine_grid(theta, [images.shape[0], images.shape[1], outHeight, outWidth], align_corners: false); // (B, Ho, Wo, 2)
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }
}
