using static TorchSharp.torch;

namespace AttentionSharp.Models.RelationExtraction;

/// <summary>
/// A batch of bags: the sentences of all bags stacked, and where each bag's sentences are.
/// </summary>
/// <param name="Words">Word indices <c>(S, L)</c>, padded with 0.</param>
/// <param name="HeadPositions">Position indices relative to the head <c>(S, L)</c> (padding: the padding index).</param>
/// <param name="TailPositions">Position indices relative to the tail <c>(S, L)</c>.</param>
/// <param name="Segments">Pooling pieces <c>(S, L)</c>: 1..n, 0 on padding (<see cref="PiecewiseMaxPool.Segments"/>).</param>
/// <param name="Slots">Sentence index of each bag slot <c>(B, M)</c>; padding slots hold S (a zero row).</param>
/// <param name="SlotMask">Which slots hold a sentence <c>(B, M)</c> (true = a sentence).</param>
/// <param name="SentenceBag">The bag of each sentence <c>(S)</c>.</param>
/// <param name="Labels">Each bag's relation index <c>(B)</c> (the knowledge-base label; a test bag's first relation).</param>
/// <param name="Bags">Indices of the bags in their dataset.</param>
public sealed record RelexBatch(Tensor Words, Tensor HeadPositions, Tensor TailPositions, Tensor Segments, Tensor Slots, Tensor SlotMask,
    Tensor SentenceBag, Tensor Labels, int[] Bags);
