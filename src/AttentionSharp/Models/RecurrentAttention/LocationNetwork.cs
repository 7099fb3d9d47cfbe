using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>
/// The location network f_l of Mnih et al. 2014: a Gaussian policy <c>l_t ~ N(mu(h_t), sigma^2 I)</c> with fixed sigma, where
/// <c>mu(h) = tanh(Linear(h))</c> (the paper's linear policy, <see cref="RamOptions.LocationHidden"/> = 0) or
/// <c>mu(h) = tanh(Linear(ReLU(Linear(h))))</c> (a hidden layer, as in kevinzakka's re-implementation). It returns detached
/// samples (clamped to [-1, 1]) with their log-probabilities
/// <c>log pi(l_t) = sum_i [-(l_i - mu_i)^2 / (2 sigma^2) - log sigma - log(2 pi) / 2]</c>. With
/// <see cref="RamOptions.PolicyGradientToCore"/> off it reads a detached <c>h_t</c>, so REINFORCE trains only this network;
/// with it on, the policy gradient also reaches the core and glimpse networks (the paper, Sec. 3.2; Léonard's Torch rnn).
/// </summary>
public sealed class LocationNetwork : nn.Module
{
    readonly Linear? hidden;
    readonly Linear mean;
    readonly bool detachState;

    /// <summary>Builds the policy on a state of <paramref name="stateUnits"/> units; <paramref name="hiddenUnits"/> = 0 gives the linear policy.</summary>
    public LocationNetwork(int stateUnits, int hiddenUnits = 0, bool detachState = true) : base("LocationNetwork")
    {
        if (hiddenUnits < 0) throw new ArgumentException($"LocationHidden must be >= 0; got {hiddenUnits}");
        this.detachState = detachState;
        if (hiddenUnits > 0)
        {
            hidden = Layers.Linear(stateUnits, hiddenUnits);
            register_module("hidden", hidden);
        }
        mean = Layers.Linear(hiddenUnits > 0 ? hiddenUnits : stateUnits, 2);
        register_module("mean", mean);
    }

    /// <summary>The policy mean <c>(B, 2)</c> in (-1, 1) from the state <c>(B, H)</c> (detached unless the policy gradient reaches the core).</summary>
    public Tensor Mean(Tensor h)
    {
        var x = detachState ? h.detach() : h;
        if (hidden is not null) x = nn.functional.relu(hidden.forward(x)); // (B, LocationHidden)
        return tanh(mean.forward(x));                                       // (B, 2)
    }

    /// <summary>Samples a location: (detached sample clamped to [-1, 1] <c>(B, 2)</c>, log-probability of the unclamped sample <c>(B)</c>).</summary>
    public (Tensor Location, Tensor LogProb) Sample(Tensor h, double std)
    {
        var mu = Mean(h);
        Tensor l;
        using (no_grad()) l = mu.add(randn_like(mu).mul(HeldScalars.Of(std)), HeldScalars.Of(1)).detach();
        var logProb = (-(l - mu).pow(HeldScalars.Of(2))).div(HeldScalars.Of(2 * std * std)).sub(HeldScalars.Of(Math.Log(std))).sub(HeldScalars.Of(0.5 * Math.Log(2 * Math.PI))).sum(1); // (B)
        return (l.clamp(HeldScalars.Of(-1.0), HeldScalars.Of(1.0)).detach(), logProb);
    }

    /// <summary>The next location: a sample with its log-probability, or (when <paramref name="useMean"/>) the detached mean with a zero log-probability <c>(B)</c>.</summary>
    public (Tensor Location, Tensor LogProb) Act(Tensor h, double std, bool useMean)
    {
        if (!useMean) return Sample(h, std);
        var mu = Mean(h).detach();
        return (mu, zeros(mu.shape[0], dtype: mu.dtype, device: mu.device));
    }
}
