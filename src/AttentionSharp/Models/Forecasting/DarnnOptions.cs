using System.Text.Json.Serialization;
using AttentionSharp.Training;

namespace AttentionSharp.Models.Forecasting;

/// <summary>Which attention stages DA-RNN has (stored as dual, input, temporal, none).</summary>
[JsonConverter(typeof(VariantJsonConverter<DarnnAttention>))]
public enum DarnnAttention
{
    /// <summary>DA-RNN: input attention in the encoder, temporal attention in the decoder.</summary>
    [JsonStringEnumMemberName("dual")] Dual,
    /// <summary>Input attention only (the paper's Input-Attn-RNN).</summary>
    [JsonStringEnumMemberName("input")] Input,
    /// <summary>Temporal attention only (the paper's Attn-RNN).</summary>
    [JsonStringEnumMemberName("temporal")] Temporal,
    /// <summary>A plain encoder-decoder LSTM.</summary>
    [JsonStringEnumMemberName("none")] None,
}

/// <summary>The score of DA-RNN's temporal attention (stored as additive, general).</summary>
[JsonConverter(typeof(VariantJsonConverter<DarnnScore>))]
public enum DarnnScore
{
    /// <summary>The paper's additive score <c>v_d^T tanh(W_d [d; s'] + U_d h_i)</c> (Bahdanau et al. 2015).</summary>
    [JsonStringEnumMemberName("additive")] Additive,
    /// <summary>Luong et al. 2015's "general" score <c>[d; s']^T W h_i</c>.</summary>
    [JsonStringEnumMemberName("general")] General,
}

/// <summary>
/// Options of the dual-stage attention RNN (DA-RNN, Qin et al. 2017, "A Dual-Stage Attention-Based Recurrent Neural Network
/// for Time Series Prediction", IJCAI) and its ablations.
/// </summary>
/// <param name="Drivers">Number of driving series n (0 for a series without drivers: no input attention; the encoder reads the target history).</param>
/// <param name="Window">Time steps T of the input window (the paper's T = 10, chosen by grid search on its data sets).</param>
/// <param name="EncoderHidden">Encoder LSTM units m (the paper searched {16, 32, 64, 128, 256}; 64 and 128 won on its data).</param>
/// <param name="DecoderHidden">Decoder LSTM units p (the paper used p = m).</param>
/// <param name="Attention">
/// <c>dual</c> (DA-RNN: input attention in the encoder, temporal attention in the decoder), <c>input</c> (input attention
/// only: the decoder reads the last encoder state, the paper's Input-Attn-RNN), <c>temporal</c> (temporal attention only,
/// drivers fed unweighted: the paper's Attn-RNN), <c>none</c> (a plain encoder-decoder LSTM).
/// </param>
/// <param name="Calendar">
/// Calendar features of the forecast day concatenated to the output layer's input, <c>W_y [d_T; c_T; k]</c> (0: none, the
/// paper's model; <see cref="AttentionSharp.Data.Series.CalendarFeatures.Count"/> with <c>--calendar</c>).
/// </param>
/// <param name="Score">Score of the temporal attention (additive, the paper's; or Luong's general).</param>
public sealed record DarnnOptions(int Drivers, int Window = 10, int EncoderHidden = 64, int DecoderHidden = 64, DarnnAttention Attention = DarnnAttention.Dual,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Calendar = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] DarnnScore Score = DarnnScore.Additive)
{
    /// <summary>Whether the encoder weights the drivers (input attention).</summary>
    public bool UsesInputAttention => Attention is DarnnAttention.Dual or DarnnAttention.Input;

    /// <summary>Whether the decoder attends over the encoder states (temporal attention).</summary>
    public bool UsesTemporalAttention => Attention is DarnnAttention.Dual or DarnnAttention.Temporal;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Drivers < 0 || (Drivers == 0 && UsesInputAttention))
            throw new ArgumentException($"Drivers must be >= 1 with input attention (Attention = {Variant.Name(Attention)}), >= 0 without; got {Drivers}");
        if (Window < 2) throw new ArgumentException($"Window must be >= 2; got {Window}");
        if (EncoderHidden < 1) throw new ArgumentException($"EncoderHidden must be >= 1; got {EncoderHidden}");
        if (DecoderHidden < 1) throw new ArgumentException($"DecoderHidden must be >= 1; got {DecoderHidden}");
        if (Calendar < 0) throw new ArgumentException($"Calendar must be >= 0; got {Calendar}");
        Variant.Check(Attention, nameof(Attention));
        Variant.Check(Score, nameof(Score));
    }
}
