using AttentionSharp.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionSharp.Native;

namespace AttentionSharp.Models.Forecasting;

/// <summary>
/// DA-RNN (Qin et al. 2017) as a direct forecaster: from a window of T steps of n driving series <c>x</c> and of the target
/// <c>y</c>, all at or before the forecast origin, predict the target h steps after the origin.
/// <para>Encoder (eq. 8-11): at step t the input attention scores each driver series k over the whole window,
/// <c>e_t^k = v_e^T tanh(W_e [h_{t-1}; s_{t-1}] + U_e x^k)</c> (catalog <see cref="AdditiveScore"/>, query the LSTM's hidden
/// and cell state, keys the n driver series of length T), <c>alpha_t = softmax_k(e_t)</c>, and the LSTM reads
/// <c>x~_t = (alpha_t^1 x_t^1, ..., alpha_t^n x_t^n)</c>.</para>
/// <para>Decoder (eq. 12-17): at step t the temporal attention scores the encoder states,
/// <c>l_t^i = v_d^T tanh(W_d [d_{t-1}; s'_{t-1}] + U_d h_i)</c>, <c>beta_t = softmax_i(l_t)</c>, <c>c_t = sum_i beta_t^i h_i</c>;
/// the decoder LSTM reads <c>y~_t = w~^T [y_t; c_t] + b~</c>. After the T target steps, one more attention step with the
/// final decoder state gives <c>c_T</c> and the output <c>y^ = v_y^T (W_y [d_T; c_T] + b_w) + b_v</c> (eq. 22).</para>
/// Ablations: without input attention the encoder reads x_t as is; without temporal attention the context is the last
/// encoder state h_T at every decoder step. The temporal score is the paper's additive one (Bahdanau et al. 2015) or
/// Luong et al.'s "general" <c>[d; s']^T W h_i</c> (<see cref="DarnnOptions.Score"/>). A series without drivers (n = 0,
/// input attention off) has its encoder read the target history instead.
/// </summary>
public sealed class DualStageAttentionRnn : nn.Module<Tensor, Tensor, Tensor>, IForecaster
{
    readonly AdditiveScore inputScore;
    readonly AttentionScore temporalScore;
    readonly LSTMCell encoder;
    readonly LSTMCell decoder;
    readonly Linear yTilde;
    readonly Linear outHidden;
    readonly Linear outValue;

    /// <summary>Creates the model; the options are validated.</summary>
    public DualStageAttentionRnn(DarnnOptions options) : base("DualStageAttentionRnn")
    {
        options.Validate();
        Options = options;
        int n = options.Drivers, T = options.Window, m = options.EncoderHidden, p = options.DecoderHidden;
        inputScore = new AdditiveScore(2 * m, T, T);        // W_e: 2m -> T, U_e: T -> T, v_e: T
        temporalScore = options.Score == DarnnScore.General
            ? new GeneralScore(2 * p, m)                    // W: m -> 2p (Luong's general score)
            : new AdditiveScore(2 * p, m, m);               // W_d: 2p -> m, U_d: m -> m, v_d: m
        encoder = Layers.LSTMCell(Math.Max(n, 1), m);       // n = 0: the encoder reads the target history
        decoder = Layers.LSTMCell(1, p);
        yTilde = Layers.Linear(1 + m, 1);                       // w~, b~
        outHidden = Layers.Linear(p + m + options.Calendar, p); // W_y, b_w (and the calendar columns, when on)
        outValue = Layers.Linear(p, 1);                         // v_y, b_v
        RegisterComponents();
    }

    /// <summary>The options the model was built with.</summary>
    public DarnnOptions Options { get; }

    /// <summary>The input attention score (W_e, U_e, v_e).</summary>
    public AdditiveScore InputScore => inputScore;

    /// <summary>The temporal attention score (additive: W_d, U_d, v_d; general: W).</summary>
    public AttentionScore TemporalScore => temporalScore;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public int Calendar => Options.Calendar;

    /// <inheritdoc />
    public bool UsesInputAttention => Options.UsesInputAttention;

    /// <inheritdoc />
    public bool UsesTemporalAttention => Options.UsesTemporalAttention;

    /// <summary>The encoder LSTM cell.</summary>
    public LSTMCell Encoder => encoder;

    /// <summary>The decoder LSTM cell.</summary>
    public LSTMCell Decoder => decoder;

