using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Native;
using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary>The options every model verb shares, and how they become library settings.</summary>
public static class SharedOptions
{
    /// <summary>Options of every train verb, with the family's defaults (<paramref name="threads"/>: see <see cref="Common"/>).</summary>
    /// <remarks>The schedule, plateau, gamma and patience defaults are the trainer's unless a family passes its own (translate: early stopping on).</remarks>
    public static OptionSpec[] Train(int epochs, int batchSize, double lr, string monitor = "error", string? threads = null,
        string schedule = "cosine", int plateau = 5, double gamma = 0.1, int patience = 0, double clip = 0) =>
    [
        new OptionSpec("epochs", "N", epochs.ToString(), patience > 0 ? "most epochs to train (a ceiling: early stopping by --patience ends the run sooner; total, counting epochs before a resume)"
            : "epochs to train (total, counting epochs before a resume)").Ints(1),
        new OptionSpec("batch-size", "N", batchSize.ToString(), "examples per batch").Ints(1),
        new OptionSpec("lr", "X", lr.ToString(System.Globalization.CultureInfo.InvariantCulture), "base learning rate").Numbers(0),
        new("optimizer", "NAME", "adam", "adam, adamw, sgd or rmsprop"),
        new OptionSpec("schedule", "NAME", schedule, "learning-rate schedule: constant, step, cosine (to 1% at the last epoch) or plateau (cut by --gamma after --plateau epochs without validation improvement, down to 1%)").OneOf(LearningRateSchedule.Names),
        new OptionSpec("plateau", "N", plateau.ToString(), "plateau schedule: epochs without validation improvement before each cut").Ints(1),
        new OptionSpec("gamma", "X", gamma.ToString(System.Globalization.CultureInfo.InvariantCulture), "step and plateau schedules: factor of each cut").Numbers(1e-6, 0.999999),
        new OptionSpec("warmup", "N", "0", "epochs of linear learning-rate warm-up").Ints(0),
        new OptionSpec("warmup-steps", "N", "0", "optimizer steps of linear learning-rate warm-up (on top of the schedule; 0 = off)").Ints(0),
        new OptionSpec("weight-decay", "X", "0", "L2 weight decay").Numbers(0),
        new OptionSpec("clip", "X", clip.ToString(System.Globalization.CultureInfo.InvariantCulture), "clip the gradient norm to X (0 = off)").Numbers(0),
        new OptionSpec("patience", "N", patience.ToString(), "early stopping: epochs without validation improvement (0 = off)").Ints(0),
        new OptionSpec("min-delta", "X", "0", "the least gain of the monitored metric that resets --patience and --plateau (absolute, Keras' min_delta); smaller gains still pick the best checkpoint").Numbers(0),
        new OptionSpec("grace", "N", "0", "the first N epochs count toward neither --patience nor --plateau (a warm-up in which the validation metric may stay flat; Keras' start_from_epoch)").Ints(0),
        new("monitor", "METRIC", monitor, "validation metric that selects the best checkpoint (lower is better; bleu and chrf: higher)"),
        new OptionSpec("max-batches", "N", "0", "stop each epoch after N batches (0 = all; for quick runs)").Ints(0),
        new("resume", null, null, "continue the run in --out from its last checkpoint"),
        .. Common(threads),
    ];

    /// <summary>Options shared by every verb that runs a model (train, eval, show ...); <paramref name="threads"/> is the family's default thread count (null = libtorch's).</summary>
    public static OptionSpec[] Common(string? threads = null) =>
    [
        new OptionSpec("seed", "N", "1", "random seed: the same seed gives the same run on the same machine").Longs(),
        new("device", "NAME", "cpu", "cpu, cuda or cuda:N"),
        new OptionSpec("threads", "N", threads, "libtorch intra-op CPU threads" + (threads == null ? " (default: one per core; 1 is faster on a busy or shared CPU)" : "")).Ints(1, 1024),
        new("data-dir", "DIR", null, $"dataset cache (default: ${DataCache.EnvironmentVariable} or ~/.cache/attentionsharp)"),
        new("out", "DIR", null, "run folder for checkpoints, metrics.jsonl, result.json, pictures (default: runs/NAME-TIME)"),
        new("no-progress", null, null, "plain output, one line per epoch, even on a terminal"),
        new("verbose", null, null, "more output, and stack traces on errors"),
    ];

    /// <summary>The library's property names and the flags that set them, for error messages.</summary>
    static readonly (string Property, string Flag)[] TrainerFlags =
    [
        ("PlateauEpochs", "--plateau"), ("WarmupEpochs", "--warmup"), ("Epochs", "--epochs"), ("BatchSize", "--batch-size"),
        ("LearningRate", "--lr"), ("GradClipNorm", "--clip"), ("Patience", "--patience"), ("GraceEpochs", "--grace"), ("MinDelta", "--min-delta"), ("WarmupSteps", "--warmup-steps"), ("Gamma", "--gamma"), ("Resume needs OutDir", "--resume needs --out"),
    ];

