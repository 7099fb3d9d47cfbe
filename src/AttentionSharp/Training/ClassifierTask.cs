using AttentionSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>Drives any image classifier (logits out) with cross-entropy; reports <c>error</c> (fraction misclassified).</summary>
/// <param name="Network">The classifier.</param>
public sealed class ClassifierTask(nn.Module<Tensor, Tensor> Network) : ITrainable<ImageBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Network;

    /// <inheritdoc />
    public StepOutput TrainStep(ImageBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(ImageBatch batch) => Step(batch);

    StepOutput Step(ImageBatch batch)
    {
        var logits = Network.forward(batch.Images);
        var loss = nn.functional.cross_entropy(logits, batch.Labels);
        double errors = logits.argmax(1).ne(batch.Labels).sum().item<long>();
        return new StepOutput(loss, (int)batch.Labels.shape[0], new Dictionary<string, double> { ["error"] = errors });
    }
}
