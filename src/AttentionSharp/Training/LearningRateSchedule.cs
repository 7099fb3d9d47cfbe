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
    /// <summary>
    /// Multiply by <see cref="LearningRateSchedule.Gamma"/> each time the monitored validation metric has not improved for
    /// <see cref="LearningRateSchedule.PlateauEpochs"/> epochs, down to <see cref="LearningRateSchedule.MinFactor"/> times
    /// the base (Keras' <c>ReduceLROnPlateau</c>, PyTorch's <c>ReduceLROnPlateau</c>); the cuts are kept in the trainer state.
    /// </summary>
    Plateau,
    /// <summary>
    /// The base rate times <see cref="LearningRateSchedule.Factors"/>[epoch - 1] (the last factor beyond the list): replays the
    /// rates another run used, e.g. a refit on all training data for the epochs a plateau-scheduled selection run chose
    /// (set by code; not a command-line schedule).
    /// </summary>
    Replay,
}

/// <summary>
/// Learning rate as a function of the epoch (and, for <see cref="ScheduleKind.Plateau"/>, of the cuts made so far, which the
/// checkpoint's trainer state carries, so a resumed run continues the same schedule), with optional linear warm-up.
/// </summary>
/// <param name="Kind">Schedule shape.</param>
/// <param name="WarmupEpochs">Epochs of linear warm-up from base/warmup to base.</param>
/// <param name="StepEpochs">Step schedule: epochs between decays.</param>
/// <param name="Gamma">Step and plateau schedules: decay factor.</param>
/// <param name="MinFactor">Cosine schedule: final rate as a fraction of the base; plateau schedule: the floor.</param>
/// <param name="PlateauEpochs">Plateau schedule: epochs without improvement before each cut.</param>
/// <param name="Factors">Replay schedule: each epoch's rate as a multiple of the base rate (1-based epoch e uses element e - 1).</param>
public sealed record LearningRateSchedule(
    ScheduleKind Kind = ScheduleKind.Constant, int WarmupEpochs = 0, int StepEpochs = 10, double Gamma = 0.1, double MinFactor = 0.01,
    int PlateauEpochs = 5, IReadOnlyList<double>? Factors = null)
{
    /// <summary>A schedule that gives 1-based epoch e the rate <paramref name="rates"/>[e - 1] for the base rate <paramref name="baseRate"/>.</summary>
    public static LearningRateSchedule ReplayOf(IReadOnlyList<double> rates, double baseRate)
    {
        if (!(baseRate > 0)) throw new ArgumentException($"the base rate must be > 0; got {baseRate}");
        var schedule = new LearningRateSchedule(ScheduleKind.Replay, Factors: rates.Select(r => r / baseRate).ToArray());
        schedule.Validate();
        return schedule;
    }

    /// <summary>
    /// The rate for 1-based <paramref name="epoch"/> of <paramref name="epochs"/>, after <paramref name="cuts"/> plateau cuts
    /// (ignored by the other kinds).
    /// </summary>
    public double RateAt(double baseRate, int epoch, int epochs, int cuts = 0)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch is 1-based; got {epoch}");
        if (WarmupEpochs > 0 && epoch <= WarmupEpochs) return baseRate * epoch / (WarmupEpochs + 1);
        int e = epoch - WarmupEpochs, n = Math.Max(1, epochs - WarmupEpochs);
        return Kind switch
        {
            ScheduleKind.Constant => baseRate,
            ScheduleKind.Step => baseRate * Math.Pow(Gamma, (e - 1) / Math.Max(1, StepEpochs)),
            ScheduleKind.Cosine => baseRate * (MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * (e - 1) / Math.Max(1, n - 1)))),
            ScheduleKind.Plateau => baseRate * Math.Max(MinFactor, Math.Pow(Gamma, cuts)),
            ScheduleKind.Replay => baseRate * Factors![Math.Min(e, Factors.Count) - 1],
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
    }

    /// <summary>
    /// Whether a plateau schedule cuts the rate now: <paramref name="flatEpochs"/> epochs without improvement since the last
    /// improvement or cut, and the rate above its floor after <paramref name="cuts"/> cuts.
    /// </summary>
    public bool CutsAfter(int flatEpochs, int cuts) =>
        Kind == ScheduleKind.Plateau && flatEpochs >= PlateauEpochs && Math.Pow(Gamma, cuts) > MinFactor * (1 + 1e-9);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (WarmupEpochs < 0) throw new ArgumentException($"WarmupEpochs must be >= 0; got {WarmupEpochs}");
        if (StepEpochs < 1) throw new ArgumentException($"StepEpochs must be >= 1; got {StepEpochs}");
        if (!(Gamma > 0 && Gamma < 1)) throw new ArgumentException($"Gamma must be in (0, 1); got {Gamma}");
        if (!(MinFactor >= 0 && MinFactor <= 1)) throw new ArgumentException($"MinFactor must be in [0, 1]; got {MinFactor}");
        if (PlateauEpochs < 1) throw new ArgumentException($"PlateauEpochs must be >= 1; got {PlateauEpochs}");
        if (Kind == ScheduleKind.Replay && (Factors == null || Factors.Count == 0))
            throw new ArgumentException("the replay schedule needs Factors: one rate factor per epoch");
        if (Factors != null && Factors.Any(f => !(f > 0 && double.IsFinite(f))))
            throw new ArgumentException($"Factors must be finite and > 0; got {string.Join(", ", Factors)}");
    }

    /// <summary>The schedule names, as <see cref="ParseKind"/> reads them.</summary>
    public static readonly string[] Names = ["constant", "step", "cosine", "plateau"];

    /// <summary>Parses <c>constant</c>, <c>step</c>, <c>cosine</c> or <c>plateau</c>.</summary>
    public static ScheduleKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        "plateau" => ScheduleKind.Plateau,
        _ => throw new ArgumentException($"unknown learning-rate schedule '{text}'; expected {string.Join(", ", Names)}"),
    };
}
