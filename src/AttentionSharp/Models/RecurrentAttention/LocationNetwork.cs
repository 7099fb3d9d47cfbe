using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>
/// The location network f_l of Mnih et al. 2014: a Gaussian policy <c>l_t ~ N(tanh(Linear(h_t)), sigma^2 I)</c> with fixed sigma.
/// It reads a detached <c>h_t</c> and returns detached samples (clamped to [-1, 1]) with their log-probabilities
/// <c>log pi(l_t) = sum_i [-(l_i - mu_i)^2 / (2 sigma^2) - log sigma - log(2 pi) / 2]</c>, so REINFORCE trains only this network.
/// </summary>
public sealed class LocationNetwork : nn.Module
{
    readonly Linear mean;

    /// <summary>Builds the policy on a state of <paramref name="hidden"/> units.</summary>
    public LocationNetwork(int hidden) : base("LocationNetwork")
    {
        mean = nn.Linear(hidden, 2);
        RegisterComponents();
    }

    /// <summary>The policy mean <c>(B, 2)</c> in (-1, 1) from the state <c>(B, H)</c> (detached).</summary>
    public Tensor Mean(Tensor h) => tanh(mean.forward(h.detach()));

    /// <summary>Samples a location: (detached sample clamped to [-1, 1] <c>(B, 2)</c>, log-probability of the unclamped sample <c>(B)</c>).</summary>
    public (Tensor Location, Tensor LogProb) Sample(Tensor h, double std)
    {
        var mu = Mean(h);
        Tensor l;
        using (no_grad()) l = (mu + std * randn_like(mu)).detach();
        var logProb = (-(l - mu).pow(2) / (2 * std * std) - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI)).sum(1); // (B)
        return (l.clamp(-1.0, 1.0).detach(), logProb);
    }
}
