namespace AttentionSharp.Training;

/// <summary>How the trainer runs: budget, optimiser, schedule, stopping, where it writes. Every model verb shares these.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train (the total, counting epochs done before a resume).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Seed of every random choice (initialisation, shuffling, sampling).</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Optimiser: adam, adamw, sgd or rmsprop.</summary>
    public string Optimizer { get; init; } = "adam";
    /// <summary>Momentum for sgd/rmsprop.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Clip the global gradient norm to this value (0 = no clipping).</summary>
    public double GradClipNorm { get; init; }
    /// <summary>Learning-rate schedule over epochs.</summary>
    public LearningRateSchedule Schedule { get; init; } = new();
    /// <summary>Stop after this many epochs without improvement of the monitored metric (0 = never).</summary>
    public int Patience { get; init; }
    /// <summary>
    /// Epochs at the start of a run in which no improvement is expected: a flat validation epoch among the first
    /// <c>GraceEpochs</c> counts neither toward <see cref="Patience"/> nor toward the plateau schedule's cuts (both counts
    /// start at epoch <c>GraceEpochs + 1</c>); improvements still select the best checkpoint. Keras' <c>EarlyStopping</c>
    /// calls it <c>start_from_epoch</c>. Tasks whose loss stays flat for several epochs before the model finds the signal
    /// (the generated scene tasks of captioning and question answering, RAM on large canvases) otherwise have their rate cut
    /// or their run stopped before they begin to learn. 0 = off.
    /// </summary>
    public int GraceEpochs { get; init; }
    /// <summary>
    /// The least change of the monitored metric that counts as an improvement for <see cref="Patience"/> and the plateau
    /// schedule (absolute, in the metric's units; Keras' <c>min_delta</c>, PyTorch's <c>ReduceLROnPlateau(threshold_mode="abs")</c>):
    /// the counts reset only when the value beats the last value that reset them by more than this. Smaller gains still
    /// select the best checkpoint. At the floor rate the validation error of a sampled model moves by a few tenths of a
    /// point from epoch to epoch; without a margin such noise resets patience and a converged run goes on. 0 = any gain.
    /// </summary>
    public double MinDelta { get; init; }
    /// <summary>Validation metric that selects the best checkpoint, e.g. <c>error</c> or <c>loss</c> (lower is better) or <c>bleu</c> / <c>chrf</c> (higher is better: <see cref="MonitorHigherIsBetter"/>).</summary>
    public string Monitor { get; init; } = "loss";
    /// <summary>Whether a larger <see cref="Monitor"/> value is better: <c>bleu</c>, <c>chrf</c>; every other metric is better when lower.</summary>
    public bool MonitorHigherIsBetter => Monitor is "bleu" or "chrf";
    /// <summary>
    /// Linear learning-rate warm-up over the first this many optimizer steps (0 = none): the rate of step <c>s</c> is the
    /// epoch's rate times <c>min(1, s / WarmupSteps)</c>, counted over the whole run (resumes continue the count).
    /// </summary>
    public int WarmupSteps { get; init; }
    /// <summary>Run folder for checkpoints, metrics log and results; null = write nothing.</summary>
    public string? OutDir { get; init; }
    /// <summary>Continue from the run folder's last checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>Stop after this many training batches per epoch (0 = all); for quick runs.</summary>
    public int MaxBatchesPerEpoch { get; init; }
    /// <summary>
    /// Group training examples of similar length into batches when the source is <see cref="ILengthAware"/>
    /// (<see cref="Trainer{TBatch}.EpochBatches"/>), so that short examples are not padded to long ones.
    /// </summary>
    public bool BucketByLength { get; init; }
    /// <summary>
    /// How many times a run may restart an epoch from its last checkpoint after a libtorch <c>ExternalException</c>
    /// (needs <see cref="OutDir"/>). TorchSharp 0.107 lets the finalizer free an implicitly converted <c>Scalar</c>
    /// while a native call still reads it, which shows as a rare, non-reproducible native error in a long run; the
    /// restarted epoch replays the same batches and random numbers, so the run ends as an uninterrupted one would.
    /// </summary>
    public int NativeFaultRetries { get; init; } = 3;

    /// <summary>
    /// Stops the run after the training batch in progress when cancelled (the CLI cancels it on Ctrl-C or SIGTERM): the
    /// unfinished epoch is discarded, <c>last.ckpt</c> keeps the last complete epoch, and <see cref="Trainer{TBatch}.Fit"/>
    /// throws <see cref="TrainingInterruptedException"/>; a <see cref="Resume"/> then ends as an uninterrupted run would.
    /// </summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>Checks the values, naming the bad property (the CLI maps the names to its flags).</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1; got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1; got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be a positive number; got {LearningRate}");
        if (Patience < 0) throw new ArgumentException($"Patience must be 0 (off) or positive; got {Patience}");
        if (!(MinDelta >= 0) || double.IsInfinity(MinDelta)) throw new ArgumentException($"MinDelta must be 0 (off) or a positive number; got {MinDelta}");
        if (GraceEpochs < 0) throw new ArgumentException($"GraceEpochs must be 0 (off) or positive; got {GraceEpochs}");
        if (NativeFaultRetries < 0) throw new ArgumentException($"NativeFaultRetries must be 0 (off) or positive; got {NativeFaultRetries}");
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps must be 0 (off) or positive; got {WarmupSteps}");
        if (GradClipNorm < 0) throw new ArgumentException($"GradClipNorm must be 0 (off) or positive; got {GradClipNorm}");
        if (Resume && OutDir == null) throw new ArgumentException("Resume needs OutDir, the run folder to resume");
        Schedule.Validate();
        if (Schedule.Kind == ScheduleKind.Plateau && Patience > 0 && Patience <= Schedule.PlateauEpochs)
            throw new ArgumentException($"with the plateau schedule, Patience ({Patience}) must exceed PlateauEpochs ({Schedule.PlateauEpochs}), or the run stops before the rate is ever cut");
        _ = OptimizerFactory.Check(Optimizer);
    }
}
