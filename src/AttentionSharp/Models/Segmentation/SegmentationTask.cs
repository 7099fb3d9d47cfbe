using AttentionSharp.Data;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Segmentation;

/// <summary>Drives a segmentation network with <see cref="DiceCrossEntropyLoss"/>; reports <c>dice_error</c> (1 - per-example mean foreground Dice) and <c>pixel_error</c>.</summary>
/// <param name="Network">The network.</param>
public sealed class SegmentationTask(ISegmentationNetwork Network) : ITrainable<SegmentationBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Network.Module;

    /// <inheritdoc />
    public StepOutput TrainStep(SegmentationBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(SegmentationBatch batch) => Step(batch);

    StepOutput Step(SegmentationBatch batch)
    {
        var logits = Network.Module.forward(batch.Images);
        var loss = DiceCrossEntropyLoss.Compute(logits, batch.Masks, Network.Options.DiceWeight);
        Tensor pred;
        using (torch.no_grad()) pred = logits.argmax(1); // (B, H, W)
        double diceError = DiceMetric.PerExample(pred, batch.Masks, Network.Options.Classes).neg().add(HeldScalars.Of(1), HeldScalars.Of(1)).sum().item<double>();
        double pixelError = pred.ne(batch.Masks).to(ScalarType.Float64).mean([1, 2]).sum().item<double>();
        return new StepOutput(loss, (int)batch.Masks.shape[0], new Dictionary<string, double> { ["dice_error"] = diceError, ["pixel_error"] = pixelError });
    }

    /// <summary>Per-class Dice of <paramref name="network"/> over a whole dataset, in evaluation mode without gradients.</summary>
    public static DiceMetric Evaluate(ISegmentationNetwork network, SegmentationDataset data, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1; got {batchSize}");
        var metric = new DiceMetric(network.Options.Classes);
        network.Module.eval();
        using (torch.no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = data.GetBatch(Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray());
                metric.Add(network.Module.forward(batch.Images).argmax(1), batch.Masks);
            }
        }
        return metric;
    }
}
