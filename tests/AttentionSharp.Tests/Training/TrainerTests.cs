using System.Text.Json.Nodes;
using AttentionSharp.Data;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Training;

public class TrainerTests
{
    static readonly ImageDataset Train = TinyData.Halves(256, seed: 1);
    static readonly ImageDataset Valid = TinyData.Halves(128, seed: 2);
    static readonly BaselineOptions Net = new(Height: 6, Width: 6, Classes: 2, Hidden: 16, Dropout: 0.3);

    static (ClassifierTask Task, BaselineClassifier Model) Build(long seed)
    {
        torch.manual_seed(seed);
        var m = new BaselineClassifier(Net);
        return (new ClassifierTask(m), m);
    }

    static TrainerOptions Options(string dir, int epochs, bool resume = false) => new()
    {
        Epochs = epochs, BatchSize = 32, LearningRate = 0.01, Seed = 7, OutDir = dir, Resume = resume, Monitor = "error",
        Schedule = new LearningRateSchedule(ScheduleKind.Cosine),
    };

    static TrainingSummary Fit(string dir, int epochs, bool resume, BaselineClassifier model, ClassifierTask task, ITrainingProgress? progress = null) =>
        new Trainer<ImageBatch>(Options(dir, epochs, resume)).Fit(task, ModelIdentity.Of("baseline", Net), Train, Valid, progress ?? new PlainProgress(TextWriter.Null));

