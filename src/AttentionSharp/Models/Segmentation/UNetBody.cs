using AttentionSharp.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Segmentation;

/// <summary>The encoder-decoder shared by <see cref="UNet2D"/> and <see cref="AttentionUNet2D"/>; gates the skip connections of the chosen levels.</summary>
internal sealed class UNetBody : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<ConvBlock> encoders = new();
    readonly ModuleList<ConvTranspose2d> ups = new();
    readonly ModuleList<AttentionGate> gates = new();
    readonly ModuleList<ConvBlock> decoders = new();
    readonly Conv2d head;
    readonly int[] _gateOfLevel;

    public UNetBody(SegmentationOptions o, bool gated) : base("UNetBody")
    {
        o.Validate();
        Options = o;
        long F(int level) => (long)o.BaseFilters << level;
        for (int l = 0; l <= o.Depth; l++) encoders.Add(new ConvBlock(l == 0 ? o.InChannels : F(l - 1), F(l)));
        _gateOfLevel = Enumerable.Repeat(-1, o.Depth).ToArray();
        for (int l = 0; l < o.Depth; l++)
        {
            ups.Add(Layers.ConvTranspose2d(F(l + 1), F(l), 2, stride: 2));
            decoders.Add(new ConvBlock(2 * F(l), F(l)));
            if (gated && (l > 0 || o.GateFinestLevel))
            {
                _gateOfLevel[l] = gates.Count;
                gates.Add(new AttentionGate(F(l), F(l + 1), Math.Max(1, F(l) / 2), subSample: 2));
            }
        }
        head = Layers.Conv2d(F(0), o.Classes, 1);
        RegisterComponents();
    }

    public SegmentationOptions Options { get; }

    /// <summary>Levels whose skip connection is gated, finest first.</summary>
    public int[] GatedLevels => Enumerable.Range(0, Options.Depth).Where(l => _gateOfLevel[l] >= 0).ToArray();

    public override Tensor forward(Tensor images) => Forward(images).Logits;

    public (Tensor Logits, IReadOnlyList<Tensor> Attention) Forward(Tensor images)
    {
        int factor = 1 << Options.Depth;
        if (images.dim() != 4 || images.shape[1] != Options.InChannels || images.shape[2] % factor != 0 || images.shape[3] % factor != 0 || images.shape[2] == 0 || images.shape[3] == 0)
            throw new ArgumentException($"images must be (batch, {Options.InChannels}, H, W) with H and W multiples of {factor} (2^depth); got ({string.Join(", ", images.shape)})");
        var skips = new List<Tensor>();
        var h = images;
        for (int l = 0; l <= Options.Depth; l++)
        {
            if (l > 0) h = nn.functional.max_pool2d(h, 2); // (B, F(l-1), H/2^l, W/2^l)
            h = encoders[l].forward(h);
            skips.Add(h);
        }
        var maps = new List<Tensor>();
        for (int l = Options.Depth - 1; l >= 0; l--)
        {
            var skip = skips[l];
            if (_gateOfLevel[l] >= 0)
            {
                var (gatedSkip, alpha) = gates[_gateOfLevel[l]].Forward(skip, h); // gating signal: the coarser decoder features
                skip = gatedSkip;
                maps.Insert(0, alpha);                                            // (B, 1, H/2^l, W/2^l), finest first
            }
            h = decoders[l].forward(torch.cat([skip, ups[l].forward(h)], 1)); // (B, F(l), H/2^l, W/2^l)
        }
        return (head.forward(h), maps); // (B, classes, H, W)
    }
}
