using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>One pass of the model over a batch along one sampled glimpse path.</summary>
/// <param name="LogProbs">Class log-probabilities from the final state <c>(B, classes)</c>.</param>
/// <param name="PolicyLogProbs">log pi(l_t) of the sampled locations that were looked at <c>(B, D)</c>: l_1..l_{N-1}, and l_0
/// first when it is learned (D = <see cref="RamOptions.Decisions"/>); zeros when the policy mean was followed.</param>
/// <param name="Baselines">Baselines b_t for those decisions <c>(B, D)</c>.</param>
/// <param name="Locations">Every location looked at, l_0 first <c>(B, N, 2)</c>, x = column, y = row.</param>
/// <param name="Patches">The glimpses <c>(B, N, k, C, g, g)</c> when asked for, else null.</param>
/// <param name="States">The core states h_1..h_N <c>(B, N, H)</c> (h_t read after glimpse t; the policy reads h_t to place
/// glimpse t + 1) when asked for, else null.</param>
public sealed record RamRollout(Tensor LogProbs, Tensor PolicyLogProbs, Tensor Baselines, Tensor Locations, Tensor? Patches, Tensor? States = null);

/// <summary>
/// The Recurrent Attention Model of Mnih, Heess, Graves and Kavukcuoglu 2014 ("Recurrent Models of Visual Attention"): for
/// t = 1..N, <c>g_t = f_g(rho(x, l_{t-1}), l_{t-1})</c>, <c>h_t = f_h(h_{t-1}, g_t)</c>, <c>l_t ~ f_l(h_t)</c>; the class
/// is <c>f_a(h_N)</c>. l_0 is uniform in [-1, 1]^2, the centre, or drawn from the policy at the zero state
/// (<see cref="RamOptions.FirstLocation"/>). Its cost depends on N and the sensor, not on the image size.
/// </summary>
public sealed class RecurrentAttentionModel : nn.Module<Tensor, Tensor>
{
    readonly GlimpseNetwork glimpse;
    readonly CoreNetwork core;
    readonly LocationNetwork location;
    readonly ActionNetwork action;
    readonly BaselineNetwork baseline;

