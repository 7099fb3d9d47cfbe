using AttentionSharp.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Captioning;

/// <summary>
/// The captioner's CNN, trained from scratch: the grey image plus two coordinate channels (x and y in [-1, 1], so that a
/// region's feature can say where it is; Liu et al. 2018's CoordConv) through three 3x3 convolution + batch normalisation (Ioffe and Szegedy 2015; without it the features of this
/// from-scratch CNN grew and stopped carrying the image) + ReLU + 2x2 max-pool
/// stages (16, 32, D channels). A <c>S x S</c> image gives the annotation vectors <c>a_1..a_L</c>, <c>L = (S/8)^2</c>,
/// of Xu et al. 2015 (section 3.1.1), each of size D.
/// </summary>
public sealed class RegionEncoder : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Conv2d conv2;
    readonly Conv2d conv3;
    readonly HeldBatchNorm2d norm1;
    readonly HeldBatchNorm2d norm2;
    readonly HeldBatchNorm2d norm3;

    /// <summary>Creates the encoder for <paramref name="imageSize"/>-pixel square images with <paramref name="features"/> channels per region.</summary>
    public RegionEncoder(int imageSize, int features) : base("RegionEncoder")
    {
        ImageSize = imageSize;
        conv1 = Layers.Conv2d(3, 16, 3, padding: 1);
        conv2 = Layers.Conv2d(16, 32, 3, padding: 1);
        conv3 = Layers.Conv2d(32, features, 3, padding: 1);
        norm1 = new HeldBatchNorm2d(16);
        norm2 = new HeldBatchNorm2d(32);
        norm3 = new HeldBatchNorm2d(features);
        RegisterComponents();
    }

    /// <summary>Side of the input images.</summary>
    public int ImageSize { get; }

    /// <summary>Region features <c>(B, L, D)</c> of images <c>(B, 1, S, S)</c>.</summary>
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            throw new ArgumentException($"images must be (batch, 1, {ImageSize}, {ImageSize}) grey images; got ({string.Join(", ", images.shape)})");
        long b = images.shape[0], s = ImageSize;
        var axis = torch.linspace(-1, 1, s, dtype: images.dtype, device: images.device);          // (S)
        var xs = axis.view(1, 1, 1, s).expand(b, 1, s, s);                                          // (B, 1, S, S)
        var ys = axis.view(1, 1, s, 1).expand(b, 1, s, s);                                          // (B, 1, S, S)
        var x = torch.cat([images, xs, ys], 1);                                                     // (B, 3, S, S)
        x = nn.functional.max_pool2d(nn.functional.relu(norm1.forward(conv1.forward(x))), 2);                    // (B, 16, S/2, S/2)
        x = nn.functional.max_pool2d(nn.functional.relu(norm2.forward(conv2.forward(x))), 2);                    // (B, 32, S/4, S/4)
        x = nn.functional.max_pool2d(nn.functional.relu(norm3.forward(conv3.forward(x))), 2);                    // (B, D, S/8, S/8)
        return x.flatten(2).transpose(1, 2);                                                        // (B, L, D), row-major regions
    }
}
