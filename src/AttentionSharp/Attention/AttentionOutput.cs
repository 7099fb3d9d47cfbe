using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Attention;

/// <summary>What an attention layer returns: the context (weighted sum of values) and, when requested, the attention weights.</summary>
/// <param name="Context">The attended values, e.g. <c>(B, Tq, Dv)</c>.</param>
/// <param name="Weights">The attention weights, e.g. <c>(B, Tq, Tk)</c> or per head <c>(B, H, Tq, Tk)</c>; null when not requested.</param>
public readonly record struct AttentionOutput(Tensor Context, Tensor? Weights);
