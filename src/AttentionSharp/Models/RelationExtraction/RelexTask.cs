using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>Trains a <see cref="BagRelationExtractor"/> by cross-entropy with the bags' knowledge-base labels; metric <c>error</c> (bags whose label is not the arg max).</summary>
/// <param name="Network">The model.</param>
public sealed class RelexTask(BagRelationExtractor Network) : ITrainable<RelexBatch>
{
    /// <inheritdoc />
    public torch.nn.Module Model => Network;

    /// <inheritdoc />
    public StepOutput TrainStep(RelexBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(RelexBatch batch) => Step(batch);

    StepOutput Step(RelexBatch batch)
    {
        var (loss, logits) = Network.Loss(batch);
        int n = batch.Bags.Length;
        double wrong = logits.argmax(1).ne(batch.Labels).sum().item<long>();
        return new StepOutput(loss, n, new Dictionary<string, double> { ["error"] = wrong });
    }
}