    /// <summary>The decoder input map w~, b~.</summary>
    public Linear DecoderInput => yTilde;

    /// <summary>The output layers W_y, b_w and v_y, b_v.</summary>
    public (Linear Hidden, Linear Value) Output => (outHidden, outValue);

    /// <summary>Forecasts <c>(B)</c> from drivers <c>(B, T, n)</c> and target history <c>(B, T)</c>.</summary>
    public override Tensor forward(Tensor drivers, Tensor history) => Run(drivers, history).Prediction;

    /// <summary>Forecasts with the attention weights.</summary>
    /// <param name="drivers">Drivers <c>(B, T, n)</c>.</param>
    /// <param name="history">Target history <c>(B, T)</c>.</param>
    /// <param name="calendar">Calendar features of the forecast day <c>(B, C)</c>; required when <see cref="DarnnOptions.Calendar"/> is C &gt; 0, refused otherwise.</param>
    public ForecastOutput Run(Tensor drivers, Tensor history, Tensor? calendar = null)
    {
        int T = Options.Window, n = Options.Drivers;
        ForecastInputs.Check(drivers, history, calendar, T, n, Options.Calendar);
        long B = drivers.shape[0];
        var opts = new TensorOptionsOf(drivers);
        if (n == 0) drivers = history.unsqueeze(2);                                          // (B, T, 1): a series without drivers

        // Encoder with input attention.
        var h = zeros(B, Options.EncoderHidden, dtype: opts.Type, device: opts.Device);
        var s = zeros_like(h);
        Tensor? seriesKeys = Options.UsesInputAttention ? inputScore.PrepareKeys(drivers.transpose(1, 2)) : null; // U_e x^k: (B, n, T)
        var states = new List<Tensor>(T);
        var alphas = new List<Tensor>(T);
        for (int t = 0; t < T; t++)
        {
            var xt = drivers.select(1, t);                                                   // (B, n)
            if (seriesKeys is not null)
            {
                var e = inputScore.Score(cat([h, s], 1).unsqueeze(1), seriesKeys).squeeze(1); // (B, n)
                var alpha = e.softmax(1);
                alphas.Add(alpha);
                xt = alpha * xt;
            }
            (h, s) = encoder.forward(xt, (h, s));
            states.Add(h);
        }
        var H = stack(states, 1);                                                            // (B, T, m)
        var inputWeights = alphas.Count > 0 ? stack(alphas, 1) : ones(B, T, n, dtype: opts.Type, device: opts.Device); // (B, T, n)

        // Decoder with temporal attention.
        var d = zeros(B, Options.DecoderHidden, dtype: opts.Type, device: opts.Device);
        var sd = zeros_like(d);
        Tensor? stateKeys = Options.UsesTemporalAttention ? temporalScore.PrepareKeys(H) : null; // U_d h_i: (B, T, m)
        var last = H.select(1, T - 1);                                                        // (B, m)
        var lastStep = stateKeys is null
            ? tensor(Enumerable.Range(0, T).Select(i => i == T - 1 ? 1.0 : 0.0).ToArray()).to(opts.Type, opts.Device).unsqueeze(0) // (1, T) one-hot
            : null;
        (Tensor Context, Tensor Beta) Attend(Tensor dPrev, Tensor sPrev)
        {
            if (stateKeys is null)
                return (last, lastStep!.expand(B, T));
            var l = temporalScore.Score(cat([dPrev, sPrev], 1).unsqueeze(1), stateKeys).squeeze(1); // (B, T)
            var beta = l.softmax(1);
            return (bmm(beta.unsqueeze(1), H).squeeze(1), beta);                              // (B, m)
        }
        for (int t = 0; t < T; t++)
        {
            var (c, _) = Attend(d, sd);
            var yt = yTilde.forward(cat([history.narrow(1, t, 1), c], 1));                    // (B, 1)
            (d, sd) = decoder.forward(yt, (d, sd));
        }
        var (cT, betaT) = Attend(d, sd);
        var outInput = calendar is null ? cat([d, cT], 1) : cat([d, cT, calendar.to(opts.Type)], 1);
        var prediction = outValue.forward(outHidden.forward(outInput)).squeeze(1);            // (B)
        return new ForecastOutput(prediction, inputWeights, betaT);
    }

    readonly struct TensorOptionsOf(Tensor t)
    {
        public ScalarType Type { get; } = t.dtype;
        public Device Device { get; } = t.device;
    }
}
