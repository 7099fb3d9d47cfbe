namespace AttentionSharp.Training;

/// <summary>The shape of the learning-rate schedule over epochs.</summary>
public enum ScheduleKind
{
    /// <summary>The base rate throughout.</summary>
    Constant,
    /// <summary>Multiply by <see cref="LearningRateSchedule.Gamma"/> every <see cref="LearningRateSchedule.StepEpochs"/> epochs.</summary>
    Step,
    /// <summary>Cosine annealing from the base rate to <see cref="LearningRateSchedule.MinFactor"/> times it at the last epoch.</summary>
    Cosine,
}

/// <summary>Learning rate as a pure function of the epoch (so a resumed run needs no schedule state), with optional linear warm-up.</summary>
/// <param name="Kind">Schedule shape.</param>
/// <param name="WarmupEpochs">Epochs of linear warm-up from base/warmup to base.</param>
/// <param name="StepEpochs">Step schedule: epochs between decays.</param>
/// <param name="Gamma">Step schedule: decay factor.</param>
/// <param name="MinFactor">Cosine schedule: final rate as a fraction of the base.</param>
public sealed record LearningRateSchedule(
    ScheduleKind Kind = ScheduleKind.Constant, int WarmupEpochs = 0, int StepEpochs = 10, double Gamma = 0.1, double MinFactor = 0.01)
{
    /// <summary>The rate for 1-based <paramref name="epoch"/> of <paramref name="epochs"/>.</summary>
    public double RateAt(double baseRate, int epoch, int epochs)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch is 1-based; got {epoch}");
        if (WarmupEpochs > 0 && epoch <= WarmupEpochs) return baseRate * epoch / (WarmupEpochs + 1);
        int e = epoch - WarmupEpochs, n = Math.Max(1, epochs - WarmupEpochs);
        return Kind switch
        {
            ScheduleKind.Constant => baseRate,
            ScheduleKind.Step => baseRate * Math.Pow(Gamma, (e - 1) / Math.Max(1, StepEpochs)),
            ScheduleKind.Cosine => baseRate * (MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * (e - 1) / Math.Max(1, n - 1)))),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
    }

    /// <summary>Parses <c>constant</c>, <c>step</c> or <c>cosine</c>.</summary>
    public static ScheduleKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new ArgumentException($"unknown learning-rate schedule '{text}'; expected constant, step or cosine"),
    };
}
