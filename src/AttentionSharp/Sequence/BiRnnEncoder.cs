using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using System.Text.Json.Serialization;
using AttentionSharp.Native;
using AttentionSharp.Training;

namespace AttentionSharp.Sequence;

/// <summary>The recurrent cell of an encoder (stored as gru, lstm).</summary>
[JsonConverter(typeof(VariantJsonConverter<RnnCell>))]
public enum RnnCell
{
    /// <summary>Gated recurrent unit (Cho et al. 2014), Bahdanau et al.'s encoder.</summary>
    [JsonStringEnumMemberName("gru")] Gru,
    /// <summary>Long short-term memory (Hochreiter and Schmidhuber 1997), Luong et al.'s encoder.</summary>
    [JsonStringEnumMemberName("lstm")] Lstm,
}

/// <summary>What a bidirectional encoder returns.</summary>
/// <param name="Annotations">Per-position states <c>[h_fwd; h_bwd]</c>, <c>(B, S, 2H)</c>, zero at padding.</param>
/// <param name="Final">Final states <c>[h_fwd at the last real token; h_bwd at the first]</c>, <c>(B, 2H)</c>.</param>
public readonly record struct EncodedSequence(Tensor Annotations, Tensor Final);

/// <summary>
/// Bidirectional GRU or LSTM over padded, batch-first sequences (Bahdanau et al. 2015, sec. 3.2: annotation
/// <c>h_j = [h_fwd_j; h_bwd_j]</c>; Luong et al. 2015 use LSTMs): the one bidirectional encoder of the library, used by
/// seq2seq, the text classifiers (flat and both levels of HAN) and the BiLSTM-CRF taggers. Padding never enters a state: the backward RNN reads each
/// sequence reversed within its own length (no packing needed), and annotations at padded positions are zero. With an LSTM
/// the annotations and final states are its hidden states h (the cell states stay inside).
/// </summary>
public sealed class BiRnnEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly nn.Module forward_rnn;
    readonly nn.Module backward_rnn;

    /// <summary>Creates an encoder of inputs of size <paramref name="inputSize"/> with <paramref name="hiddenSize"/> units per direction.</summary>
    /// <param name="inputSize">Input features.</param>
    /// <param name="hiddenSize">Units per direction.</param>
    /// <param name="cell">GRU or LSTM.</param>
    public BiRnnEncoder(long inputSize, long hiddenSize, RnnCell cell = RnnCell.Gru) : base("BiRnnEncoder")
    {
        if (inputSize < 1 || hiddenSize < 1) throw new ArgumentException($"inputSize and hiddenSize must be positive; got {inputSize}, {hiddenSize}");
        Variant.Check(cell, "cell");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Cell = cell;
        forward_rnn = cell == RnnCell.Gru ? Layers.GRU(inputSize, hiddenSize, batchFirst: true) : Layers.LSTM(inputSize, hiddenSize, batchFirst: true);
        backward_rnn = cell == RnnCell.Gru ? Layers.GRU(inputSize, hiddenSize, batchFirst: true) : Layers.LSTM(inputSize, hiddenSize, batchFirst: true);
        RegisterComponents();
    }

    /// <summary>The recurrent cell.</summary>
    public RnnCell Cell { get; }

    /// <summary>Per-position hidden states <c>(B, S, H)</c> of one direction's RNN over <paramref name="x"/>.</summary>
    static Tensor Run(nn.Module rnn, Tensor x) => rnn switch
    {
        GRU g => g.forward(x).Item1,
        LSTM l => l.forward(x).Item1,
        _ => throw new InvalidOperationException($"unexpected recurrent module {rnn.GetType().Name}"),
    };

    /// <summary>Input features.</summary>
    public long InputSize { get; }
    /// <summary>Units per direction (annotations have twice this).</summary>
    public long HiddenSize { get; }

    /// <summary>The annotations only; see <see cref="Encode"/>.</summary>
    public override Tensor forward(Tensor inputs, Tensor mask) => Encode(inputs, mask).Annotations;

    /// <summary>Encodes <paramref name="inputs"/> <c>(B, S, E)</c> whose real positions are <paramref name="mask"/> <c>(B, S)</c> (true = real, a prefix of each row, at least one).</summary>
    public EncodedSequence Encode(Tensor inputs, Tensor mask)
    {
        if (inputs.dim() != 3 || inputs.shape[2] != InputSize)
            throw new ArgumentException($"inputs must be (batch, time, {InputSize}); got ({string.Join(", ", inputs.shape)})");
        if (mask.dim() != 2 || mask.shape[0] != inputs.shape[0] || mask.shape[1] != inputs.shape[1] || mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"mask must be bool (batch={inputs.shape[0]}, time={inputs.shape[1]}); got {mask.dtype} ({string.Join(", ", mask.shape)})");
        var lengths = mask.sum(1);                                                   // (B)
        if (lengths.min().item<long>() < 1) throw new ArgumentException("every sequence needs at least one real token; got an empty one");
        long b = inputs.shape[0], s = inputs.shape[1], h = HiddenSize;
        var reverse = ReverseIndex(lengths, s);                                      // (B, S)

        var outF = Run(forward_rnn, inputs);                                         // (B, S, H)
        var reversedIn = inputs.gather(1, reverse.unsqueeze(-1).expand(b, s, InputSize)); // (B, S, E)
        var outBRev = Run(backward_rnn, reversedIn);                                 // (B, S, H), position t holds h_bwd of token len-1-t
        var outB = outBRev.gather(1, reverse.unsqueeze(-1).expand(b, s, h));         // (B, S, H)
        var keep = mask.unsqueeze(-1).to(inputs.dtype);                              // (B, S, 1)
        var annotations = torch.cat([outF, outB], 2) * keep;                         // (B, S, 2H)

        var last = lengths.sub(HeldScalars.Of(1)).view(b, 1, 1).expand(b, 1, h);                      // (B, 1, H)
        var finalF = outF.gather(1, last).squeeze(1);                                // (B, H)
        var finalB = outB.select(1, 0);                                              // (B, H)
        return new EncodedSequence(annotations, torch.cat([finalF, finalB], 1));     // (B, 2H)
    }

    /// <summary>
    /// Encodes <paramref name="inputs"/> <c>(B, S, E)</c> whose real lengths are <paramref name="lengths"/> <c>(B)</c> (the real
    /// positions are a prefix of each row). A length of 0 is read as 1 (an empty sentence of a document: the caller masks it).
    /// </summary>
    public EncodedSequence EncodeLengths(Tensor inputs, Tensor lengths)
    {
        if (inputs.dim() != 3) throw new ArgumentException($"inputs must be (batch, time, {InputSize}); got ({string.Join(", ", inputs.shape)})");
        if (lengths.dim() != 1 || lengths.shape[0] != inputs.shape[0])
            throw new ArgumentException($"lengths must be (batch={inputs.shape[0]}); got ({string.Join(", ", lengths.shape)})");
        var len = lengths.to(inputs.device).to(ScalarType.Int64).clamp(HeldScalars.Of(1), HeldScalars.Of(inputs.shape[1]));   // (B)
        var pos = torch.arange(HeldScalars.Of(0), HeldScalars.Of(inputs.shape[1]), HeldScalars.Of(1), device: inputs.device).unsqueeze(0); // (1, S)
        return Encode(inputs, pos < len.unsqueeze(1));                               // mask (B, S)
    }

    /// <summary>For each row, the index map that reverses the first <c>length</c> positions and keeps the padding in place.</summary>
    public static Tensor ReverseIndex(Tensor lengths, long maxLength)
    {
        var pos = torch.arange(HeldScalars.Of(0), HeldScalars.Of(maxLength), HeldScalars.Of(1), device: lengths.device).unsqueeze(0);     // (1, S)
        var len = lengths.to(ScalarType.Int64).unsqueeze(1);                         // (B, 1)
        return torch.where(pos < len, len.sub(HeldScalars.Of(1)) - pos, pos);                           // (B, S)
    }
}