    /// <summary>Validates trainer options, rethrowing the library's message (which names properties) with the flags instead.</summary>
    public static TrainerOptions Validated(TrainerOptions options)
    {
        try { options.Validate(); }
        catch (ArgumentException e)
        {
            string message = e.Message;
            foreach (var (property, flag) in TrainerFlags)
                message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{property}\b", flag);
            throw new UsageException(message);
        }
        return options;
    }

    /// <summary>The trainer settings from the parsed options, validated.</summary>
    public static TrainerOptions Trainer(ParsedArgs a, string outDir) => Validated(new()
    {
        Epochs = a.Int("epochs"),
        BatchSize = a.Int("batch-size"),
        LearningRate = a.Double("lr"),
        Optimizer = OptimizerFactory.Check(a.Required("optimizer")),
        Schedule = new LearningRateSchedule(LearningRateSchedule.ParseKind(a.Choice("schedule")), a.Int("warmup"),
            Gamma: a.Double("gamma"), PlateauEpochs: a.Int("plateau")),
        WeightDecay = a.Double("weight-decay"),
        GradClipNorm = a.Double("clip"),
        Patience = a.Int("patience"),
        GraceEpochs = a.Int("grace"),
        MinDelta = a.Double("min-delta"),
        WarmupSteps = a.Int("warmup-steps"),
        Monitor = a.Required("monitor"),
        MaxBatchesPerEpoch = a.Int("max-batches"),
        Seed = a.Long("seed"),
        Resume = a.Flag("resume"),
        OutDir = outDir,
        Cancel = App.Interruption,
    });

    /// <summary>The run folder: <c>--out</c>, else <c>runs/NAME-yyyyMMdd-HHmmss</c> (a new folder; <c>--resume</c> needs <c>--out</c>).</summary>
    public static string OutDir(ParsedArgs a, string name)
    {
        var o = a.String("out");
        if (o != null) return Path.GetFullPath(o);
        if (a.Has("resume")) throw new UsageException("--resume needs --out, the run folder to resume");
        return Path.GetFullPath(Path.Combine("runs", $"{name}-{DateTime.Now:yyyyMMdd-HHmmss}"));
    }

    /// <summary>The device from <c>--device</c>.</summary>
    public static Device Device(ParsedArgs a) => DeviceSelector.Parse(a.Required("device"));

    /// <summary>The dataset cache root from <c>--data-dir</c> and the environment.</summary>
    public static string DataRoot(ParsedArgs a) => DataCache.Resolve(a.String("data-dir"));

    /// <summary>Reads a <c>--checkpoint</c>'s run record (see <see cref="RunFolder.ReadRun{TRun}"/>).</summary>
    public static (string Path, CheckpointHeader Header, TRun Run) ReadRun<TRun>(string path, Func<string, bool> isKind, string what) =>
        RunFolder.ReadRun<TRun>(path, isKind, what);

    /// <summary>Ends an eval verb: <see cref="RunFolder.FinishEval"/>, then prints the <c>RESULT</c> line; returns exit code 0.</summary>
    public static int ReportEval(RunResult result, int count, double seconds, string checkpoint, string countName = "examples")
    {
        Console.WriteLine(RunFolder.FinishEval(result, count, seconds, checkpoint, countName).ToLine());
        return 0;
    }

    /// <summary>The PNG a <c>show</c> verb writes (<see cref="RunFolder.PngPath"/> of <c>--out</c>).</summary>
    public static string PngOut(ParsedArgs a, string checkpoint, string defaultName) => RunFolder.PngPath(a.String("out"), checkpoint, defaultName);

    /// <summary>
    /// The experiment context of a verb: <c>--data-dir</c>, <c>--device</c> and <paramref name="progress"/> (the display
    /// <see cref="TrainingProgress.Run{T}"/> hands over, or plain lines on stdout).
    /// </summary>
    public static ExperimentContext Context(ParsedArgs a, ITrainingProgress? progress = null) =>
        new(DataRoot(a), Device(a), progress ?? new PlainProgress(Console.Out));

    /// <summary>The image tasks of the glimpse models (RAM and the DRAW-read classifier), built from --dataset.</summary>
    public static readonly string[] GlimpseTasks = ["mnist", "translated", "cluttered60", "cluttered100"];

    /// <summary><c>--fresh-canvases</c> of the image verbs: new training canvases every epoch on the generated tasks.</summary>
    public static readonly OptionSpec FreshCanvases = new("fresh-canvases", null, null,
        "translated/cluttered tasks: draw new training canvases (digit position, clutter) every epoch from the same training digits");

    /// <summary>The progress mode from <c>--no-progress</c>.</summary>
    public static ProgressMode Progress(ParsedArgs a) => a.Flag("no-progress") ? ProgressMode.Plain : ProgressMode.Auto;
}
