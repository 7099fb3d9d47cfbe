using System.Text.Json;
using AttentionSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>
/// Where an experiment (a model family's <c>Train</c>, <c>Evaluate</c> and <c>Show</c>; see docs/architecture.md) reads
/// its data, which device it runs on and where it reports. The library writes nothing to the console: epochs, batches and
/// log lines (data preparation, the run folder) all go to <see cref="Progress"/>.
/// </summary>
/// <param name="DataRoot">Dataset cache folder (<see cref="DataCache.Resolve"/>).</param>
/// <param name="Device">Device the model runs on.</param>
/// <param name="Progress">Receives epochs and log lines (<see cref="PlainProgress"/> for plain lines on a writer).</param>
public sealed record ExperimentContext(string DataRoot, Device Device, ITrainingProgress Progress)
{
    /// <summary>A context on the CPU, with the default data cache, reporting plain lines to <paramref name="log"/> (or nowhere).</summary>
    public static ExperimentContext Cpu(TextWriter? log = null, string? dataRoot = null) =>
        new(DataCache.Resolve(dataRoot), CPU, new PlainProgress(log ?? TextWriter.Null));

    /// <summary>The log as a writer: every line written reaches <see cref="ITrainingProgress.Message"/>.</summary>
    public TextWriter Log => new ProgressLog(Progress);
}

/// <summary>What experiments share around a run folder: reading a checkpoint's run record, ending an evaluation, naming a picture.</summary>
public static class RunFolder
{
    /// <summary>
    /// Resolves a checkpoint path (a file, or a run folder: its best checkpoint), checks that it holds a model of the kind
    /// <paramref name="isKind"/> accepts and reads its run record; <paramref name="what"/> names the model family in errors
    /// (e.g. "a baseline").
    /// </summary>
    public static (string Path, CheckpointHeader Header, TRun Run) ReadRun<TRun>(string path, Func<string, bool> isKind, string what)
    {
        if (Directory.Exists(path)) path = Checkpoint.ResolveRunFolder(path);
        var header = Checkpoint.ReadHeader(path);
        if (!isKind(header.Kind))
            throw new CheckpointException($"'{path}' holds a '{header.Kind}' model, not {what}; use 'attn {CommandOf(header.Kind)} ...' for it");
        TRun run;
        try { run = header.Options.Deserialize<TRun>(Checkpoint.Json) ?? throw new CheckpointException($"'{path}' has no {what} options"); }
        catch (JsonException e) { throw new CheckpointException($"'{path}' has unreadable {what} options: {e.Message}", e); }
        return (path, header, run);
    }

    /// <summary>The <c>attn</c> command of a checkpoint kind (<c>seq2seq</c> -> translate, <c>tag/crf</c> -> tag ...).</summary>
    public static string CommandOf(string kind) => kind.Split('/')[0] switch
    {
        "seq2seq" => "translate",
        "draw-read" => "draw",
        "textcls" => "classify",
        var family => family,
    };

