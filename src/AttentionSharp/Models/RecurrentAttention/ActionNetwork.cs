using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>The action network f_a of Mnih et al. 2014: class log-probabilities <c>log_softmax(Linear(h_N))</c> from the final state.</summary>
public sealed class ActionNetwork : nn.Module
{
    readonly Linear output;

    /// <summary>Builds the classifier on a state of <paramref name="hidden"/> units.</summary>
    public ActionNetwork(int hidden, int classes) : base("ActionNetwork")
    {
        output = Layers.Linear(hidden, classes);
        RegisterComponents();
    }

    /// <summary>Log-probabilities <c>(B, classes)</c> from the state <c>(B, H)</c>.</summary>
    public Tensor Forward(Tensor h) => nn.functional.log_softmax(output.forward(h), 1);
}
