using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>
/// The core network f_h of Mnih et al. 2014: <c>h_t = ReLU(Linear(h_{t-1}) + Linear(g_t))</c> (the paper's classification
/// core), or an LSTM cell when <see cref="RamOptions.Core"/> is <c>lstm</c>.
/// </summary>
public sealed class CoreNetwork : nn.Module
{
    readonly Linear? inputToHidden;
    readonly Linear? hiddenToHidden;
    readonly LSTMCell? lstm;

    /// <summary>Builds the core of <paramref name="o"/>.</summary>
    public CoreNetwork(RamOptions o) : base("CoreNetwork")
    {
        Hidden = o.CoreHidden;
        if (o.Core == RamCore.Lstm)
        {
            lstm = Layers.LSTMCell(o.GlimpseOut, o.CoreHidden);
            register_module("lstm", lstm);
        }
        else
        {
            inputToHidden = Layers.Linear(o.GlimpseOut, o.CoreHidden);
            hiddenToHidden = Layers.Linear(o.CoreHidden, o.CoreHidden);
            register_module("input_to_hidden", inputToHidden);
            register_module("hidden_to_hidden", hiddenToHidden);
        }
    }

    /// <summary>Units of the state.</summary>
    public int Hidden { get; }

    /// <summary>One step: glimpse features <c>(B, G)</c> and state (h, c) <c>(B, H)</c> each to the next state (c is unused by the RNN core).</summary>
    public (Tensor H, Tensor C) Forward(Tensor g, Tensor h, Tensor c)
    {
        if (lstm != null) return lstm.forward(g, (h, c));
        return (nn.functional.relu(inputToHidden!.forward(g).add(hiddenToHidden!.forward(h), HeldScalars.Of(1))), c);
    }
}
