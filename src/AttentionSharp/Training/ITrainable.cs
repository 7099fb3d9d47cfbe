using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>What one training or evaluation step produced: the loss to minimise and per-example metric sums.</summary>
/// <param name="Loss">Scalar loss of the batch (the trainer calls backward on it in training).</param>
/// <param name="Examples">Number of examples in the batch (weights the running means).</param>
/// <param name="Sums">Metric sums over the batch's examples, e.g. <c>error</c> = number misclassified; reported as sum / examples.</param>
public sealed record StepOutput(Tensor Loss, int Examples, IReadOnlyDictionary<string, double> Sums);

/// <summary>A model the <see cref="Trainer{TBatch}"/> can drive: it turns a batch into a loss and metric sums.</summary>
/// <typeparam name="TBatch">The batch type produced by the matching <see cref="IBatchSource{TBatch}"/>.</typeparam>
public interface ITrainable<in TBatch>
{
    /// <summary>The module whose parameters are optimised and whose state is checkpointed.</summary>
    nn.Module Model { get; }

    /// <summary>Forward pass and loss in training mode; called inside a dispose scope, before backward and the optimiser step.</summary>
    StepOutput TrainStep(TBatch batch);

    /// <summary>Forward pass and metrics in evaluation mode; called inside a dispose scope under no_grad.</summary>
    StepOutput EvalStep(TBatch batch);
}

/// <summary>An indexable dataset that builds batches on demand.</summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public interface IBatchSource<out TBatch>
{
    /// <summary>Number of examples.</summary>
    int Count { get; }

    /// <summary>Builds the batch of the given example indices (tensors belong to the caller's dispose scope).</summary>
    TBatch GetBatch(int[] indices);
}

/// <summary>A batch source whose examples have a length that sets their padded cost (e.g. symbols of a sentence pair).</summary>
public interface ILengthAware
{
    /// <summary>The length of example <paramref name="index"/> used to group it with examples of similar length.</summary>
    int LengthOf(int index);
}

/// <summary>
/// A model with validation scores beyond the per-batch metrics, computed once per epoch after the validation pass (e.g. a
/// translator's BLEU of greedy outputs on part of the dev set); the trainer adds them to the epoch's validation metrics.
/// </summary>
public interface IValidationScores
{
    /// <summary>The scores, by metric name; called after the validation pass, outside any training step.</summary>
    IReadOnlyDictionary<string, double> ValidationScores();
}
