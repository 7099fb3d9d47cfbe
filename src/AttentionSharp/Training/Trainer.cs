using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>What a model is, for its checkpoints: kind, options record and extra payload (vocabularies...).</summary>
/// <param name="Kind">Model family and variant, e.g. <c>baseline/fc</c>.</param>
/// <param name="Options">The options record as JSON; a resume must match it.</param>
/// <param name="Extra">Anything else needed to rebuild the model (may be null).</param>
public sealed record ModelIdentity(string Kind, JsonNode Options, JsonNode? Extra = null)
{
    /// <summary>
    /// Reads stored options as this run's options type and writes them back, so that a checkpoint written before a field
    /// with a default was added compares equal to today's options with that default (null: compare as stored).
    /// </summary>
    public Func<JsonNode, JsonNode?>? Normalize { get; init; }

    /// <summary>Builds an identity from an options record.</summary>
    public static ModelIdentity Of<TOptions>(string kind, TOptions options, JsonNode? extra = null) =>
        new(kind, JsonSerializer.SerializeToNode(options, Checkpoint.Json) ?? throw new ArgumentException("options serialised to null"), extra)
        {
            Normalize = stored =>
            {
                try { return JsonSerializer.SerializeToNode(stored.Deserialize<TOptions>(Checkpoint.Json), Checkpoint.Json); }
                catch (JsonException) { return stored; }
            },
        };
}

/// <summary>A run stopped by <see cref="TrainerOptions.Cancel"/>: the epoch in progress was discarded.</summary>
/// <param name="Epoch">The epoch that was running.</param>
/// <param name="Batch">Training batches of it completed before the stop.</param>
/// <param name="LastCompleteEpoch">The epoch <c>last.ckpt</c> holds (0: none).</param>
/// <param name="OutDir">The run folder (null when the run writes nothing).</param>
public sealed class TrainingInterruptedException(int Epoch, int Batch, int LastCompleteEpoch, string? OutDir)
    : OperationCanceledException(Describe(Epoch, Batch, LastCompleteEpoch, OutDir))
{
    /// <summary>The epoch that was running.</summary>
    public int Epoch { get; } = Epoch;
    /// <summary>The epoch the run folder's <c>last.ckpt</c> holds (0: none).</summary>
    public int LastCompleteEpoch { get; } = LastCompleteEpoch;
    /// <summary>The run folder.</summary>
    public string? OutDir { get; } = OutDir;

    static string Describe(int epoch, int batch, int last, string? outDir) =>
        $"interrupted in epoch {epoch} after {batch} training batch{(batch == 1 ? "" : "es")}; the unfinished epoch is discarded. " +
        (outDir == null ? "The run wrote no checkpoints." : last > 0
            ? $"{Path.Combine(outDir, Checkpoint.LastFile)} holds epoch {last}: run the same command with --resume to continue (it ends as an uninterrupted run would)."
            : $"No epoch was completed; run the same command again (without --resume) into a new or emptied {outDir}.");
}

/// <summary>How a training run ended.</summary>
/// <param name="State">Trainer state at the end.</param>
/// <param name="History">Every epoch's record run in this process.</param>
/// <param name="ResumedFrom">Epoch resumed from (0 = fresh start).</param>
public sealed record TrainingSummary(TrainerState State, IReadOnlyList<EpochRecord> History, int ResumedFrom);

/// <summary>
/// The training loop every model uses: shuffled batches, optimiser steps inside dispose scopes, validation per
/// epoch, best and last checkpoints (atomic), early stopping, learning-rate schedule, JSON-lines metrics log,
/// and resume that ends where an uninterrupted run would.
/// </summary>
/// <typeparam name="TBatch">Batch type shared by the model and its data.</typeparam>
public sealed class Trainer<TBatch>(TrainerOptions options)
{
    /// <summary>The options in force.</summary>
    public TrainerOptions Options { get; } = options;

    /// <summary>File name of the metrics log in the run folder.</summary>
    public const string MetricsFile = "metrics.jsonl";
    /// <summary>File name of the checkpoint taken before the first epoch of a fresh run (removed once epoch 1 is saved).</summary>
    public const string StartFile = "start.ckpt";

