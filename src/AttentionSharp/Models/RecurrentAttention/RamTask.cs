using AttentionSharp.Data;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>
/// Trains and evaluates a <see cref="RecurrentAttentionModel"/> with the hybrid loss of Mnih et al. 2014 (Sec. 3.2, eq. 2 with a baseline):
/// <c>L = NLL(f_a(h_N), y) + mean_t (b_t - R)^2 - w * sum_t log pi(l_t) (R - sg(b_t))</c>, averaged over the batch, where t runs over the
/// policy's decisions (<see cref="RamOptions.Decisions"/>), <c>R = 1</c> when the final classification is right, else 0, and sg stops the gradient. Evaluation averages the class
/// probabilities over <see cref="EvalSamples"/> glimpse paths, sampled or following the policy mean (<see cref="EvalPolicy"/>). Metrics: <c>error</c>, <c>reward</c>, <c>nll</c>.
/// With <see cref="RamOptions.LocationStdFinal"/> set and <see cref="Epochs"/> given, each epoch (its training and
/// validation) uses the policy std of <see cref="RamOptions.StdAt"/>.
/// </summary>
/// <param name="Network">The model.</param>
public sealed class RamTask(RecurrentAttentionModel Network) : ITrainable<ImageBatch>, IEpochAware
{
    /// <summary>Epochs of the training run, for the std schedule (0 = not set: the std stays at <see cref="RecurrentAttentionModel.PolicyStd"/>).</summary>
    public int Epochs { get; set; }

    /// <inheritdoc />
    public void BeginEpoch(int epoch)
    {
        if (Epochs > 0) Network.PolicyStd = Network.Options.StdAt(epoch, Epochs);
    }

    /// <inheritdoc />
    public nn.Module Model => Network;

    /// <summary>Monte-Carlo glimpse paths averaged per image in <see cref="EvalStep"/> (M; 1 = a single path).</summary>
    public int EvalSamples { get; set; } = 1;

    /// <summary>The policy of <see cref="EvalStep"/>: <c>sample</c> or <c>mean</c>; defaults to the model's <see cref="RamOptions.TestPolicy"/>.</summary>
    public RamTestPolicy EvalPolicy
    {
        get => evalPolicy ?? Network.Options.TestPolicy;
        set { Variant.Check(value, nameof(EvalPolicy)); evalPolicy = value; }
    }
    RamTestPolicy? evalPolicy;

    /// <summary>
    /// The three loss terms of a rollout: classification NLL, baseline squared error, REINFORCE (unweighted); plus the reward
    /// <c>(B)</c>: 1 for a right final classification, else 0 (<paramref name="reward"/> = <c>correct</c>, the paper's), or the
    /// probability the classifier gives the true class (<c>probability</c>, see <see cref="RamOptions.Reward"/>).
    /// </summary>
    /// <remarks>
    /// With <paramref name="paths"/> &gt; 1 the batch holds each image's paths next to each other (rows i*paths .. i*paths+paths-1,
    /// as <see cref="RepeatPaths"/> lays them out) and a path's advantage is <c>R - mean(R of the image's other paths)</c> instead of
    /// <c>R - b_t</c> (<see cref="RamOptions.TrainPaths"/>); the baseline's squared error is still returned.
    /// </remarks>
    public static (Tensor Nll, Tensor BaselineMse, Tensor Reinforce, Tensor Reward) Losses(RamRollout r, Tensor labels, RamReward reward = RamReward.Correct, int paths = 1)
    {
        if (paths < 1 || labels.shape[0] % paths != 0)
            throw new ArgumentException($"paths must be >= 1 and divide the batch ({labels.shape[0]} rollouts); got {paths}");
        var nll = nn.functional.nll_loss(r.LogProbs, labels);
        return WithReward(r, nll, reward == RamReward.Probability
            ? r.LogProbs.detach().gather(1, labels.unsqueeze(1)).squeeze(1).exp()      // (B) p(y | x)
            : r.LogProbs.argmax(1).eq(labels).to(r.LogProbs.dtype).detach(), paths);  // (B) 1 when right
    }

