using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Vision;

/// <summary>
/// Channel attention, squeeze-and-excitation (Hu et al. 2018, "Squeeze-and-Excitation Networks", eq. 2-4):
/// <c>z = GAP(x)</c>, <c>s = sigmoid(W_2 ReLU(W_1 z))</c>, output <c>s_c * x_c</c>; with <c>useMaxPool</c> the CBAM
/// variant (Woo et al. 2018, eq. 2): <c>M_c = sigmoid(MLP(AvgPool(x)) + MLP(MaxPool(x)))</c>, the MLP shared.
/// </summary>
public sealed class ChannelAttention : nn.Module<Tensor, Tensor>
{
    readonly Linear fc1;
    readonly Linear fc2;

    /// <summary>Creates the block for <paramref name="channels"/> channels with a bottleneck of <c>max(1, channels / reduction)</c>.</summary>
    public ChannelAttention(long channels, int reduction = 16, bool useMaxPool = false) : base("ChannelAttention")
    {
        if (channels < 1) throw new ArgumentException($"channels must be positive; got {channels}");
        if (reduction < 1) throw new ArgumentException($"reduction must be at least 1; got {reduction}");
        Channels = channels; UseMaxPool = useMaxPool;
        long hidden = Math.Max(1, channels / reduction);
        fc1 = Layers.Linear(channels, hidden);
        fc2 = Layers.Linear(hidden, channels);
        RegisterComponents();
    }

    /// <summary>Channels of the input.</summary>
    public long Channels { get; }
    /// <summary>Whether the max-pooled descriptor is added (CBAM) to the average-pooled one (SE).</summary>
    public bool UseMaxPool { get; }

    /// <summary>The re-weighted features <c>(B, C, H, W)</c>.</summary>
    public override Tensor forward(Tensor x) => Forward(x).Output;

    /// <summary>The re-weighted features and the channel weights <c>(B, C, 1, 1)</c> in (0, 1).</summary>
    public (Tensor Output, Tensor Weights) Forward(Tensor x)
    {
        VisionChecks.Image(x, "x", Channels);
        var avg = x.mean([2, 3]);                            // (B, C)
        var logits = fc2.forward(nn.functional.relu(fc1.forward(avg)));
        if (UseMaxPool)
        {
            var max = x.amax([2, 3]);                        // (B, C)
            logits = logits.add(fc2.forward(nn.functional.relu(fc1.forward(max))), HeldScalars.Of(1));
        }
        var w = torch.sigmoid(logits).reshape(x.shape[0], Channels, 1, 1); // (B, C, 1, 1)
        return (x * w, w);
    }
}