    /// <summary>
    /// The previous epoch's <c>last.ckpt</c>, kept when a new one is written: <c>--resume</c> falls back to it (and says so)
    /// when <c>last.ckpt</c> is missing, truncated or corrupt.
    /// </summary>
    public const string PreviousFile = "last.previous.ckpt";

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>The epoch's example order: a permutation fixed by (seed, epoch), so resuming needs no shuffler state.</summary>
    public static int[] EpochOrder(int count, long seed, int epoch)
    {
        var rng = new Random(unchecked((int)(seed * 1_000_003 + epoch * 7919)));
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        return order;
    }

    /// <summary>Examples per chunk, in batches, that <see cref="EpochBatches"/> sorts by length when bucketing.</summary>
    public const int BucketChunkBatches = 50;

    /// <summary>
    /// The epoch's batches, fixed by (seed, epoch). Without <paramref name="lengthOf"/>: consecutive slices of
    /// <see cref="EpochOrder"/>. With it (length bucketing): the shuffled order is cut into chunks of
    /// <see cref="BucketChunkBatches"/> batches, each chunk is sorted by length (ties keep the shuffled order) and cut into
    /// batches, and the batches are shuffled, so every example is seen once per epoch and a batch holds examples of
    /// similar length.
    /// </summary>
    public static int[][] EpochBatches(int count, long seed, int epoch, int batchSize, Func<int, int>? lengthOf = null)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1; got {batchSize}");
        var order = EpochOrder(count, seed, epoch);
        if (lengthOf == null)
            return [.. order.Chunk(batchSize)];
        var batches = order.Chunk(batchSize * BucketChunkBatches)
            .SelectMany(chunk => chunk.OrderBy(lengthOf).Chunk(batchSize))
            .ToArray();
        new Random(unchecked((int)(seed * 7_368_787 + epoch * 104_729))).Shuffle(batches);
        return batches;
    }

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="valid"/> when given.</summary>
    public TrainingSummary Fit(ITrainable<TBatch> model, ModelIdentity identity, IBatchSource<TBatch> train,
        IBatchSource<TBatch>? valid, ITrainingProgress progress)
    {
        Options.Validate();
        if (train.Count == 0) throw new ArgumentException("the training set is empty");
        string? last = Options.OutDir == null ? null : Path.Combine(Options.OutDir, Checkpoint.LastFile);
        string? best = Options.OutDir == null ? null : Path.Combine(Options.OutDir, Checkpoint.BestFile);
        using var runLock = Options.OutDir == null ? null : RunLock.Acquire(Options.OutDir);
        if (!Options.Resume && last != null && File.Exists(last))
            throw new ArgumentException($"run folder '{Options.OutDir}' already holds a checkpoint; pass --resume to continue it, or choose another --out");

        torch.manual_seed(Options.Seed);
        using var optimizer = OptimizerFactory.Create(model.Model.parameters(), Options);
        var state = new TrainerState();
        int resumedFrom = 0;
        string? previous = Options.OutDir == null ? null : Path.Combine(Options.OutDir, PreviousFile);
        if (Options.Resume)
        {
            var (from, header) = ResumeSource(last!, previous!, progress);
            CheckSameModel(header, identity, from);
            Checkpoint.Load(from, identity.Kind, model.Model, optimizer, restoreRng: true);
            state = header.State;
            resumedFrom = state.Epoch;
            TrimMetricsLog(state.Epoch);
            progress.Message($"resumed from {from} after epoch {state.Epoch}" + (state.Stopped ? " (already stopped early)" : ""));
        }

        var history = new List<EpochRecord>();
        // Where a restarted epoch starts from: last.ckpt, or before epoch 1 of a fresh run a start checkpoint.
        string? start = null;
        if (last != null && Options.NativeFaultRetries > 0 && !File.Exists(last))
        {
            start = Path.Combine(Options.OutDir!, StartFile);
            Checkpoint.Save(start, new CheckpointHeader { Kind = identity.Kind, Options = identity.Options.DeepClone(), Extra = identity.Extra?.DeepClone(), State = Copy(state) }, model.Model, optimizer);
        }
        int retries = 0;
        for (int epoch = state.Epoch + 1; epoch <= Options.Epochs && !state.Stopped; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = Options.Schedule.RateAt(Options.LearningRate, epoch, Options.Epochs, state.RateCuts);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;

            Dictionary<string, double> trainMetrics, validMetrics;
            try
            {
                (trainMetrics, long steps) = RunTrainEpoch(model, optimizer, train, epoch, progress, state.Epoch, state.Steps, lr);
                state.Steps += steps;
                validMetrics = valid == null ? new Dictionary<string, double>() : Evaluate(model, valid, Options.BatchSize);
                if (valid != null && model is IValidationScores scored)
                    foreach (var kv in scored.ValidationScores()) validMetrics[kv.Key] = kv.Value;
            }
            catch (System.Runtime.InteropServices.ExternalException ex) when (last != null && retries < Options.NativeFaultRetries)
            {
                retries++;
                string from = File.Exists(last) ? last : start!;
                progress.Message($"native error in epoch {epoch}: {FirstLine(ex.Message)}; restarting epoch {epoch} from {Path.GetFileName(from)} " +
                                 $"(retry {retries} of {Options.NativeFaultRetries})");
                state = Checkpoint.Load(from, identity.Kind, model.Model, optimizer, restoreRng: true).State;
                epoch = state.Epoch;   // the loop's increment brings it back to the failed epoch
                continue;
            }
            var monitored = validMetrics.Count > 0 ? validMetrics : trainMetrics;
            if (!monitored.TryGetValue(Options.Monitor, out double value))
                throw new ArgumentException($"monitored metric '{Options.Monitor}' is not produced; the model reports {string.Join(", ", monitored.Keys)}");
            bool improved = double.IsNaN(state.BestValue) || (Options.MonitorHigherIsBetter ? value > state.BestValue : value < state.BestValue);
            bool margin = Options.MinDelta > 0;
            double reference = margin ? state.PatienceReference ?? state.BestValue : state.BestValue;
            bool significant = double.IsNaN(reference) ||
                               (Options.MonitorHigherIsBetter ? value > reference + Options.MinDelta : value < reference - Options.MinDelta);
            if (improved) { state.BestValue = value; state.BestEpoch = epoch; }
            state.PatienceReference = !margin ? null : significant ? value : state.PatienceReference;
            if (significant) { state.EpochsWithoutImprovement = 0; state.EpochsSinceCut = 0; }
            else if (epoch > Options.GraceEpochs) { state.EpochsWithoutImprovement++; state.EpochsSinceCut++; }
            bool cut = Options.Schedule.CutsAfter(state.EpochsSinceCut, state.RateCuts);
            if (cut) { state.RateCuts++; state.EpochsSinceCut = 0; }
            if (Options.Patience > 0 && state.EpochsWithoutImprovement >= Options.Patience) state.Stopped = true;
            state.Epoch = epoch;
            state.Seconds += clock.Elapsed.TotalSeconds;

            var record = new EpochRecord(epoch, Options.Epochs, lr, trainMetrics, validMetrics, clock.Elapsed.TotalSeconds, improved);
            history.Add(record);
            if (Options.OutDir != null)
            {
                AppendMetrics(record);
                var header = new CheckpointHeader { Kind = identity.Kind, Options = identity.Options.DeepClone(), Extra = identity.Extra?.DeepClone(), State = Copy(state) };
                if (improved) Checkpoint.Save(best!, header, model.Model, optimizer: null);
                if (File.Exists(last)) File.Move(last!, previous!, overwrite: true);
                Checkpoint.Save(last!, header, model.Model, optimizer);
            }
            progress.EndEpoch(record);
            if (start != null) { File.Delete(start); start = null; }
            if (cut && !state.Stopped)
                progress.Message($"learning rate cut to {Options.Schedule.RateAt(Options.LearningRate, epoch + 1, Options.Epochs, state.RateCuts):g3}: " +
                                 $"no improvement of valid {Options.Monitor}{MinDeltaText} for {Options.Schedule.PlateauEpochs} epochs");
            if (state.Stopped) progress.Message($"early stopping after {state.Steps} optimizer steps: no improvement of valid {Options.Monitor}{MinDeltaText} for {Options.Patience} epochs (best at epoch {state.BestEpoch})");
        }
        return new TrainingSummary(state, history, resumedFrom);
    }

    string MinDeltaText => Options.MinDelta > 0 ? $" by more than {Options.MinDelta:g3}" : "";

    /// <summary>The rate of 1-based optimizer step <paramref name="step"/> in an epoch whose scheduled rate is <paramref name="epochRate"/> (<see cref="TrainerOptions.WarmupSteps"/>).</summary>
    public static double StepRate(double epochRate, long step, int warmupSteps) =>
        warmupSteps <= 0 || step >= warmupSteps ? epochRate : epochRate * step / warmupSteps;

    (Dictionary<string, double> Metrics, long Steps) RunTrainEpoch(ITrainable<TBatch> model, optim.Optimizer optimizer, IBatchSource<TBatch> train, int epoch, ITrainingProgress progress,
        int lastComplete, long stepsBefore, double epochRate)
    {
        model.Model.train();
        if (train is IEpochAware fresh) fresh.BeginEpoch(epoch);
        if (model is IEpochAware scheduled) scheduled.BeginEpoch(epoch); // before validation too, which runs after this
        var plan = EpochBatches(train.Count, Options.Seed, epoch, Options.BatchSize,
            Options.BucketByLength && train is ILengthAware lengths ? lengths.LengthOf : null);
        int batches = plan.Length;
        if (Options.MaxBatchesPerEpoch > 0) batches = Math.Min(batches, Options.MaxBatchesPerEpoch);
        progress.StartEpoch(epoch, Options.Epochs, batches);
        var sums = new MetricSums();
        for (int b = 0; b < batches; b++)
        {
            using var scope = torch.NewDisposeScope();
            if (Options.WarmupSteps > 0)
            {
                double rate = StepRate(epochRate, stepsBefore + b + 1, Options.WarmupSteps);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = rate;
            }
            var output = model.TrainStep(train.GetBatch(plan[b]));
            optimizer.zero_grad();
            output.Loss.backward();
            if (Options.GradClipNorm > 0) nn.utils.clip_grad_norm_(model.Model.parameters(), Options.GradClipNorm);
            optimizer.step();
            double loss = output.Loss.item<float>();
            if (double.IsNaN(loss) || double.IsInfinity(loss))
                throw new InvalidOperationException($"training diverged at epoch {epoch}, batch {b + 1}: loss is {loss}; lower --lr or set --clip");
            sums.Add(loss, output);
            progress.Step(b + 1, sums.Mean("loss"));
            if (Options.Cancel.IsCancellationRequested)
                throw new TrainingInterruptedException(epoch, b + 1, Options.OutDir != null && File.Exists(Path.Combine(Options.OutDir, Checkpoint.LastFile)) ? lastComplete : 0, Options.OutDir);
        }
        if (Options.WarmupSteps > 0) foreach (var g in optimizer.ParamGroups) g.LearningRate = epochRate;
        return (sums.Means(), batches);
    }

    /// <summary>Mean metrics of <paramref name="model"/> over a whole dataset, in evaluation mode without gradients.</summary>
    public static Dictionary<string, double> Evaluate(ITrainable<TBatch> model, IBatchSource<TBatch> data, int batchSize)
    {
        model.Model.eval();
        var sums = new MetricSums();
        using (torch.no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var idx = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray();
                var output = model.EvalStep(data.GetBatch(idx));
                sums.Add(output.Loss.item<float>(), output);
            }
        }
        model.Model.train();
        return sums.Means();
    }

    static void CheckSameModel(CheckpointHeader header, ModelIdentity identity, string path)
    {
        if (header.Kind != identity.Kind)
            throw new CheckpointException($"--resume: '{path}' holds a '{header.Kind}' model but this run trains '{identity.Kind}'");
        var storedOptions = header.Options is null || identity.Normalize is null ? header.Options : identity.Normalize(header.Options.DeepClone());
        if (storedOptions is JsonObject stored && identity.Options is JsonObject now)
        {
            var diffs = stored.Select(kv => kv.Key).Union(now.Select(kv => kv.Key))
                .Where(k => !JsonNode.DeepEquals(stored[k], now[k]))
                .Select(k => $"{k}: checkpoint {stored[k]?.ToJsonString() ?? "absent"}, now {now[k]?.ToJsonString() ?? "absent"}")
                .ToList();
            if (diffs.Count > 0)
                throw new CheckpointException($"--resume: '{path}' was trained with other options ({string.Join("; ", diffs)}); " +
                                              "resume with the same options or start a new run folder");
        }
    }

    /// <summary><c>last.ckpt</c> and its header when it verifies; else the previous epoch's copy, with a warning; else a clear error.</summary>
    (string Path, CheckpointHeader Header) ResumeSource(string last, string previous, ITrainingProgress progress)
    {
        string problem;
        if (!File.Exists(last)) problem = "it is missing";
        else
        {
            try { return (last, Checkpoint.ReadHeader(last)); }
            catch (CheckpointException e) { problem = e.Message; }
        }
        if (File.Exists(previous))
        {
            try
            {
                var header = Checkpoint.ReadHeader(previous);
                progress.Message($"warning: {Checkpoint.LastFile} cannot be used ({problem}); resuming from {PreviousFile} (epoch {header.State.Epoch}) instead");
                return (previous, header);
            }
            catch (CheckpointException) { }
        }
        if (!File.Exists(last)) throw new ArgumentException($"--resume: run folder '{Options.OutDir}' has no {Checkpoint.LastFile} to resume from");
        throw new CheckpointException($"--resume: {problem}; and there is no usable {PreviousFile} to fall back to");
    }

    static TrainerState Copy(TrainerState s) => new()
    {
        Epoch = s.Epoch, BestValue = s.BestValue, BestEpoch = s.BestEpoch,
        EpochsWithoutImprovement = s.EpochsWithoutImprovement, Stopped = s.Stopped, Seconds = s.Seconds,
        RateCuts = s.RateCuts, EpochsSinceCut = s.EpochsSinceCut, Steps = s.Steps, PatienceReference = s.PatienceReference,
    };

    void AppendMetrics(EpochRecord r)
    {
        var o = new JsonObject { ["epoch"] = r.Epoch, ["lr"] = r.LearningRate, ["seconds"] = Math.Round(r.Seconds, 3), ["best"] = r.Improved };
        foreach (var kv in r.Train) o["train_" + kv.Key] = kv.Value;
        foreach (var kv in r.Valid) o["valid_" + kv.Key] = kv.Value;
        File.AppendAllText(Path.Combine(Options.OutDir!, MetricsFile), o.ToJsonString() + "\n");
    }

    /// <summary>
    /// The learning rate of each epoch that the metrics log of run folder <paramref name="outDir"/> records (the whole run,
    /// across resumes; a missing log or an unreadable line contributes nothing).
    /// </summary>
    public static IReadOnlyDictionary<int, double> LoggedRates(string outDir)
    {
        var rates = new Dictionary<int, double>();
        string path = Path.Combine(outDir, MetricsFile);
        if (!File.Exists(path)) return rates;
        foreach (var line in File.ReadLines(path))
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject o && o["epoch"] is JsonNode e && o["lr"] is JsonNode lr) rates[e.GetValue<int>()] = lr.GetValue<double>();
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException) { }
        }
        return rates;
    }

    /// <summary>On resume, drops log lines of epochs the checkpoint does not cover (a run killed between log and checkpoint).</summary>
    void TrimMetricsLog(int epoch)
    {
        string path = Path.Combine(Options.OutDir!, MetricsFile);
        if (!File.Exists(path)) return;
        var kept = File.ReadAllLines(path).Where(line =>
        {
            try { return JsonNode.Parse(line)?["epoch"]?.GetValue<int>() <= epoch; }
            catch (JsonException) { return false; }
        }).ToList();
        AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    /// <summary>Running sums of loss and metrics weighted by examples.</summary>
    sealed class MetricSums
    {
        readonly Dictionary<string, double> _sums = new();
        long _examples;

        public void Add(double loss, StepOutput output)
        {
            _examples += output.Examples;
            _sums["loss"] = _sums.GetValueOrDefault("loss") + loss * output.Examples;
            foreach (var kv in output.Sums) _sums[kv.Key] = _sums.GetValueOrDefault(kv.Key) + kv.Value;
        }

        public double Mean(string key) => _examples == 0 ? double.NaN : _sums.GetValueOrDefault(key) / _examples;

        public Dictionary<string, double> Means() => _sums.ToDictionary(kv => kv.Key, kv => Mean(kv.Key));
    }
}
