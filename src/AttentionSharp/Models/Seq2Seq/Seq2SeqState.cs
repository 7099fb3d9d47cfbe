using AttentionSharp.Sequence;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>The encoder's output that every decoder step reads: annotations, their prepared keys, padding mask and final state.</summary>
/// <param name="Annotations">Encoder states <c>(B, S, 2H)</c> (the values).</param>
/// <param name="Keys">Annotations passed through the score's key preparation <c>(B, S, *)</c>, or null.</param>
/// <param name="Mask">Real source tokens <c>(B, S)</c>.</param>
/// <param name="Final">Final encoder state <c>(B, 2H)</c>.</param>
public sealed record EncoderMemory(Tensor Annotations, Tensor? Keys, Tensor Mask, Tensor Final)
{
    /// <summary>Rows <paramref name="index"/> of every tensor.</summary>
    public EncoderMemory Select(Tensor index) =>
        new(Annotations.index_select(0, index), Keys?.index_select(0, index), Mask.index_select(0, index), Final.index_select(0, index));
}

/// <summary>A recurrent decoder's state: hidden state, input-feeding vector (Luong) and the encoder memory.</summary>
/// <param name="Hidden">Decoder hidden state <c>(B, Hd)</c>.</param>
/// <param name="Feed">Previous attentional state <c>h~_{t-1}</c> for input feeding <c>(B, Hd)</c>, or null.</param>
/// <param name="Memory">The encoder memory.</param>
/// <param name="Step">Target position t of the next step (0 before the first); local-m attends around it.</param>
public sealed record Seq2SeqState(Tensor Hidden, Tensor? Feed, EncoderMemory Memory, int Step = 0) : IDecoderState
{
    /// <inheritdoc />
    public IDecoderState Select(Tensor index) => new Seq2SeqState(Hidden.index_select(0, index), Feed?.index_select(0, index), Memory.Select(index), Step);

    /// <inheritdoc />
    public IDecoderState SelectWithinSource(Tensor index) => new Seq2SeqState(Hidden.index_select(0, index), Feed?.index_select(0, index), Memory, Step);
}

/// <summary>One decoder step's result before the output layer.</summary>
/// <param name="Output">Feature fed to the output layer <c>(B, Hd)</c>.</param>
/// <param name="Weights">Attention over source positions <c>(B, S)</c>, or null.</param>
/// <param name="State">State after the step.</param>
public readonly record struct RnnDecoderStep(Tensor Output, Tensor? Weights, Seq2SeqState State);

/// <summary>A recurrent decoder: starts from the encoder memory and advances one target token at a time.</summary>
public abstract class RnnDecoder : nn.Module
{
    /// <summary>Creates a decoder module with the given name.</summary>
    protected RnnDecoder(string name) : base(name) { }

    /// <summary>Prepares the attention keys once per source (identity or null when not needed).</summary>
    public abstract Tensor? PrepareKeys(Tensor annotations);

    /// <summary>The state before the first step.</summary>
    public abstract Seq2SeqState Start(EncoderMemory memory);

    /// <summary>Advances one step given the embedded previous token <c>(B, E)</c>.</summary>
    public abstract RnnDecoderStep Step(Tensor embedded, Seq2SeqState state);
}
