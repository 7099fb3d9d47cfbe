using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Forecasting;

/// <summary>What one forward pass of a forecaster gives: the forecasts and the attention weights that made them.</summary>
/// <param name="Prediction">Forecasts <c>(B)</c>.</param>
/// <param name="InputWeights">Input attention alpha <c>(B, T, n)</c>: the weight of each driver at each encoder step (ones when the model has no input attention).</param>
/// <param name="TemporalWeights">Temporal attention of the output step over the window's steps <c>(B, T)</c> (one-hot on the last step when the model has none).</param>
public sealed record ForecastOutput(Tensor Prediction, Tensor InputWeights, Tensor TemporalWeights);

/// <summary>
/// A direct forecaster: from a window of T steps of n driving series and of the target, all at or before the forecast
/// origin (and, when built with them, the calendar features of the forecast step), the target h steps after the origin.
/// <see cref="DualStageAttentionRnn"/> and <see cref="TransformerForecaster"/> implement it; the trainer, evaluation and
/// figures of <see cref="ForecastExperiment"/> use only this.
/// </summary>
public interface IForecaster
{
    /// <summary>Forecasts with the attention weights.</summary>
    /// <param name="drivers">Drivers <c>(B, T, n)</c> (n may be 0 for a series without drivers where the model allows it).</param>
    /// <param name="history">Target history <c>(B, T)</c>.</param>
    /// <param name="calendar">Calendar features of the forecast step <c>(B, C)</c>; required when <see cref="Calendar"/> is C &gt; 0, refused otherwise.</param>
    ForecastOutput Run(Tensor drivers, Tensor history, Tensor? calendar = null);

    /// <summary>The module (its parameters, train/eval mode, device).</summary>
    nn.Module Module { get; }

    /// <summary>Number of calendar features the output layer reads (0: none).</summary>
    int Calendar { get; }

    /// <summary>Whether <see cref="ForecastOutput.InputWeights"/> are learned weights over the drivers.</summary>
    bool UsesInputAttention { get; }

    /// <summary>Whether <see cref="ForecastOutput.TemporalWeights"/> are learned weights over the window's steps.</summary>
    bool UsesTemporalAttention { get; }
}

/// <summary>Shape checks shared by the forecasters.</summary>
static class ForecastInputs
{
    /// <summary>Throws an <see cref="ArgumentException"/> unless drivers are <c>(B, T, n)</c>, history <c>(B, T)</c> and the calendar <c>(B, C)</c> exactly when C &gt; 0.</summary>
    public static void Check(Tensor drivers, Tensor history, Tensor? calendar, int window, int driverCount, int calendarCount)
    {
        if (drivers.dim() != 3 || drivers.shape[1] != window || drivers.shape[2] != driverCount)
            throw new ArgumentException($"drivers must be (batch, {window}, {driverCount}); got ({string.Join(", ", drivers.shape)})");
        if (history.dim() != 2 || history.shape[1] != window || history.shape[0] != drivers.shape[0])
            throw new ArgumentException($"history must be (batch={drivers.shape[0]}, {window}); got ({string.Join(", ", history.shape)})");
        long b = drivers.shape[0];
        if (calendarCount > 0 && (calendar is null || calendar.dim() != 2 || calendar.shape[0] != b || calendar.shape[1] != calendarCount))
            throw new ArgumentException($"calendar must be (batch={b}, {calendarCount}); got {(calendar is null ? "none" : $"({string.Join(", ", calendar.shape)})")}");
        if (calendarCount == 0 && calendar is not null) throw new ArgumentException("this model was built without calendar features (Calendar = 0)");
    }
}
