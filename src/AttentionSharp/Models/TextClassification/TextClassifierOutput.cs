using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.TextClassification;

/// <summary>What a text classifier returns: class scores and, for attention models when asked, the attention weights.</summary>
/// <param name="Logits">Unnormalised class scores <c>(B, C)</c>.</param>
/// <param name="WordWeights">Word attention: <c>(B, T)</c> for a flat model, <c>(B, S, W)</c> for HAN (each sentence's words sum to one); null when not computed.</param>
/// <param name="SentenceWeights">HAN sentence attention <c>(B, S)</c>; null for flat models.</param>
public sealed record TextClassifierOutput(Tensor Logits, Tensor? WordWeights, Tensor? SentenceWeights);

/// <summary>A text classifier over a <see cref="Data.Text.TextBatch"/>'s tokens and mask.</summary>
public interface ITextClassifier
{
    /// <summary>The options it was built with.</summary>
    TextClassifierOptions Options { get; }

    /// <summary>The module (parameters, train/eval mode, device).</summary>
    nn.Module Module { get; }

    /// <summary>The word embedding layer (row i = vocabulary index i), e.g. to initialise it from pretrained vectors.</summary>
    TorchSharp.Modules.Embedding WordEmbedding { get; }

    /// <summary>Classifies <paramref name="tokens"/> with <paramref name="mask"/> (true = real token); weights when <paramref name="needWeights"/> and the model has attention.</summary>
    TextClassifierOutput Classify(Tensor tokens, Tensor mask, bool needWeights = false);
}

/// <summary>Builds the classifier named by <see cref="TextClassifierOptions.Model"/>.</summary>
public static class TextClassifiers
{
    /// <summary>A new, randomly initialised classifier (build it outside any dispose scope).</summary>
    public static ITextClassifier Create(TextClassifierOptions options)
    {
        options.Validate();
        return options.Hierarchical ? new HierarchicalAttentionNetwork(options) : new RecurrentTextClassifier(options);
    }
}
