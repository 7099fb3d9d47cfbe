using System.Diagnostics;
using System.Text.Json.Serialization;
using AttentionSharp.Data;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Baselines;

/// <summary>What a baseline checkpoint records: the task and the network options.</summary>
/// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
/// <param name="Net">Network options.</param>
/// <param name="FreshCanvases">Trained on canvases drawn anew every epoch.</param>
public sealed record BaselineRun(string Task, BaselineOptions Net, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

/// <summary>What to train: an image task and the baseline network (the canvas size and classes come from the task).</summary>
/// <param name="Task">Image task (see <see cref="ImageTasks.Names"/>).</param>
/// <param name="Model">fc (2 x 256 ReLU) or conv (8 10x10 filters stride 5 + 256 ReLU).</param>
/// <param name="Hidden">Units of each fully connected hidden layer.</param>
/// <param name="Dropout">Dropout before the output layer.</param>
/// <param name="FreshCanvases">Generated tasks: new training canvases every epoch from the same training digits.</param>
public sealed record BaselineTrainSpec(string Task = "mnist", BaselineModel Model = BaselineModel.Fc, int Hidden = 256, double Dropout = 0, bool FreshCanvases = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (!ImageTasks.Names.Contains(Task)) throw new ArgumentException($"Task must be one of {string.Join(", ", ImageTasks.Names)}; got '{Task}'");
        Variant.Check(Model, nameof(Model));
        if (Hidden < 1) throw new ArgumentException($"Hidden must be >= 1; got {Hidden}");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout)) throw new ArgumentException($"Dropout must be in [0, 1); got {Dropout}");
    }
}

/// <summary>What to evaluate: a baseline checkpoint on its task's test set.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Seed">Random seed handed to the task loader.</param>
public sealed record BaselineEvalSpec(string Checkpoint, int BatchSize = 500, long Seed = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.AtLeast(BatchSize, 1);
    }
}

/// <summary>
/// The fully connected and convolutional baselines of Mnih et al. 2014 as an experiment: <see cref="Train"/> (spec and
/// trainer options to a tested run folder with its checkpoints and <c>result.json</c>) and <see cref="Evaluate"/> (a
/// checkpoint on its task's test set). <c>attn baseline train|eval</c> call these.
/// </summary>
public static class BaselineExperiment
{
    /// <summary>Checkpoint kind of the baselines.</summary>
    public const string Kind = "baseline";

    /// <summary>Trains a baseline on the spec's task in <see cref="TrainerOptions.OutDir"/> and tests the best checkpoint.</summary>
    public static RunResult Train(BaselineTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var log = context.Log;
        var data = ImageTasks.Load(spec.Task, context.DataRoot, log, context.Device, trainer.Seed);
        var net = new BaselineOptions(Model: spec.Model, Hidden: spec.Hidden, Dropout: spec.Dropout)
            with { Height = data.Train.Height, Width = data.Train.Width, Classes = data.Train.Classes };
        log.WriteLine($"run folder: {outDir}");

        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, new BaselineRun(spec.Task, net, spec.FreshCanvases)),
            () => new BaselineClassifier(net), m => new ClassifierTask(m), data.TrainingSource(spec.FreshCanvases), data.Valid);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        var result = new RunResult()
            .Add("task", spec.Task).Add("model", Variant.Name(net.Model)).Add("fresh_canvases", spec.FreshCanvases ? "true" : "false")
            .Add("test_error", new Percent(100 * test["error"]))
            .AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a baseline checkpoint (file, or run folder: its best checkpoint) onto <paramref name="device"/>.</summary>
    public static (string Path, BaselineRun Run, BaselineClassifier Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel(checkpoint, Kind, "a baseline", (BaselineRun run) => new BaselineClassifier(run.Net), device);

    /// <summary>Evaluates a checkpoint on its task's test set; writes <c>eval-result.json</c> beside it.</summary>
    public static RunResult Evaluate(BaselineEvalSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, spec.BatchSize);
        var result = new RunResult().Add("task", run.Task).Add("model", Variant.Name(run.Net.Model))
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }
}
