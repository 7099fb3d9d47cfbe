using AttentionSharp.Data.Translation;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>Trains an <see cref="ITranslationModel"/> with token cross-entropy (padding ignored, optional label smoothing); reports <c>error</c> = fraction of sentences with any wrong token under teacher forcing, and <c>token_error</c>.</summary>
/// <param name="Network">The model.</param>
/// <param name="DevScores">Scores of the model on dev after each epoch (e.g. <c>bleu</c> and <c>chrf</c> of greedy outputs), or null for none.</param>
public sealed class Seq2SeqTask(ITranslationModel Network, Func<IReadOnlyDictionary<string, double>>? DevScores = null) : ITrainable<Seq2SeqBatch>, IValidationScores
{
    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> ValidationScores() => DevScores?.Invoke() ?? new Dictionary<string, double>();

    /// <inheritdoc />
    public nn.Module Model => Network.Module;

    /// <inheritdoc />
    public StepOutput TrainStep(Seq2SeqBatch batch) => Step(batch, Network.LabelSmoothing);

    /// <inheritdoc />
    public StepOutput EvalStep(Seq2SeqBatch batch) => Step(batch, 0);

    StepOutput Step(Seq2SeqBatch batch, double smoothing)
    {
        var logits = Network.Logits(batch.Source, batch.SourceMask, batch.TargetIn);   // (B, T, V)
        long v = logits.shape[2];
        var loss = nn.functional.cross_entropy(logits.reshape(-1, v), batch.TargetOut.reshape(-1),
            ignore_index: Vocabulary.Pad, label_smoothing: smoothing);
        var wrong = logits.argmax(2).ne(batch.TargetOut).logical_and(batch.TargetMask); // (B, T)
        double sentences = wrong.any(1).sum().item<long>();
        double tokens = wrong.sum().item<long>();
        double total = batch.TargetMask.sum().item<long>();
        int b = (int)batch.Source.shape[0];
        return new StepOutput(loss, b, new Dictionary<string, double> { ["error"] = sentences, ["token_error"] = tokens / total * b });
    }
}