    /// <summary>Builds the model of <paramref name="options"/>.</summary>
    public RecurrentAttentionModel(RamOptions options) : base("RecurrentAttentionModel")
    {
        options.Validate();
        Options = options;
        PolicyStd = options.FinalStd;
        glimpse = new GlimpseNetwork(options);
        core = new CoreNetwork(options);
        location = new LocationNetwork(options.CoreHidden, options.LocationHidden, detachState: !options.PolicyGradientToCore);
        action = new ActionNetwork(options.CoreHidden, options.Classes);
        baseline = new BaselineNetwork(options.CoreHidden);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public RamOptions Options { get; }
    /// <summary>
    /// Std of the location policy used by <see cref="Rollout"/>: <see cref="RamOptions.FinalStd"/> until a training run
    /// sets it per epoch (<see cref="RamTask.BeginEpoch"/>).
    /// </summary>
    public double PolicyStd
    {
        get => policyStd;
        set => policyStd = value > 0 && value <= 2 ? value : throw new ArgumentException($"policy std must be in (0, 2]; got {value}");
    }
    double policyStd;

    /// <summary>The glimpse network (sensor inside).</summary>
    public GlimpseNetwork Glimpse => glimpse;
    /// <summary>The core network.</summary>
    public CoreNetwork Core => core;
    /// <summary>The location policy.</summary>
    public LocationNetwork Location => location;
    /// <summary>The classifier.</summary>
    public ActionNetwork Action => action;
    /// <summary>The reward baseline.</summary>
    public BaselineNetwork Baseline => baseline;

    /// <summary>Class log-probabilities <c>(B, classes)</c> along one sampled glimpse path.</summary>
    public override Tensor forward(Tensor images) => Rollout(images).LogProbs;

    /// <summary>
    /// Runs N glimpses over <paramref name="images"/> <c>(B, C, H, W)</c>; <paramref name="firstLocation"/> <c>(B, 2)</c> replaces
    /// l_0 of <see cref="RamOptions.FirstLocation"/>; <paramref name="meanPolicy"/> follows the policy mean instead of sampling;
    /// <paramref name="keepPatches"/> and <paramref name="keepStates"/> return the glimpses and the core states;
    /// <paramref name="path"/> <c>(B, N, 2)</c> gives every location l_0..l_{N-1} instead of the policy (a diagnostic, e.g. every
    /// glimpse on the object: <see cref="LocationProbe"/>), and then no decisions are returned (D = 0).
    /// </summary>
    public RamRollout Rollout(Tensor images, Tensor? firstLocation = null, bool keepPatches = false, bool meanPolicy = false, bool keepStates = false,
        Tensor? path = null)
    {
        var o = Options;
        if (images.dim() != 4 || images.shape[1] != o.Channels || images.shape[2] != o.Height || images.shape[3] != o.Width)
            throw new ArgumentException($"images must be (batch, {o.Channels}, {o.Height}, {o.Width}); got ({string.Join(", ", images.shape)})");
        long b = images.shape[0];
        if (firstLocation is not null && (firstLocation.dim() != 2 || firstLocation.shape[0] != b || firstLocation.shape[1] != 2))
            throw new ArgumentException($"first location must be ({b}, 2); got ({string.Join(", ", firstLocation.shape)})");
        if (path is not null && (path.dim() != 3 || path.shape[0] != b || path.shape[1] != o.Glimpses || path.shape[2] != 2))
            throw new ArgumentException($"a given path must be ({b}, {o.Glimpses}, 2); got ({string.Join(", ", path.shape)})");
        if (path is not null && firstLocation is not null) throw new ArgumentException("give a first location or a whole path, not both");
        var h = zeros(b, o.CoreHidden, dtype: images.dtype, device: images.device);
        var c = zeros(b, o.CoreHidden, dtype: images.dtype, device: images.device);
        var locations = new List<Tensor>(); var logPis = new List<Tensor>(); var baselines = new List<Tensor>(); var patches = new List<Tensor>(); var states = new List<Tensor>();
        Tensor l;
        if (path is not null) l = path.select(1, 0).detach().to(images.dtype);
        else if (firstLocation is not null) l = firstLocation.detach().to(images.dtype);
        else if (o.FirstLocation == RamFirstLocation.Centre) l = zeros(b, 2, dtype: images.dtype, device: images.device);
        else if (o.LearnsFirstLocation)
        {
            baselines.Add(baseline.Forward(h));
            (l, var logPi0) = location.Act(h, policyStd, meanPolicy);
            logPis.Add(logPi0);
        }
        else l = rand(b, 2, dtype: images.dtype, device: images.device).mul(HeldScalars.Of(2)).sub(HeldScalars.Of(1)); // (B, 2)
        var table = glimpse.Sensor.SummedArea(images); // once per rollout: every glimpse reads it
        for (int t = 0; t < o.Glimpses; t++)
        {
            locations.Add(l);
            var rho = glimpse.Sensor.Extract(table, l); // (B, k, C, g, g)
            if (keepPatches) patches.Add(rho);
            (h, c) = core.Forward(glimpse.Forward(rho, l), h, c);
            if (keepStates) states.Add(h);
            if (t < o.Glimpses - 1 && path is not null) l = path.select(1, t + 1).detach().to(images.dtype);
            else if (t < o.Glimpses - 1)
            {
                baselines.Add(baseline.Forward(h));
                (l, var logPi) = location.Act(h, policyStd, meanPolicy);
                logPis.Add(logPi);
            }
        }
        var empty = zeros(b, 0, dtype: images.dtype, device: images.device);
        return new RamRollout(action.Forward(h),
            logPis.Count > 0 ? stack(logPis, 1) : empty,     // (B, D)
            baselines.Count > 0 ? stack(baselines, 1) : empty, // (B, D)
            stack(locations, 1),                               // (B, N, 2)
            keepPatches ? stack(patches, 1) : null,            // (B, N, k, C, g, g)
            keepStates ? stack(states, 1) : null);             // (B, N, H)
    }
}
