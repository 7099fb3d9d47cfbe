using System.Text.Json.Serialization;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Native;
using AttentionSharp.Sequence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Forecasting;

/// <summary>Options of the Transformer encoder forecaster (sizes for CPU runs on daily or half-hourly series).</summary>
/// <param name="Drivers">Number of driving series n (0: the target alone).</param>
/// <param name="Window">Time steps T of the input window.</param>
/// <param name="ModelDim">Model width d.</param>
/// <param name="Heads">Attention heads (d must be a multiple).</param>
/// <param name="Layers">Encoder layers.</param>
/// <param name="FeedForward">Inner size of each layer's feed-forward network.</param>
/// <param name="Dropout">Dropout on the embedded inputs, the residual branches and the attention weights.</param>
/// <param name="Calendar">Calendar features of the forecast step read by the output layer (0: none).</param>
public sealed record TransformerForecastOptions(int Drivers, int Window = 10, int ModelDim = 64, int Heads = 4, int Layers = 2, int FeedForward = 128,
    double Dropout = 0.1, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Calendar = 0)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Drivers < 0) throw new ArgumentException($"Drivers must be >= 0; got {Drivers}");
        if (Window < 2) throw new ArgumentException($"Window must be >= 2; got {Window}");
        if (ModelDim < 2 || ModelDim % 2 != 0) throw new ArgumentException($"ModelDim must be even and >= 2; got {ModelDim}");
        if (Heads < 1 || ModelDim % Heads != 0) throw new ArgumentException($"Heads must divide ModelDim ({ModelDim}); got {Heads}");
        if (Layers < 1) throw new ArgumentException($"Layers must be >= 1; got {Layers}");
        if (FeedForward < 1) throw new ArgumentException($"FeedForward must be >= 1; got {FeedForward}");
        if (Dropout < 0 || Dropout >= 1) throw new ArgumentException($"Dropout must be in [0, 1); got {Dropout}");
        if (Calendar < 0) throw new ArgumentException($"Calendar must be >= 0; got {Calendar}");
    }
}

/// <summary>
/// A Transformer encoder as a direct forecaster (the "small Transformer encoder forecaster"; the encoder of
/// Vaswani et al. 2017 over time steps, as in Zerveas et al. 2021 and the encoder half of Informer-style models): step t of
/// the window becomes <c>z_t = W_in [y_t; x_t] + PE(t)</c> (the target and the n drivers, sinusoidal positions), pre-norm
/// encoder layers from <see cref="EncoderLayer"/> (multi-head self-attention from the catalog) mix the steps, and the
/// origin's output (the last step, after a final layer norm), with the calendar of the forecast step when built with it,
/// gives <c>y^ = v^T relu(W [z_T; k] + b) + c</c>. Its temporal weights are the last layer's self-attention of the origin
/// over the window, averaged over heads; it has no input attention over the drivers.
/// </summary>
public sealed class TransformerForecaster : nn.Module<Tensor, Tensor, Tensor>, IForecaster
{
    readonly Linear input;
    readonly ModuleList<EncoderLayer> layers;
    readonly LayerNorm norm;
    readonly Dropout dropout;
    readonly Linear outHidden;
    readonly Linear outValue;

    /// <summary>Creates the model; the options are validated.</summary>
    public TransformerForecaster(TransformerForecastOptions options) : base("TransformerForecaster")
    {
        options.Validate();
        Options = options;
        var layer = new TransformerOptions(ModelDim: options.ModelDim, Heads: options.Heads, Layers: options.Layers, FeedForward: options.FeedForward,
            Dropout: options.Dropout, PreNorm: true);
        input = Layers.Linear(1 + options.Drivers, options.ModelDim);
        layers = nn.ModuleList(Enumerable.Range(0, options.Layers).Select(_ => new EncoderLayer(layer)).ToArray());
        norm = Layers.LayerNorm(options.ModelDim);
        dropout = nn.Dropout(options.Dropout);
        outHidden = Layers.Linear(options.ModelDim + options.Calendar, options.ModelDim);
        outValue = Layers.Linear(options.ModelDim, 1);
        RegisterComponents();
    }

    /// <summary>The options the model was built with.</summary>
    public TransformerForecastOptions Options { get; }

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public int Calendar => Options.Calendar;

    /// <inheritdoc />
    public bool UsesInputAttention => false;

    /// <inheritdoc />
    public bool UsesTemporalAttention => true;

    /// <summary>Forecasts <c>(B)</c> from drivers <c>(B, T, n)</c> and target history <c>(B, T)</c>.</summary>
    public override Tensor forward(Tensor drivers, Tensor history) => Run(drivers, history).Prediction;

    /// <inheritdoc />
    public ForecastOutput Run(Tensor drivers, Tensor history, Tensor? calendar = null)
    {
        int T = Options.Window, n = Options.Drivers;
        ForecastInputs.Check(drivers, history, calendar, T, n, Options.Calendar);
        long B = drivers.shape[0];
        var steps = cat([history.unsqueeze(2), drivers.to(history.dtype)], 2);                                  // (B, T, 1 + n)
        var pos = SinusoidalPositions.Table(T, Options.ModelDim, dtype: history.dtype, device: history.device);   // (T, d)
        var z = dropout.forward(input.forward(steps).add(pos.unsqueeze(0), HeldScalars.Of(1)));                 // (B, T, d)
        Tensor? weights = null;
        for (int l = 0; l < layers.Count; l++)
            (z, weights) = layers[l].Forward(z, null, needWeights: l == layers.Count - 1);
        var origin = norm.forward(z.select(1, T - 1));                                                            // (B, d)
        var outInput = calendar is null ? origin : cat([origin, calendar.to(origin.dtype)], 1);
        var prediction = outValue.forward(nn.functional.relu(outHidden.forward(outInput))).squeeze(1);           // (B)
        var temporal = weights!.mean([1]).select(1, T - 1);                                                      // (B, T): the origin's weights, mean over heads
        return new ForecastOutput(prediction, ones(B, T, n, dtype: history.dtype, device: history.device), temporal);
    }
}
