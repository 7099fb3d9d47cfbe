using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Segmentation;

/// <summary>A segmentation network: images <c>(B, C, H, W)</c> to per-pixel logits <c>(B, classes, H, W)</c>, with its attention maps when it has gates.</summary>
public interface ISegmentationNetwork
{
    /// <summary>The options it was built with.</summary>
    SegmentationOptions Options { get; }

    /// <summary>The module (parameters, train/eval mode, checkpoints).</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Levels whose skip connection is gated, finest first (empty for a plain U-Net).</summary>
    int[] GatedLevels { get; }

    /// <summary>Logits <c>(B, classes, H, W)</c> and each gate's coefficients <c>(B, 1, H/2^l, W/2^l)</c>, finest level first.</summary>
    (Tensor Logits, IReadOnlyList<Tensor> Attention) Forward(Tensor images);
}

/// <summary>The 2-D U-Net of Ronneberger et al. 2015 ("U-Net: Convolutional Networks for Biomedical Image Segmentation"), small and batch-normalised; see <see cref="SegmentationOptions"/>.</summary>
public sealed class UNet2D : nn.Module<Tensor, Tensor>, ISegmentationNetwork
{
    readonly UNetBody body;

    /// <summary>Builds the network of <paramref name="options"/> (its <c>Model</c> is ignored: no gates).</summary>
    public UNet2D(SegmentationOptions options) : base("UNet2D")
    {
        body = new UNetBody(options, gated: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public SegmentationOptions Options => body.Options;
    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Module => this;
    /// <inheritdoc />
    public int[] GatedLevels => body.GatedLevels;
    /// <inheritdoc />
    public override Tensor forward(Tensor images) => body.forward(images);
    /// <inheritdoc />
    public (Tensor Logits, IReadOnlyList<Tensor> Attention) Forward(Tensor images) => body.Forward(images);

    /// <summary>Builds the network named by <c>options.Model</c>.</summary>
    public static ISegmentationNetwork Create(SegmentationOptions options)
    {
        options.Validate();
        return options.Gated ? new AttentionUNet2D(options) : new UNet2D(options);
    }
}

/// <summary>
/// Attention U-Net (Oktay et al. 2018, "Attention U-Net: Learning Where to Look for the Pancreas", Fig. 1): a U-Net whose
/// skip connections pass through <see cref="Vision.AttentionGate"/>s gated by the next coarser decoder features, at every
/// level but the finest unless <see cref="SegmentationOptions.GateFinestLevel"/>.
/// </summary>
public sealed class AttentionUNet2D : nn.Module<Tensor, Tensor>, ISegmentationNetwork
{
    readonly UNetBody body;

    /// <summary>Builds the network of <paramref name="options"/> with attention gates.</summary>
    public AttentionUNet2D(SegmentationOptions options) : base("AttentionUNet2D")
    {
        body = new UNetBody(options, gated: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public SegmentationOptions Options => body.Options;
    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Module => this;
    /// <inheritdoc />
    public int[] GatedLevels => body.GatedLevels;
    /// <inheritdoc />
    public override Tensor forward(Tensor images) => body.forward(images);
    /// <inheritdoc />
    public (Tensor Logits, IReadOnlyList<Tensor> Attention) Forward(Tensor images) => body.Forward(images);
}
