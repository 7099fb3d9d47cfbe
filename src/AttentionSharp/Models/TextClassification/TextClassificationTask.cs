using AttentionSharp.Data.Text;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.TextClassification;

/// <summary>Drives a text classifier with cross-entropy for the trainer; reports <c>error</c> (fraction misclassified).</summary>
/// <param name="Classifier">The classifier.</param>
public sealed class TextClassificationTask(ITextClassifier Classifier) : ITrainable<TextBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Classifier.Module;

    /// <inheritdoc />
    public StepOutput TrainStep(TextBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(TextBatch batch) => Step(batch);

    StepOutput Step(TextBatch batch)
    {
        var logits = Classifier.Classify(batch.Tokens, batch.Mask).Logits;
        var loss = nn.functional.cross_entropy(logits, batch.Labels);
        double errors = logits.argmax(1).ne(batch.Labels).sum().item<long>();
        return new StepOutput(loss, (int)batch.Labels.shape[0], new Dictionary<string, double> { ["error"] = errors });
    }
}
