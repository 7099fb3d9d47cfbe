using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Attention;

/// <summary>
/// Soft mask with a sigmoid gate for vectors (attention as multiplicative interaction, e.g. Stollenga et al. 2014 / Jayakumar et al. 2020 "Multiplicative Interactions"):
/// <c>a = sigmoid(W g + b)</c>, <c>y = a (.) z</c>; the gate input <c>g</c> is a control signal (or <c>z</c> itself when omitted). Returns the gated features as Context and the gate <c>a</c> as Weights.
/// </summary>
public sealed class SoftMaskGate : nn.Module<Tensor, Tensor>
{
    readonly Linear gate;

    /// <summary>Creates a gate for features of size <paramref name="features"/> driven by control vectors of size <paramref name="gateInputDim"/> (default: the features themselves).</summary>
    public SoftMaskGate(long features, long? gateInputDim = null) : base("SoftMaskGate")
    {
        if (features < 1) throw new ArgumentException($"features must be positive; got {features}");
        Features = features;
        GateInputDim = gateInputDim ?? features;
        gate = Layers.Linear(GateInputDim, features, hasBias: true);
        RegisterComponents();
    }

    /// <summary>Feature size of <c>z</c>.</summary>
    public long Features { get; }

    /// <summary>Feature size of the control signal <c>g</c>.</summary>
    public long GateInputDim { get; }

    /// <summary>The gate layer <c>W, b</c>.</summary>
    public Linear Gate => gate;

    /// <summary>Self-gated features <c>sigmoid(W z + b) (.) z</c>.</summary>
    public override Tensor forward(Tensor z) => Forward(z).Context;

    /// <summary>Gates <paramref name="z"/> <c>(..., F)</c> with <paramref name="control"/> <c>(..., G)</c> (broadcastable leading dims; null = z): returns <c>a (.) z</c> and <c>a</c>.</summary>
    public AttentionOutput Forward(Tensor z, Tensor? control = null)
    {
        if (z.dim() < 1 || z.shape[^1] != Features)
            throw new ArgumentException($"z must be (..., {Features}); got {AttentionMask.Shape(z)}");
        control ??= z;
        if (control.shape[^1] != GateInputDim)
            throw new ArgumentException($"control must be (..., {GateInputDim}); got {AttentionMask.Shape(control)}");
        var a = torch.sigmoid(gate.forward(control));
        return new AttentionOutput(a * z, a);
    }
}

/// <summary>
/// Soft mask with a sigmoid gate for feature maps (as in residual attention / attention gates, Wang et al. 2017 eq. 1 without the residual):
/// <c>a = sigmoid(Conv1x1(g))</c> of shape <c>(B, C or 1, H, W)</c>, <c>y = a (.) z</c>; <c>g</c> defaults to <c>z</c>. Returns <c>y</c> as Context and <c>a</c> as Weights.
/// </summary>
public sealed class FeatureMapSoftMask : nn.Module<Tensor, Tensor>
{
    readonly Conv2d gate;

    /// <summary>Creates a gate for maps with <paramref name="channels"/> channels driven by a map with <paramref name="gateChannels"/> channels (default: same); <paramref name="perChannel"/> gives one gate per channel instead of one spatial mask.</summary>
    public FeatureMapSoftMask(long channels, long? gateChannels = null, bool perChannel = false) : base("FeatureMapSoftMask")
    {
        if (channels < 1) throw new ArgumentException($"channels must be positive; got {channels}");
        Channels = channels;
        GateChannels = gateChannels ?? channels;
        gate = Layers.Conv2d(GateChannels, perChannel ? channels : 1, 1);
        RegisterComponents();
    }

    /// <summary>Channels of <c>z</c>.</summary>
    public long Channels { get; }

    /// <summary>Channels of the gate input <c>g</c>.</summary>
    public long GateChannels { get; }

    /// <summary>The 1x1 gate convolution.</summary>
    public Conv2d Gate => gate;

    /// <summary>Self-gated map <c>sigmoid(conv(z)) (.) z</c>.</summary>
    public override Tensor forward(Tensor z) => Forward(z).Context;

    /// <summary>Gates <paramref name="z"/> <c>(B, C, H, W)</c> with <paramref name="control"/> <c>(B, Cg, H, W)</c> (null = z): returns <c>a (.) z</c> and <c>a</c>.</summary>
    public AttentionOutput Forward(Tensor z, Tensor? control = null)
    {
        if (z.dim() != 4 || z.shape[1] != Channels)
            throw new ArgumentException($"z must be (batch, {Channels}, height, width); got {AttentionMask.Shape(z)}");
        control ??= z;
        if (control.dim() != 4 || control.shape[0] != z.shape[0] || control.shape[1] != GateChannels || control.shape[2] != z.shape[2] || control.shape[3] != z.shape[3])
            throw new ArgumentException($"control must be ({z.shape[0]}, {GateChannels}, {z.shape[2]}, {z.shape[3]}); got {AttentionMask.Shape(control)}");
        var a = torch.sigmoid(gate.forward(control)); // (B, C or 1, H, W)
        return new AttentionOutput(a * z, a);
    }
}
