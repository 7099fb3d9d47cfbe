using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>What training and translation need from an encoder-decoder (recurrent or Transformer).</summary>
public interface ITranslationModel
{
    /// <summary>The module holding the parameters.</summary>
    nn.Module Module { get; }
    /// <summary>Longest source accepted (symbols).</summary>
    int MaxSourceLength { get; }
    /// <summary>Longest output decoded (symbols, EOS included).</summary>
    int MaxTargetLength { get; }
    /// <summary>Label smoothing of the training loss.</summary>
    double LabelSmoothing { get; }
    /// <summary>Whether decoding returns attention weights per output token.</summary>
    bool HasAttention { get; }
    /// <summary>Teacher-forced logits <c>(B, T, V)</c> of source ids <c>(B, S)</c> with real-token mask and decoder inputs <c>(B, T)</c>.</summary>
    Tensor Logits(Tensor source, Tensor mask, Tensor targetIn);
    /// <summary>Greedy (beam 1) or beam-search decoding of source ids <c>(B, S)</c>; <c>&lt;unk&gt;</c> may be emitted only when <paramref name="allowUnknown"/> (for <see cref="UnknownWordReplacer"/>).</summary>
    List<Hypothesis> Decode(Tensor source, Tensor mask, int beam = 1, double alpha = 1.0, int? maxLength = null, bool forceBeamSearch = false, bool allowUnknown = false);
}
