using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>The core network of RAM (stored as rnn, lstm).</summary>
[JsonConverter(typeof(VariantJsonConverter<RamCore>))]
public enum RamCore
{
    /// <summary>A ReLU RNN, the paper's.</summary>
    [JsonStringEnumMemberName("rnn")] Rnn,
    /// <summary>An LSTM.</summary>
    [JsonStringEnumMemberName("lstm")] Lstm,
}

/// <summary>Where RAM's first glimpse goes (stored as uniform, centre, learned).</summary>
[JsonConverter(typeof(VariantJsonConverter<RamFirstLocation>))]
public enum RamFirstLocation
{
    /// <summary>Uniform at random in [-1, 1]^2, also at test time (the earlier releases').</summary>
    [JsonStringEnumMemberName("uniform")] Uniform,
    /// <summary>The canvas centre.</summary>
    [JsonStringEnumMemberName("centre")] Centre,
    /// <summary>The policy applied to the zero initial state: a learned Gaussian trained by REINFORCE (Léonard's rnn).</summary>
    [JsonStringEnumMemberName("learned")] Learned,
}

/// <summary>RAM's location policy when evaluating (stored as sample, mean).</summary>
[JsonConverter(typeof(VariantJsonConverter<RamTestPolicy>))]
public enum RamTestPolicy
{
    /// <summary>Draw every location from the Gaussian, as in training.</summary>
    [JsonStringEnumMemberName("sample")] Sample,
    /// <summary>Follow the policy mean: one deterministic path.</summary>
    [JsonStringEnumMemberName("mean")] Mean,
}

/// <summary>RAM's REINFORCE reward (stored as correct, probability).</summary>
[JsonConverter(typeof(VariantJsonConverter<RamReward>))]
public enum RamReward
{
    /// <summary>1 when the final classification is right, else 0 (the paper's).</summary>
    [JsonStringEnumMemberName("correct")] Correct,
    /// <summary>The probability the classifier gives the true class.</summary>
    [JsonStringEnumMemberName("probability")] Probability,
}

