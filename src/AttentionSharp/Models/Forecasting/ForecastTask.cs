using AttentionSharp.Data.Series;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Forecasting;

/// <summary>Trains a forecaster (<see cref="DualStageAttentionRnn"/>, <see cref="TransformerForecaster"/>) by mean squared error on the scaled target; metric <c>mse</c> (scaled units).</summary>
/// <param name="Network">The model.</param>
public sealed class ForecastTask(IForecaster Network) : ITrainable<ForecastBatch>
{
    /// <inheritdoc />
    public nn.Module Model => Network.Module;

    /// <inheritdoc />
    public StepOutput TrainStep(ForecastBatch batch) => Step(batch);

    /// <inheritdoc />
    public StepOutput EvalStep(ForecastBatch batch) => Step(batch);

    StepOutput Step(ForecastBatch batch)
    {
        var prediction = Network.Run(batch.Drivers, batch.History, batch.Calendar).Prediction;
        var loss = nn.functional.mse_loss(prediction, batch.Target);
        int n = batch.Origins.Length;
        return new StepOutput(loss, n, new Dictionary<string, double> { ["mse"] = loss.item<float>() * n });
    }
}
