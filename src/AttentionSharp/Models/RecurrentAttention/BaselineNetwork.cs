using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>The REINFORCE baseline b_t of Mnih et al. 2014: the expected reward predicted from the detached state, <c>Linear(h_t)</c>, trained by squared error.</summary>
public sealed class BaselineNetwork : nn.Module
{
    readonly Linear value;

    /// <summary>Builds the baseline on a state of <paramref name="hidden"/> units.</summary>
    public BaselineNetwork(int hidden) : base("BaselineNetwork")
    {
        value = Layers.Linear(hidden, 1);
        RegisterComponents();
    }

    /// <summary>Predicted reward <c>(B)</c> from the state <c>(B, H)</c>.</summary>
    public Tensor Forward(Tensor h) => value.forward(h.detach()).squeeze(1);
}