    /// <summary>
    /// Ends an evaluation: adds the evaluated count, the seconds and the checkpoint to <paramref name="result"/> and writes
    /// it as <c>eval-result.json</c> beside the checkpoint.
    /// </summary>
    public static RunResult FinishEval(RunResult result, int count, double seconds, string checkpoint, string countName = "examples")
    {
        result.Add(countName, count).Add("seconds", Math.Round(seconds, 1)).Add("checkpoint", checkpoint);
        result.Save(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "eval-result.json"));
        return result;
    }

    /// <summary>
    /// The picture a <c>Show</c> writes: <paramref name="output"/> when it ends in .png, else <paramref name="defaultName"/>
    /// in the <paramref name="output"/> folder, or beside <paramref name="checkpoint"/> when <paramref name="output"/> is null.
    /// </summary>
    public static string PngPath(string? output, string checkpoint, string defaultName) =>
        output == null ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, defaultName)
        : output.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? output : Path.Combine(output, defaultName);

    /// <summary>
    /// Reads a checkpoint's run record (see <see cref="ReadRun{TRun}"/>; the kind must be <paramref name="kind"/>), builds the
    /// model it describes with <paramref name="build"/>, loads the weights and moves it to <paramref name="device"/>.
    /// <paramref name="module"/> picks the module that holds the weights (the model itself by default).
    /// </summary>
    public static (string Path, TRun Run, TModel Model) LoadModel<TRun, TModel>(string checkpoint, string kind, string what, Func<TRun, TModel> build,
        Device device, Func<TModel, nn.Module>? module = null)
    {
        var (path, _, run) = ReadRun<TRun>(checkpoint, k => k == kind, what);
        var model = Checkpoint.BuildFor(path, () => build(run));
        var weights = module?.Invoke(model) ?? model as nn.Module ?? throw new ArgumentException($"{typeof(TModel).Name} is not a module; pass the module that holds its weights");
        Checkpoint.Load(path, kind, weights);
        weights.to(device);
        return (path, run, model);
    }

    /// <summary>
    /// The middle of every train entry point: seeds, builds the model, moves it to the context's device, fits it
    /// (checkpoints into <see cref="TrainerOptions.OutDir"/>), then reloads the best checkpoint's weights. Returns the
    /// model, the training summary and a clock started before the fit and still running (for the result's seconds).
    /// </summary>
    public static (TModel Model, TrainingSummary Summary, System.Diagnostics.Stopwatch Clock) Fit<TBatch, TModel>(TrainerOptions trainer, ExperimentContext context,
        ModelIdentity identity, Func<TModel> build, Func<TModel, ITrainable<TBatch>> task, IBatchSource<TBatch> train, IBatchSource<TBatch>? valid,
        Func<TModel, nn.Module>? module = null)
    {
        torch.manual_seed(trainer.Seed);
        var model = build();
        var weights = module?.Invoke(model) ?? model as nn.Module ?? throw new ArgumentException($"{typeof(TModel).Name} is not a module; pass the module that holds its weights");
        weights.to(context.Device);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var summary = new Trainer<TBatch>(trainer).Fit(task(model), identity, train, valid, context.Progress);
        Checkpoint.Load(Path.Combine(Require(trainer), Checkpoint.BestFile), identity.Kind, weights);
        weights.to(context.Device);
        return (model, summary, clock);
    }

    /// <summary>
    /// Adds what every trained run reports after its test figures: <c>best_epoch</c>, <c>epochs</c>, <c>seconds</c> (wall clock
    /// of this call), <c>train_seconds_total</c> (training time over resumes) and <c>checkpoint</c> (the best one).
    /// </summary>
    public static RunResult AddTraining(this RunResult result, TrainingSummary summary, double seconds, TrainerOptions trainer) => result
        .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
        .Add("seconds", Math.Round(seconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
        .Add("checkpoint", Path.Combine(trainer.OutDir!, Checkpoint.BestFile));

    /// <summary>
    /// The first step of every family's <c>Train</c>: checks the spec (<paramref name="validateSpec"/>, which throws naming the
    /// property) and the trainer options, and returns the run folder, created.
    /// </summary>
    public static string Start(Action validateSpec, TrainerOptions trainer)
    {
        validateSpec();
        trainer.Validate();
        return Require(trainer);
    }

    /// <summary>The run folder of <paramref name="trainer"/>, created; a train entry point needs one for its checkpoints.</summary>
    public static string Require(TrainerOptions trainer)
    {
        if (string.IsNullOrWhiteSpace(trainer.OutDir))
            throw new ArgumentException("TrainerOptions.OutDir must name the run folder (checkpoints, metrics.jsonl, result.json and pictures go there)");
        Directory.CreateDirectory(trainer.OutDir);
        return trainer.OutDir;
    }
}
