using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.TextClassification;

/// <summary>
/// A one-layer bidirectional GRU or LSTM over padded sequences: the sequences are packed by length so that neither
/// direction reads padding; returns every position's state <c>(B, T, 2H)</c> (zero at padding) and the final state
/// <c>(B, 2H)</c> (forward direction after the last real token, backward direction after the first).
/// </summary>
public sealed class BiRecurrentEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly GRU? gru;
    readonly LSTM? lstm;

    /// <summary>Creates the encoder for inputs of size <paramref name="inputSize"/> with <paramref name="hidden"/> units per direction.</summary>
    public BiRecurrentEncoder(int inputSize, int hidden, string cell) : base("BiRecurrentEncoder")
    {
        Hidden = hidden;
        if (cell == "gru") gru = nn.GRU(inputSize, hidden, batchFirst: true, bidirectional: true);
        else if (cell == "lstm") lstm = nn.LSTM(inputSize, hidden, batchFirst: true, bidirectional: true);
        else throw new ArgumentException($"cell must be gru or lstm; got '{cell}'");
        RegisterComponents();
    }

    /// <summary>Units per direction.</summary>
    public int Hidden { get; }

    /// <summary>The states <c>(B, T, 2H)</c> of <paramref name="inputs"/> <c>(B, T, E)</c> whose real lengths are <paramref name="lengths"/> <c>(B)</c> (at least 1).</summary>
    public override Tensor forward(Tensor inputs, Tensor lengths) => Encode(inputs, lengths).States;

    /// <summary>States <c>(B, T, 2H)</c> and final state <c>(B, 2H)</c>; a length of 0 is read as 1 (the caller masks it).</summary>
    public (Tensor States, Tensor Final) Encode(Tensor inputs, Tensor lengths)
    {
        long t = inputs.shape[1];
        using var cpuLengths = lengths.to(CPU).to(ScalarType.Int64).clamp(HeldScalars.Of(1), HeldScalars.Of(t));
        using var packed = nn.utils.rnn.pack_padded_sequence(inputs, cpuLengths, batch_first: true, enforce_sorted: false);
        Tensor hn;
        nn.utils.rnn.PackedSequence output;
        if (gru != null) (output, hn) = gru.call(packed, null!);
        else
        {
            var (o, h, c) = lstm!.call(packed, null);
            c.Dispose();
            output = o; hn = h;
        }
        using (output)
        {
            var (states, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: t); // (B, T, 2H)
            var final = torch.cat([hn[0], hn[1]], 1);                                                      // (B, 2H)
            return (states, final);
        }
    }
}
