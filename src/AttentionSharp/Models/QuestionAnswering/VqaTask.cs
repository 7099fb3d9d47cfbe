using AttentionSharp.Data.Captioning;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.QuestionAnswering;

/// <summary>
/// Trains a <see cref="StackedAttentionNetwork"/> by the cross-entropy of the answers, averaged over a batch's questions.
/// Metrics per question: <c>nll</c> and <c>error</c> (the arg-max answer is wrong).
/// </summary>
/// <param name="Network">The model.</param>
public sealed class VqaTask(StackedAttentionNetwork Network) : ITrainable<VqaBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Network;

    StepOutput Step(VqaBatch batch)
    {
        var pass = Network.Forward(batch.Images, batch.ImageOf, batch.Questions, batch.Mask);
        var nll = nn.functional.cross_entropy(pass.Logits, batch.Answers, reduction: nn.Reduction.None);   // (N)
        var wrong = pass.Logits.argmax(1).ne(batch.Answers).sum();
        return new StepOutput(nll.mean(), batch.Items.Length,
            new Dictionary<string, double> { ["nll"] = nll.sum().item<float>(), ["error"] = wrong.item<long>() });
    }

    /// <inheritdoc />
    public StepOutput TrainStep(VqaBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(VqaBatch batch) => Step(batch);
}