/// <summary>
/// Settings of the Recurrent Attention Model (Mnih et al. 2014). Defaults are the paper's (glimpse network 128 + 128 -> 256,
/// core 256); <see cref="ForImage"/> gives the paper's sensor per task: 28x28 -> 8x8 patch, 1 scale; 60x60 -> 12x12, 3 scales;
/// 100x100 -> 12x12, 4 scales. What the paper leaves open (policy std, REINFORCE weight) is set by measurement (docs/results/ram.md).
/// </summary>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Patch">Glimpse patch side g.</param>
/// <param name="Scales">Glimpse scales k (each twice as wide as the previous).</param>
/// <param name="Glimpses">Glimpses per image N.</param>
/// <param name="GlimpseHidden">Units of h_g and h_l.</param>
/// <param name="GlimpseOut">Units of the glimpse feature g.</param>
/// <param name="CoreHidden">Units of the core state h.</param>
/// <param name="Core"><c>rnn</c> (ReLU RNN, the paper's) or <c>lstm</c>.</param>
/// <param name="LocationStd">Fixed standard deviation of the Gaussian location policy.</param>
/// <param name="ReinforceWeight">Weight of the REINFORCE term in the hybrid loss.</param>
/// <param name="LocationStdFinal">When positive, the policy std falls linearly from <paramref name="LocationStd"/> in the
/// first epoch to this value in the last (see <see cref="StdAt"/>); 0 keeps it fixed (the paper's).</param>
/// <param name="LocationStdEpochs">With <paramref name="LocationStdFinal"/>: the epoch by which the std reaches its final value
/// and after which it stays there (0 = the run's last epoch). A run that early stopping ends before its ceiling of epochs
/// needs this, since a schedule over the ceiling would stop part of the way down.</param>
/// <param name="LocationHidden">Units of a ReLU hidden layer in the location network (0 = the paper's linear policy;
/// kevinzakka's re-implementation uses 128).</param>
/// <param name="PolicyGradientToCore">Whether the REINFORCE gradient reaches the core and glimpse networks (the paper, Sec. 3.2,
/// and Léonard's Torch rnn: yes; false = only the location network learns from it, as in kevinzakka's). When on,
/// <paramref name="ReinforceWeight"/> sets how much the policy shapes the core state.</param>
/// <param name="FirstLocation">Where the first glimpse goes: <c>uniform</c> (random in [-1, 1]^2, also at test time),
/// <c>centre</c> (the canvas centre) or <c>learned</c> (the policy applied to the zero initial state, a learned
/// Gaussian trained by REINFORCE like every later location, as in Léonard's rnn).</param>
/// <param name="TestPolicy">The policy when evaluating: <c>sample</c> (draw every location from the Gaussian, as in
/// training) or <c>mean</c> (follow the policy mean: one deterministic path, what Léonard's ReinforceNormal does in
/// evaluation mode).</param>
/// <param name="Reward">The REINFORCE reward: <c>correct</c> (1 when the final classification is right, else 0: the paper's) or
/// <c>probability</c> (the probability the classifier gives the true class: graded, so a policy move that makes the classifier
/// surer is rewarded before it flips the decision; a denser signal while accuracy is near chance, not in the paper).</param>
/// <param name="TrainPaths">Glimpse paths sampled per training image: the M episodes of the paper's policy-gradient estimate
/// (Sec. 3.2, eq. 2). With more than one, a path's REINFORCE advantage is its reward minus the mean reward of the same image's
/// other paths (the leave-one-out baseline of Kool, van Hoof and Welling 2019), which removes how hard the image is from the
/// signal, so that what is left is what the locations changed; the learned baseline b_t is still fit but not used for the
/// advantage. 1 (the default) = one path per image and the learned baseline, as before. A batch of B images then holds
/// B x TrainPaths rollouts.</param>
public sealed record RamOptions(
    int Height = 28, int Width = 28, int Channels = 1, int Classes = 10, int Patch = 8, int Scales = 1, int Glimpses = 6,
    int GlimpseHidden = 128, int GlimpseOut = 256, int CoreHidden = 256, RamCore Core = RamCore.Rnn,
    double LocationStd = 0.1, double ReinforceWeight = 0.01,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    double LocationStdFinal = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int LocationHidden = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    bool PolicyGradientToCore = false,
    RamFirstLocation FirstLocation = RamFirstLocation.Uniform,
    RamTestPolicy TestPolicy = RamTestPolicy.Sample,
    RamReward Reward = RamReward.Correct,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int TrainPaths = 1,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    int LocationStdEpochs = 0)
{
    /// <summary>The policy std at the end of training, used to evaluate a trained model.</summary>
    public double FinalStd => LocationStdFinal > 0 ? LocationStdFinal : LocationStd;

    /// <summary>
    /// The policy std of <paramref name="epoch"/> (1-based) of <paramref name="epochs"/>: <see cref="LocationStd"/> when
    /// fixed; else linear from <see cref="LocationStd"/> at epoch 1 to <see cref="LocationStdFinal"/> at epoch
    /// <see cref="LocationStdEpochs"/> (when set) or at the last epoch, and <see cref="LocationStdFinal"/> after it.
    /// </summary>
    public double StdAt(int epoch, int epochs)
    {
        if (LocationStdFinal <= 0) return LocationStd;
        if (epochs < 1 || epoch < 1) throw new ArgumentException($"epoch and epochs must be at least 1; got epoch {epoch} of {epochs}");
        int horizon = LocationStdEpochs > 0 ? LocationStdEpochs : epochs;
        if (horizon == 1 || epoch >= horizon) return LocationStdFinal;
        return LocationStd + (LocationStdFinal - LocationStd) * (epoch - 1) / (horizon - 1);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="epochs"/> (<see cref="LocationStdEpochs"/>) is 0, or
    /// positive with a final std (<see cref="LocationStdFinal"/>) to fall to. Shared with the train spec, which checks before loading data.</summary>
    public static void CheckStdSchedule(double final, int epochs)
    {
        if (epochs < 0) throw new ArgumentException($"epochs of the std schedule (LocationStdEpochs, --std-epochs) must be 0 (all of the run) or more; got {epochs}");
        if (epochs > 0 && final <= 0) throw new ArgumentException($"epochs of the std schedule ({epochs}) need a final std to fall to (LocationStdFinal, --std-final); the std is fixed");
    }

    /// <summary>How the std schedule reads in a log line: empty when the std is fixed.</summary>
    public string StdScheduleText => LocationStdFinal <= 0 ? ""
        : $" -> {LocationStdFinal} (linear over {(LocationStdEpochs > 0 ? $"the first {LocationStdEpochs} epochs" : "the epochs")})";

    /// <summary>Whether the first location is a decision of the policy (and so has a log-probability and a baseline).</summary>
    public bool LearnsFirstLocation => FirstLocation == RamFirstLocation.Learned;

    /// <summary>Location decisions per rollout that REINFORCE trains: N - 1, plus the first with <c>learned</c>.</summary>
    public int Decisions => Glimpses - 1 + (LearnsFirstLocation ? 1 : 0);

    /// <summary>The paper's sensor for an image size: 8x8 x1 up to 28 pixels, 12x12 x3 up to 60, else 12x12 x4.</summary>
    public static RamOptions ForImage(int height, int width, int glimpses = 6, int classes = 10)
    {
        int side = Math.Max(height, width);
        var (patch, scales) = side <= 28 ? (8, 1) : side <= 60 ? (12, 3) : (12, 4);
        return new RamOptions(Height: height, Width: width, Classes: classes, Patch: patch, Scales: scales, Glimpses: glimpses);
    }

    /// <summary>
    /// The measured defaults of <c>attn ram train</c> (issue 21, docs/RESULTS.md "Learning where to look", "Session 15",
    /// "Session 16"): the paper's sensor of <see cref="ForImage"/>, an LSTM core, the true-class probability as the
    /// REINFORCE reward, the policy mean at test time, and the policy gradient reaching the core and glimpse networks, the
    /// paper's (Sec. 3.2): with it detached the classification loss alone shapes the core state, which on 100x100 then does
    /// not hold the digit's position (<c>ram probe</c>), and on 60x60 the runs to patience ended at 9.91% / 2.80%
    /// (cluttered / translated) against 5.23% / 1.74% with it. Per canvas size: up to 60x60 the first glimpse at the centre
    /// and REINFORCE weight 0.1 (weight 1 learns slower at the start: translated, 6 epochs, 21.1% against 8.9% with 0.1 and
    /// 9.7% detached); on larger canvases a uniform first glimpse (a centre start learned slower) and weight 1 (10 epochs
    /// on 100x100: 23.8% against 25.8% with 0.1). Up to 28x28, where one 8x8 glimpse sees a small part of a centred digit,
    /// the paper's ReLU RNN core and uniform first glimpse (MNIST to patience: validation 1.5% against 2.9% with the LSTM
    /// and the centre start). The record's own defaults stay the paper's and the earlier releases', so that checkpoints
    /// written before these options existed read unchanged.
    /// </summary>
    public static RamOptions Recommended(int height, int width, int glimpses = 6, int classes = 10)
    {
        bool large = IsLarge(height, width), small = Math.Max(height, width) <= 28;
        return ForImage(height, width, glimpses, classes) with
        {
            Core = small ? RamCore.Rnn : RamCore.Lstm, Reward = RamReward.Probability, TestPolicy = RamTestPolicy.Mean,
            FirstLocation = large || small ? RamFirstLocation.Uniform : RamFirstLocation.Centre,
            PolicyGradientToCore = true, ReinforceWeight = RecommendedReinforceWeight(true, height, width),
        };
    }

    /// <summary>
    /// The measured REINFORCE weight for where the policy gradient goes and the canvas size: with the gradient reaching the
    /// core, 1 above 60x60 and 0.1 up to it; detached, 0.01 (with Adam the weight then barely matters: docs/ram.md).
    /// </summary>
    public static double RecommendedReinforceWeight(bool policyGradientToCore, int height, int width) =>
        !policyGradientToCore ? 0.01 : IsLarge(height, width) ? 1 : 0.1;

    static bool IsLarge(int height, int width) => Math.Max(height, width) > 60;

    /// <summary>Checks the values, naming the bad one.</summary>
    public void Validate()
    {
        if (Height < 1 || Width < 1 || Channels < 1) throw new ArgumentException($"image must have positive size; got {Channels}x{Height}x{Width}");
        if (Classes < 2) throw new ArgumentException($"at least 2 classes are needed; got {Classes}");
        if (Glimpses < 1) throw new ArgumentException($"glimpses must be at least 1; got {Glimpses}");
        if (GlimpseHidden < 1 || GlimpseOut < 1 || CoreHidden < 1) throw new ArgumentException("layer sizes must be positive");
        Variant.Check(Core, nameof(Core));
        if (!(LocationStd > 0) || LocationStd > 2) throw new ArgumentException($"location std must be in (0, 2]; got {LocationStd}");
        if (!(LocationStdFinal >= 0) || LocationStdFinal > 2) throw new ArgumentException($"final location std must be 0 (fixed std) or in (0, 2]; got {LocationStdFinal}");
        CheckStdSchedule(LocationStdFinal, LocationStdEpochs);
        if (!(ReinforceWeight >= 0)) throw new ArgumentException($"REINFORCE weight must be non-negative; got {ReinforceWeight}");
        if (LocationHidden < 0) throw new ArgumentException($"LocationHidden must be >= 0 (0 = linear policy); got {LocationHidden}");
        Variant.Check(FirstLocation, nameof(FirstLocation));
        Variant.Check(Reward, nameof(Reward));
        if (TrainPaths < 1 || TrainPaths > 64) throw new ArgumentException($"TrainPaths must be in 1..64; got {TrainPaths}");
        Variant.Check(TestPolicy, nameof(TestPolicy));
        _ = new Vision.GlimpseSensor(Patch, Scales, Height, Width);
    }
}
