using AttentionSharp.Vision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>
/// The glimpse network f_g of Mnih et al. 2014 (Sec. 4): <c>h_g = ReLU(Linear(rho(x, l)))</c>, <c>h_l = ReLU(Linear(l))</c>,
/// <c>g = ReLU(Linear(h_g) + Linear(h_l))</c>. The location enters as a detached value.
/// </summary>
public sealed class GlimpseNetwork : nn.Module
{
    readonly Linear what;
    readonly Linear where;
    readonly Linear whatOut;
    readonly Linear whereOut;

    /// <summary>Builds the network for the sensor and sizes of <paramref name="o"/>.</summary>
    public GlimpseNetwork(RamOptions o) : base("GlimpseNetwork")
    {
        Sensor = new GlimpseSensor(o.Patch, o.Scales, o.Height, o.Width);
        what = Layers.Linear(Sensor.Features * o.Channels, o.GlimpseHidden);
        where = Layers.Linear(2, o.GlimpseHidden);
        whatOut = Layers.Linear(o.GlimpseHidden, o.GlimpseOut);
        whereOut = Layers.Linear(o.GlimpseHidden, o.GlimpseOut);
        RegisterComponents();
    }

    /// <summary>The retina.</summary>
    public GlimpseSensor Sensor { get; }

    /// <summary>Glimpse features <c>(B, GlimpseOut)</c> from the sensor's patches <c>(B, k, C, g, g)</c> and locations <c>(B, 2)</c>.</summary>
    public Tensor Forward(Tensor patches, Tensor locations)
    {
        var rho = patches.flatten(1);                                  // (B, k*C*g*g)
        var hg = nn.functional.relu(what.forward(rho));                // (B, 128)
        var hl = nn.functional.relu(where.forward(locations.detach())); // (B, 128)
        return nn.functional.relu(whatOut.forward(hg).add(whereOut.forward(hl), HeldScalars.Of(1))); // (B, 256)
    }
}