    [Fact]
    public void TwoEpochsStraightEqualOneStopResumeOne()
    {
        string straight = Directory.CreateTempSubdirectory("attn-straight-").FullName;
        var (t1, m1) = Build(7);
        Fit(straight, 2, false, m1, t1);

        string split = Directory.CreateTempSubdirectory("attn-split-").FullName;
        var (t2, m2) = Build(7);
        Fit(split, 1, false, m2, t2);
        // A new process would build a fresh model: do the same, with another seed to prove the checkpoint restores everything.
        var (t3, m3) = Build(99);
        var summary = Fit(split, 2, true, m3, t3);
        Assert.Equal(1, summary.ResumedFrom);
        Assert.Equal(2, summary.State.Epoch);

        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m3.named_parameters().Single(q => q.name == name).parameter).all().item<bool>(), $"parameter {name} differs after resume");
        var straightLog = File.ReadAllLines(Path.Combine(straight, "metrics.jsonl"));
        var splitLog = File.ReadAllLines(Path.Combine(split, "metrics.jsonl"));
        Assert.Equal(2, splitLog.Length);
        Assert.Equal(JsonNode.Parse(straightLog[1])!["train_loss"]!.GetValue<double>(), JsonNode.Parse(splitLog[1])!["train_loss"]!.GetValue<double>());
    }

    [Fact]
    public void LearnsTinyTaskAndWritesBestLastAndLog()
    {
        string dir = Directory.CreateTempSubdirectory("attn-learn-").FullName;
        var (t, m) = Build(3);
        var summary = Fit(dir, 5, false, m, t);
        var valid = Trainer<ImageBatch>.Evaluate(t, Valid, 64);
        Assert.True(valid["error"] < 0.1, $"validation error {valid["error"]:P1} should be below 10% on the halves task");
        Assert.True(summary.History[^1].Train["loss"] < summary.History[0].Train["loss"], "training loss should fall");
        Assert.True(File.Exists(Path.Combine(dir, Checkpoint.BestFile)));
        Assert.True(File.Exists(Path.Combine(dir, Checkpoint.LastFile)));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Length);
        Assert.Equal(summary.State.BestEpoch, Checkpoint.ReadHeader(Path.Combine(dir, Checkpoint.BestFile)).State.BestEpoch);
    }

    [Fact]
    public void ACheckpointWrittenBeforeADefaultedFieldExistedResumesAndAChangedFieldIsStillRefused()
    {
        string dir = Directory.CreateTempSubdirectory("attn-oldfields-").FullName;
        var (t, m) = Build(1);
        // the options as an older version wrote them: without ConvStride (default 5), which came later
        var old = (System.Text.Json.Nodes.JsonObject)ModelIdentity.Of("baseline", Net).Options;
        Assert.True(old.Remove("ConvStride"));
        new Trainer<ImageBatch>(Options(dir, 1, false)).Fit(t, new ModelIdentity("baseline", old), Train, Valid, new PlainProgress(TextWriter.Null));
        var summary = Fit(dir, 2, true, m, t);
        Assert.Equal(1, summary.ResumedFrom);
        var e = Assert.Throws<CheckpointException>(() => new Trainer<ImageBatch>(Options(dir, 3, true))
            .Fit(t, ModelIdentity.Of("baseline", Net with { ConvStride = 4 }), Train, Valid, new PlainProgress(TextWriter.Null)));
        Assert.Contains("ConvStride: checkpoint 5, now 4", e.Message);
    }

    [Fact]
    public void ResumeWithOtherOptionsIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("attn-mismatch-").FullName;
        var (t, m) = Build(1);
        Fit(dir, 1, false, m, t);
        var other = Net with { Hidden = 32 };
        torch.manual_seed(1);
        var m2 = new BaselineClassifier(other);
        var e = Assert.Throws<CheckpointException>(() => new Trainer<ImageBatch>(Options(dir, 2, true))
            .Fit(new ClassifierTask(m2), ModelIdentity.Of("baseline", other), Train, Valid, new PlainProgress(TextWriter.Null)));
        Assert.Contains("Hidden: checkpoint 16, now 32", e.Message);
    }

    [Fact]
    public void FreshRunIntoUsedFolderIsRefusedAndResumeWithoutCheckpointToo()
    {
        string dir = Directory.CreateTempSubdirectory("attn-used-").FullName;
        var (t, m) = Build(1);
        Assert.Contains("has no last.ckpt", Assert.Throws<ArgumentException>(() => Fit(dir, 1, true, m, t)).Message);
        Fit(dir, 1, false, m, t);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, Checkpoint.LastFile));
        Assert.Contains("already holds a checkpoint", Assert.Throws<ArgumentException>(() => Fit(dir, 1, false, m, t)).Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, Checkpoint.LastFile)));
    }

    /// <summary>A classifier whose epoch-level validation score follows a script (as a translator's dev BLEU would).</summary>
    sealed class Scripted(ClassifierTask inner, double[] scores) : ITrainable<ImageBatch>, IValidationScores
    {
        int _calls;
        public torch.nn.Module Model => inner.Model;
        public StepOutput TrainStep(ImageBatch batch) => inner.TrainStep(batch);
        public StepOutput EvalStep(ImageBatch batch) => inner.EvalStep(batch);
        public IReadOnlyDictionary<string, double> ValidationScores() => new Dictionary<string, double> { ["bleu"] = scores[_calls++] };
    }

    [Fact]
    public void AHigherIsBetterMonitorPicksTheLargestScoreAndStopsByPatienceCountingSteps()
    {
        var (t, _) = Build(1);
        var task = new Scripted(t, [1, 5, 3, 4, 2, 9, 9]);
        var dir = Directory.CreateTempSubdirectory("attn-bleu-").FullName;
        var options = Options(dir, 20) with { Patience = 3, Monitor = "bleu", Schedule = new LearningRateSchedule(), WarmupSteps = 10 };
        var summary = new Trainer<ImageBatch>(options).Fit(task, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        Assert.True(summary.State.Stopped);
        Assert.Equal(2, summary.State.BestEpoch);
        Assert.Equal(5, summary.State.BestValue);
        Assert.Equal(5, summary.State.Epoch);
        Assert.Equal(5 * 8, summary.State.Steps);                      // 256 examples / 32 per batch, 5 epochs
        Assert.Equal(5, summary.History[1].Valid["bleu"]);
        Assert.True(summary.History[1].Improved && !summary.History[2].Improved);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatience()
    {
        var (t, m) = Build(1);
        var options = Options(Directory.CreateTempSubdirectory("attn-es-").FullName, 50) with { Patience = 2, Monitor = "loss", LearningRate = 1e-9, Schedule = new LearningRateSchedule() };
        var summary = new Trainer<ImageBatch>(options).Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        Assert.True(summary.State.Stopped);
        Assert.True(summary.State.Epoch < 50, $"stopped at epoch {summary.State.Epoch}");
        Assert.Equal(2, summary.State.Epoch - summary.State.BestEpoch);
    }

    [Fact]
    public void PlateauScheduleCutsAfterFlatEpochsDownToItsFloorAndResumesTheSameSchedule()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Plateau, Gamma: 0.5, MinFactor: 0.2, PlateauEpochs: 2);
        Assert.Equal(new[] { 1.0, 0.5, 0.25, 0.2, 0.2 }, Enumerable.Range(0, 5).Select(c => schedule.RateAt(1.0, 1, 10, c)));
        Assert.True(schedule.CutsAfter(2, 0));
        Assert.False(schedule.CutsAfter(1, 0));
        Assert.False(schedule.CutsAfter(2, 3));   // at the floor: no more cuts
        Assert.False(new LearningRateSchedule(ScheduleKind.Cosine).CutsAfter(99, 0));

        // A rate so small that the validation loss barely moves: the run is mostly flat epochs.
        TrainerOptions Opts(string dir, int epochs, bool resume) => Options(dir, epochs, resume) with
        { LearningRate = 1e-9, Monitor = "loss", Patience = 9, Schedule = schedule };
        TrainingSummary Run(string dir, int epochs, bool resume)
        {
            var (t, _) = Build(1);
            return new Trainer<ImageBatch>(Opts(dir, epochs, resume)).Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        }
        string straight = Directory.CreateTempSubdirectory("attn-plateau-").FullName;
        Run(straight, 12, false);
        string split = Directory.CreateTempSubdirectory("attn-plateau-split-").FullName;
        Run(split, 5, false);
        Run(split, 12, true);

        // The rule from its definition, replayed on the logged improvements: cut by gamma after 2 flat epochs since the
        // last improvement or cut, never below 0.2 of the base.
        var log = File.ReadAllLines(Path.Combine(straight, Trainer<ImageBatch>.MetricsFile)).Select(l => JsonNode.Parse(l)!).ToList();
        double rate = 1e-9;
        int flat = 0, cuts = 0;
        foreach (var e in log)
        {
            Assert.Equal(rate, e["lr"]!.GetValue<double>(), 1e-20);
            if (e["best"]!.GetValue<bool>()) flat = 0;
            else if (++flat >= 2 && rate > 0.2e-9 * (1 + 1e-9)) { rate = Math.Max(0.2e-9, rate * 0.5); flat = 0; cuts++; }
        }
        Assert.True(cuts >= 2, $"only {cuts} cuts in {log.Count} epochs: the test needs flat epochs");
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, Trainer<ImageBatch>.MetricsFile)).Select(l => JsonNode.Parse(l)!["lr"]!.GetValue<double>()),
                     File.ReadAllLines(Path.Combine(split, Trainer<ImageBatch>.MetricsFile)).Select(l => JsonNode.Parse(l)!["lr"]!.GetValue<double>()));
        Assert.Throws<ArgumentException>(() => (Opts(straight, 5, false) with { Patience = 2 }).Validate());
    }

    [Fact]
    public void GraceEpochsCountTowardNeitherPatienceNorPlateauAndResumeTheSame()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Plateau, Gamma: 0.5, MinFactor: 0.2, PlateauEpochs: 2);
        // Mostly flat epochs (a rate that barely moves the loss), as in the flat start of the scene tasks.
        TrainerOptions Opts(string dir, int epochs, bool resume, int grace) => Options(dir, epochs, resume) with
        { LearningRate = 1e-9, Monitor = "loss", Patience = 3, Schedule = schedule, GraceEpochs = grace };
        TrainingSummary Run(string dir, int epochs, bool resume, int grace)
        {
            var (t, _) = Build(1);
            return new Trainer<ImageBatch>(Opts(dir, epochs, resume, grace)).Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        }
        List<JsonNode> Log(string dir) => File.ReadAllLines(Path.Combine(dir, Trainer<ImageBatch>.MetricsFile)).Select(l => JsonNode.Parse(l)!).ToList();

        string without = Directory.CreateTempSubdirectory("attn-grace0-").FullName;
        var stoppedEarly = Run(without, 30, false, 0);
        string with = Directory.CreateTempSubdirectory("attn-grace6-").FullName;
        var graced = Run(with, 30, false, 6);
        string split = Directory.CreateTempSubdirectory("attn-grace6-split-").FullName;
        Run(split, 4, false, 6);
        var resumed = Run(split, 30, true, 6);

        // The rule from its definition, replayed on the logged improvements: flat epochs 1..grace are not counted; after
        // that, cut by gamma after 2 counted flat epochs since the last improvement or cut, stop after 3 since the last improvement.
        foreach (var (dir, grace, summary) in new[] { (without, 0, stoppedEarly), (with, 6, graced) })
        {
            var log = Log(dir);
            double rate = 1e-9;
            int flatSinceCut = 0, flat = 0, stopAt = 0;
            foreach (var e in log)
            {
                int epoch = e["epoch"]!.GetValue<int>();
                Assert.Equal(rate, e["lr"]!.GetValue<double>(), 1e-20);
                if (e["best"]!.GetValue<bool>()) { flat = 0; flatSinceCut = 0; }
                else if (epoch > grace)
                {
                    flat++;
                    if (++flatSinceCut >= 2 && rate > 0.2e-9 * (1 + 1e-9)) { rate = Math.Max(0.2e-9, rate * 0.5); flatSinceCut = 0; }
                }
                if (flat >= 3) { stopAt = epoch; break; }
            }
            Assert.True(summary.State.Stopped, $"grace {grace}: the run was expected to stop by patience");
            Assert.Equal(stopAt, summary.State.Epoch);
            Assert.Equal(log.Count, summary.State.Epoch);
        }
        // The grace changed the run: it went on for at least as many epochs as the grace, which the run without did not.
        Assert.True(stoppedEarly.State.Epoch < 6, $"the ungraced run stopped at epoch {stoppedEarly.State.Epoch}: the test needs flat epochs in the first 6");
        Assert.True(graced.State.Epoch > 6, $"the graced run stopped at epoch {graced.State.Epoch}, inside its grace");
        Assert.Equal(Log(with).Select(e => e["lr"]!.GetValue<double>()), Log(split).Select(e => e["lr"]!.GetValue<double>()));
        Assert.Equal(graced.State.Epoch, resumed.State.Epoch);

        Assert.Contains("GraceEpochs must be 0 (off) or positive", Assert.Throws<ArgumentException>(() => new TrainerOptions { GraceEpochs = -1 }.Validate()).Message);
        var e2 = Assert.Throws<AttentionSharp.Cli.UsageException>(() => AttentionSharp.Cli.Commands.SharedOptions.Validated(new TrainerOptions { GraceEpochs = -1 }));
        Assert.Contains("--grace", e2.Message);
    }

    [Fact]
    public void MinDeltaResetsPatienceOnlyOnGainsAboveItWhileTheBestCheckpointFollowsEveryGainAndResumesTheSame()
    {
        // A constant small rate: the validation loss falls by shrinking steps, so late gains are smaller than the margin.
        const double delta = 0.004;
        TrainerOptions Opts(string dir, int epochs, bool resume, double minDelta) => Options(dir, epochs, resume) with
        { LearningRate = 3e-3, Monitor = "loss", Patience = 3, Schedule = new LearningRateSchedule(ScheduleKind.Constant), MinDelta = minDelta };
        TrainingSummary Run(string dir, int epochs, bool resume, double minDelta)
        {
            var (t, _) = Build(5);
            return new Trainer<ImageBatch>(Opts(dir, epochs, resume, minDelta)).Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        }
        List<JsonNode> Log(string dir) => File.ReadAllLines(Path.Combine(dir, Trainer<ImageBatch>.MetricsFile)).Select(l => JsonNode.Parse(l)!).ToList();

        string plain = Directory.CreateTempSubdirectory("attn-mindelta0-").FullName;
        var any = Run(plain, 40, false, 0);
        string margin = Directory.CreateTempSubdirectory("attn-mindelta-").FullName;
        var withMargin = Run(margin, 40, false, delta);
        string split = Directory.CreateTempSubdirectory("attn-mindelta-split-").FullName;
        Run(split, 3, false, delta);
        var resumed = Run(split, 40, true, delta);

        // The rule from its definition, replayed on the logged losses: a count resets only when the loss is below the loss
        // that last reset it by more than delta; "best" marks every new minimum.
        var log = Log(margin);
        double reference = double.NaN, best = double.NaN;
        int flat = 0, stopAt = 0, bestEpoch = 0;
        foreach (var e in log)
        {
            int epoch = e["epoch"]!.GetValue<int>();
            double loss = e["valid_loss"]!.GetValue<double>();
            bool isBest = double.IsNaN(best) || loss < best;
            Assert.Equal(isBest, e["best"]!.GetValue<bool>());
            if (isBest) { best = loss; bestEpoch = epoch; }
            if (double.IsNaN(reference) || loss < reference - delta) { reference = loss; flat = 0; }
            else if (++flat >= 3) { stopAt = epoch; break; }
        }
        Assert.True(withMargin.State.Stopped, "the run with a margin was expected to stop by patience");
        Assert.Equal(stopAt, withMargin.State.Epoch);
        Assert.Equal(log.Count, withMargin.State.Epoch);
        Assert.Equal(bestEpoch, withMargin.State.BestEpoch);
        // The margin changed the run: without it, the small late gains kept it going longer.
        Assert.True(any.State.Epoch > withMargin.State.Epoch, $"without a margin the run stopped at epoch {any.State.Epoch}, with it at {withMargin.State.Epoch}: the test needs small late gains");
        Assert.True(Log(margin).Any(e => e["best"]!.GetValue<bool>() && e["epoch"]!.GetValue<int>() > 1 &&
                                         Log(margin).First(p => p["epoch"]!.GetValue<int>() == e["epoch"]!.GetValue<int>() - 1)["valid_loss"]!.GetValue<double>() - e["valid_loss"]!.GetValue<double>() < delta),
                    "the test needs a gain below the margin that still selected the best checkpoint");
        Assert.Equal(withMargin.State.Epoch, resumed.State.Epoch);
        Assert.Equal(log.Select(e => e["valid_loss"]!.GetValue<double>()), Log(split).Select(e => e["valid_loss"]!.GetValue<double>()));

        Assert.Contains("MinDelta must be 0 (off) or a positive number", Assert.Throws<ArgumentException>(() => new TrainerOptions { MinDelta = -0.1 }.Validate()).Message);
        var e2 = Assert.Throws<AttentionSharp.Cli.UsageException>(() => AttentionSharp.Cli.Commands.SharedOptions.Validated(new TrainerOptions { MinDelta = double.NaN }));
        Assert.Contains("--min-delta", e2.Message);
    }

    /// <summary>Cancels a token when a given step of a given epoch reports (what Ctrl-C does from another thread).</summary>
    sealed class CancelAt(CancellationTokenSource source, int epoch, int step) : ITrainingProgress
    {
        int _epoch;
        public void StartEpoch(int epoch, int epochs, int batches) => _epoch = epoch;
        public void Step(int batch, double meanLoss) { if (_epoch == epoch && batch == step) source.Cancel(); }
        public void EndEpoch(EpochRecord record) { }
        public void Message(string text) { }
    }

    [Fact]
    public void AnInterruptedRunKeepsItsLastCompleteEpochAndResumesToTheUninterruptedResult()
    {
        string straight = Directory.CreateTempSubdirectory("attn-int-straight-").FullName;
        var (t1, m1) = Build(7);
        Fit(straight, 3, false, m1, t1);

        string dir = Directory.CreateTempSubdirectory("attn-int-").FullName;
        var (t2, _) = Build(7);
        using var stop = new CancellationTokenSource();
        var options = Options(dir, 3) with { Cancel = stop.Token };
        var e = Assert.Throws<TrainingInterruptedException>(() =>
            new Trainer<ImageBatch>(options).Fit(t2, ModelIdentity.Of("baseline", Net), Train, Valid, new CancelAt(stop, epoch: 2, step: 3)));
        Assert.Equal((2, 1), (e.Epoch, e.LastCompleteEpoch));
        Assert.Contains("interrupted in epoch 2 after 3 training batches", e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.Equal(1, Checkpoint.ReadHeader(Path.Combine(dir, Checkpoint.LastFile)).State.Epoch);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, Trainer<ImageBatch>.MetricsFile)));

        var (t3, m3) = Build(99);
        var summary = Fit(dir, 3, true, m3, t3);
        Assert.Equal(3, summary.State.Epoch);
        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m3.named_parameters().Single(q => q.name == name).parameter).all().item<bool>(), $"parameter {name} differs after interrupt + resume");

        // Interrupted before any epoch completed: nothing to resume, and the message says so.
        string fresh = Directory.CreateTempSubdirectory("attn-int-fresh-").FullName;
        using var early = new CancellationTokenSource();
        var (t4, _) = Build(7);
        var first = Assert.Throws<TrainingInterruptedException>(() => new Trainer<ImageBatch>(Options(fresh, 3) with { Cancel = early.Token })
            .Fit(t4, ModelIdentity.Of("baseline", Net), Train, Valid, new CancelAt(early, epoch: 1, step: 1)));
        Assert.Equal(0, first.LastCompleteEpoch);
        Assert.Contains("No epoch was completed", first.Message);
    }

    [Fact]
    public void ASecondRunInTheSameFolderIsRefusedWhileTheFirstHoldsItAndAStaleLockFileDoesNotBlock()
    {
        string dir = Directory.CreateTempSubdirectory("attn-lock-").FullName;
        var (t, m) = Build(1);
        using (RunLock.Acquire(dir))   // what a running training holds
        {
            var e = Assert.Throws<ArgumentException>(() => Fit(dir, 1, false, m, t));
            Assert.Contains("is in use by another training run", e.Message);
            Assert.False(File.Exists(Path.Combine(dir, Checkpoint.LastFile)));
        }
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)));   // removed on release
        File.WriteAllText(Path.Combine(dir, RunLock.FileName), "left by a killed run");   // a file nobody holds
        Assert.Equal(1, Fit(dir, 1, false, m, t).State.Epoch);
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)));
    }

    [Fact]
    public void ResumeFallsBackToThePreviousCheckpointWhenLastIsCorruptAndSaysSo()
    {
        string straight = Directory.CreateTempSubdirectory("attn-prev-straight-").FullName;
        var (t1, m1) = Build(7);
        Fit(straight, 3, false, m1, t1);

        string dir = Directory.CreateTempSubdirectory("attn-prev-").FullName;
        var (t2, m2) = Build(7);
        Fit(dir, 2, false, m2, t2);
        string last = Path.Combine(dir, Checkpoint.LastFile), previous = Path.Combine(dir, Trainer<ImageBatch>.PreviousFile);
        Assert.Equal(1, Checkpoint.ReadHeader(previous).State.Epoch);
        var bytes = File.ReadAllBytes(last);
        bytes[bytes.Length / 2] ^= 0x40;   // one flipped bit in the weights
        File.WriteAllBytes(last, bytes);

        var log = new StringWriter();
        var (t3, m3) = Build(99);
        var summary = Fit(dir, 3, true, m3, t3, new PlainProgress(log));
        Assert.Contains($"warning: {Checkpoint.LastFile} cannot be used", log.ToString());
        Assert.Contains("SHA-256", log.ToString());
        Assert.Contains($"resuming from {Trainer<ImageBatch>.PreviousFile} (epoch 1)", log.ToString());
        Assert.Equal((1, 3), (summary.ResumedFrom, summary.State.Epoch));
        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m3.named_parameters().Single(q => q.name == name).parameter).all().item<bool>(), $"parameter {name} differs after the fallback");

        // Both unusable: a clear error, nothing overwritten.
        File.WriteAllBytes(last, bytes);
        File.WriteAllBytes(previous, bytes);
        var e = Assert.Throws<CheckpointException>(() => Fit(dir, 4, true, m3, t3));
        Assert.Contains("no usable", e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(last));
    }

    [Fact]
    public void PlainProgressWritesOneLinePerEpochWhenRedirected()
    {
        Assert.False(TrainingProgress.UseBars(ProgressMode.Auto, outputRedirected: true));
        Assert.False(TrainingProgress.UseBars(ProgressMode.Plain, outputRedirected: false));
        Assert.True(TrainingProgress.UseBars(ProgressMode.Auto, outputRedirected: false));
        var writer = new StringWriter();
        var (t, m) = Build(1);
        Fit(Directory.CreateTempSubdirectory("attn-plain-").FullName, 3, false, m, t, new PlainProgress(writer));
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^epoch 1/3 lr=\S+ train_loss=\d+\.\d{4} train_error=\d+\.\d\d% valid_loss=\d+\.\d{4} valid_error=\d+\.\d\d% \d+\.\ds", lines[0]);
        Assert.DoesNotContain('\r', writer.ToString());
    }

    [Fact]
    public void StepsInsideScopesLeaveNoLiveTensorsBehind()
    {
        var (t, m) = Build(1);
        var options = Options(Directory.CreateTempSubdirectory("attn-leak-").FullName, 1) with { OutDir = null };
        var trainer = new Trainer<ImageBatch>(options);
        trainer.Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null)); // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var memBefore = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        for (int i = 0; i < 5; i++)
            new Trainer<ImageBatch>(options).Fit(t, ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null));
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after - before <= 0, $"live tensors grew from {before} to {after} over 5 epochs of 8 batches");
        long growth = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 - memBefore;
        Assert.True(growth < 64L << 20, $"working set grew by {growth >> 20} MiB");
    }

    [Fact]
    public void ScheduleValuesFollowTheirDefinitions()
    {
        var cosine = new LearningRateSchedule(ScheduleKind.Cosine, MinFactor: 0.0);
        Assert.Equal(1.0, cosine.RateAt(1.0, 1, 5), 12);
        Assert.Equal(0.5, cosine.RateAt(1.0, 3, 5), 12);
        Assert.Equal(0.0, cosine.RateAt(1.0, 5, 5), 12);
        var step = new LearningRateSchedule(ScheduleKind.Step, StepEpochs: 2, Gamma: 0.5);
        Assert.Equal(new[] { 1.0, 1.0, 0.5, 0.5, 0.25 }, Enumerable.Range(1, 5).Select(e => step.RateAt(1.0, e, 5)));
        var warm = new LearningRateSchedule(WarmupEpochs: 3);
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1.0 }, Enumerable.Range(1, 4).Select(e => warm.RateAt(1.0, e, 10)));
        // Replay: the recorded rates epoch by epoch, the last one beyond the list, whatever base rate the run has.
        var replay = LearningRateSchedule.ReplayOf([0.004, 0.004, 0.001], baseRate: 0.004);
        var replayed = Enumerable.Range(1, 5).Select(e => replay.RateAt(0.004, e, 5)).ToArray();
        Assert.Equal(new[] { 0.004, 0.004, 0.001, 0.001, 0.001 }.Select(r => Math.Round(r, 12)), replayed.Select(r => Math.Round(r, 12)));
        Assert.Equal(0.5, replay.RateAt(2.0, 3, 5), 12);
        Assert.Contains("needs Factors", Assert.Throws<ArgumentException>(() => new LearningRateSchedule(ScheduleKind.Replay).Validate()).Message);
        Assert.Contains("Factors must be finite and > 0", Assert.Throws<ArgumentException>(() => LearningRateSchedule.ReplayOf([0.1, 0], 0.1)).Message);
        Assert.Throws<ArgumentException>(() => LearningRateSchedule.ParseKind("exp"));
    }

    [Fact]
    public void BatchesAreOrderSlicesWithoutBucketingAndLengthGroupsWithIt()
    {
        // Without lengths: consecutive slices of the epoch's order, as every run before bucketing existed.
        var order = Trainer<ImageBatch>.EpochOrder(100, 3, 2);
        var plain = Trainer<ImageBatch>.EpochBatches(100, 3, 2, 32);
        Assert.Equal([32, 32, 32, 4], plain.Select(b => b.Length));
        Assert.Equal(order, plain.SelectMany(b => b));

        // With lengths: 2,000 examples of lengths 1..40 in batches of 8 (chunks of 50 batches = 400 examples).
        var rng = new Random(9);
        var lengths = Enumerable.Range(0, 2000).Select(_ => rng.Next(1, 41)).ToArray();
        var bucketed = Trainer<ImageBatch>.EpochBatches(2000, 3, 2, 8, i => lengths[i]);
        Assert.Equal(Enumerable.Range(0, 2000), bucketed.SelectMany(b => b).Order());           // each example once
        Assert.Equal(250, bucketed.Length);
        Assert.All(bucketed, b => Assert.Equal(8, b.Length));
        double Spread(int[][] batches) => batches.Average(b => b.Max(i => lengths[i]) - b.Min(i => lengths[i]));
        var random = Trainer<ImageBatch>.EpochBatches(2000, 3, 2, 8);
        Assert.True(Spread(bucketed) <= 1.0, $"bucketed batches span {Spread(bucketed):0.00} lengths on average");
        Assert.True(Spread(random) > 20, $"random batches span only {Spread(random):0.00}");
        // padded cost: sum over batches of size x longest example
        double Padded(int[][] batches) => batches.Sum(b => b.Length * b.Max(i => lengths[i]));
        Assert.True(Padded(bucketed) < 0.7 * Padded(random));
        // the batches themselves are shuffled, not sorted by length, and fixed by (seed, epoch)
        var firsts = bucketed.Select(b => lengths[b[0]]).ToArray();
        Assert.NotEqual(firsts.Order(), firsts);
        Assert.Equal(bucketed, Trainer<ImageBatch>.EpochBatches(2000, 3, 2, 8, i => lengths[i]));
        Assert.NotEqual(bucketed, Trainer<ImageBatch>.EpochBatches(2000, 3, 3, 8, i => lengths[i]));
        Assert.Throws<ArgumentException>(() => Trainer<ImageBatch>.EpochBatches(10, 1, 1, 0));
    }

    [Fact]
    public void LoggedRatesReadEachEpochsRateFromTheMetricsLogAndSkipUnreadableLines()
    {
        string dir = Directory.CreateTempSubdirectory("attn-rates-").FullName;
        Assert.Empty(Trainer<ImageBatch>.LoggedRates(dir));
        File.WriteAllLines(Path.Combine(dir, Trainer<ImageBatch>.MetricsFile),
            ["{\"epoch\":1,\"lr\":0.003,\"best\":true}", "{\"epoch\":2,\"lr\":0.0015}", "{\"epoch\":3,\"lr\":", "{\"epoch\":\"x\",\"lr\":1}", "{\"epoch\":4}"]);
        var rates = Trainer<ImageBatch>.LoggedRates(dir);
        Assert.Equal([1, 2], rates.Keys.Order());
        Assert.Equal(0.003, rates[1]);
        Assert.Equal(0.0015, rates[2]);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void BadTrainerOptionsNameTheOption()
    {
        Assert.Contains("Epochs must be at least 1; got 0", Assert.Throws<ArgumentException>(() => new TrainerOptions { Epochs = 0 }.Validate()).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentException>(() => new TrainerOptions { LearningRate = double.NaN }.Validate()).Message);
        Assert.Contains("unknown optimizer 'lamb'", Assert.Throws<ArgumentException>(() => new TrainerOptions { Optimizer = "lamb" }.Validate()).Message);
        Assert.Contains("Resume needs OutDir", Assert.Throws<ArgumentException>(() => new TrainerOptions { Resume = true }.Validate()).Message);
        Assert.Contains("PlateauEpochs must be >= 1", Assert.Throws<ArgumentException>(() =>
            new TrainerOptions { Schedule = new LearningRateSchedule(ScheduleKind.Plateau, PlateauEpochs: 0) }.Validate()).Message);
        // The command line names its flags instead.
        var e = Assert.Throws<AttentionSharp.Cli.UsageException>(() => AttentionSharp.Cli.Commands.SharedOptions.Validated(new TrainerOptions { Patience = 3, Schedule = new LearningRateSchedule(ScheduleKind.Plateau) }));
        Assert.Contains("--patience (3) must exceed --plateau (5)", e.Message);
    }

    /// <summary>Delegates to a task but throws a native-style error at the given training steps (1-based, counted over the run).</summary>
    sealed class FaultyTask(ClassifierTask inner, params int[] failAt) : ITrainable<ImageBatch>
    {
        int _steps;
        public torch.nn.Module Model => inner.Model;
        public StepOutput TrainStep(ImageBatch batch)
        {
            _steps++;
            if (failAt.Contains(_steps)) throw new System.Runtime.InteropServices.ExternalException("Expected false to be true, but got false.\nException raised from toDouble");
            return inner.TrainStep(batch);
        }
        public StepOutput EvalStep(ImageBatch batch) => inner.EvalStep(batch);
    }

    [Fact]
    public void NativeErrorsRestartTheEpochFromItsCheckpointAndTheRunEndsAsAnUninterruptedOne()
    {
        string straight = Directory.CreateTempSubdirectory("attn-straight-").FullName;
        var (t1, m1) = Build(7);
        Fit(straight, 2, false, m1, t1);

        // 256 examples / 32 = 8 steps per epoch: fail at step 5 of epoch 1 (restart from start.ckpt) and at step 3
        // of epoch 2 (restart from last.ckpt); the replayed steps count too, so epoch 2's fault is step 8 + 5 + 3.
        string faulty = Directory.CreateTempSubdirectory("attn-faulty-").FullName;
        var (t2, m2) = Build(7);
        var log = new StringWriter();
        var summary = new Trainer<ImageBatch>(Options(faulty, 2)).Fit(new FaultyTask(t2, 5, 16), ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(log));
        Assert.Equal(2, summary.State.Epoch);
        Assert.Contains("restarting epoch 1 from start.ckpt (retry 1 of 3)", log.ToString());
        Assert.Contains("restarting epoch 2 from last.ckpt (retry 2 of 3)", log.ToString());
        Assert.False(File.Exists(Path.Combine(faulty, Trainer<ImageBatch>.StartFile)));
        foreach (var (name, p) in m1.named_parameters())
            Assert.True(p.eq(m2.named_parameters().Single(q => q.name == name).parameter).all().item<bool>(), $"parameter {name} differs after the restarts");
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["train_loss"]!.GetValue<double>()),
                     File.ReadAllLines(Path.Combine(faulty, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["train_loss"]!.GetValue<double>()));

        // Without retries (or once they are used up) the error reaches the caller.
        string none = Directory.CreateTempSubdirectory("attn-noretry-").FullName;
        var (t3, _) = Build(7);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => new Trainer<ImageBatch>(Options(none, 1) with { NativeFaultRetries = 0 })
            .Fit(new FaultyTask(t3, 2), ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null)));
        string often = Directory.CreateTempSubdirectory("attn-often-").FullName;
        var (t4, _) = Build(7);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => new Trainer<ImageBatch>(Options(often, 1) with { NativeFaultRetries = 1 })
            .Fit(new FaultyTask(t4, 2, 4), ModelIdentity.Of("baseline", Net), Train, Valid, new PlainProgress(TextWriter.Null)));
    }
}