    /// <summary>Each image (and label) repeated <paramref name="paths"/> times in place: <c>(B, ...)</c> -> <c>(B * paths, ...)</c>, an image's copies adjacent.</summary>
    public static Tensor RepeatPaths(Tensor x, int paths) => paths == 1 ? x : x.repeat_interleave(paths, dim: 0);

    /// <summary>Leave-one-out mean of the other paths' rewards <c>(B)</c> for rewards <c>(B)</c> grouped by <paramref name="paths"/> adjacent rows.</summary>
    public static Tensor LeaveOneOutMean(Tensor reward, int paths)
    {
        var grouped = reward.view(-1, paths);                                    // (images, paths)
        using var others = ((double)(paths - 1)).ToScalar();
        return (grouped.sum(1, keepdim: true) - grouped).div(others).view(-1);  // (B)
    }

    static (Tensor Nll, Tensor BaselineMse, Tensor Reinforce, Tensor Reward) WithReward(RamRollout r, Tensor nll, Tensor reward, int paths)
    {
        if (r.PolicyLogProbs.shape[1] == 0)
        {
            var zero = zeros(1, dtype: r.LogProbs.dtype, device: r.LogProbs.device).sum();
            return (nll, zero, zero, reward);
        }
        var target = reward.unsqueeze(1).expand_as(r.Baselines); // (B, D)
        var mse = nn.functional.mse_loss(r.Baselines, target);
        var advantage = paths > 1
            ? (reward - LeaveOneOutMean(reward, paths)).unsqueeze(1).expand_as(r.Baselines) // (B, D): the same for every decision of a path
            : target - r.Baselines.detach();                                                 // (B, D)
        var reinforce = -(r.PolicyLogProbs * advantage).sum(1).mean();
        return (nll, mse, reinforce, reward);
    }

    /// <inheritdoc />
    public StepOutput TrainStep(ImageBatch batch)
    {
        int paths = Network.Options.TrainPaths;
        var labels = RepeatPaths(batch.Labels, paths);
        var r = Network.Rollout(RepeatPaths(batch.Images, paths));
        var (nll, mse, reinforce, _) = Losses(r, labels, Network.Options.Reward, paths);
        using var w = Network.Options.ReinforceWeight.ToScalar();
        var loss = nll.add(mse, HeldScalars.Of(1)).add(reinforce.mul(w), HeldScalars.Of(1));
        long n = labels.shape[0]; // rollouts: paths per image
        double correct = r.LogProbs.argmax(1).eq(labels).sum().item<long>();
        return new StepOutput(loss, (int)n, new Dictionary<string, double>
        {
            ["error"] = n - correct, ["reward"] = correct, ["nll"] = nll.item<float>() * n,
        });
    }

    /// <inheritdoc />
    public StepOutput EvalStep(ImageBatch batch)
    {
        if (EvalSamples < 1) throw new ArgumentException($"evaluation samples must be at least 1; got {EvalSamples}");
        Tensor? probs = null;
        for (int m = 0; m < EvalSamples; m++)
        {
            var p = Network.Rollout(batch.Images, meanPolicy: EvalPolicy == RamTestPolicy.Mean).LogProbs.exp();
            probs = probs is null ? p : probs.add(p, HeldScalars.Of(1));
        }
        var mean = (probs!).div(HeldScalars.Of(EvalSamples));                          // (B, classes)
        var loss = nn.functional.nll_loss(mean.clamp_min(HeldScalars.Of(1e-12)).log(), batch.Labels);
        long n = batch.Labels.shape[0];
        double errors = mean.argmax(1).ne(batch.Labels).sum().item<long>();
        return new StepOutput(loss, (int)n, new Dictionary<string, double> { ["error"] = errors, ["reward"] = n - errors, ["nll"] = loss.item<float>() * n });
    }
}
