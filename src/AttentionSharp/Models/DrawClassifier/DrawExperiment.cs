using System.Diagnostics;
using System.Text.Json.Serialization;
using AttentionSharp.Data;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.DrawClassifier;

/// <summary>What a DRAW-read checkpoint records: the resolved image task and the model options.</summary>
/// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
/// <param name="Net">Model options.</param>
/// <param name="FreshCanvases">Trained on canvases drawn anew every epoch.</param>
public sealed record DrawRun(string Task, DrawClassifierOptions Net, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

/// <summary>What to train: an image task and the reader's sizes (the canvas and classes come from the task).</summary>
/// <param name="Task">Image task: mnist, translated, cluttered60 or cluttered100 (or a resolved name such as <c>fashion-mnist:translated</c>).</param>
/// <param name="Dataset">Source of the 28x28 images: mnist or fashion-mnist.</param>
/// <param name="Glimpses">Reads per image.</param>
/// <param name="Grid">Side N of the N x N read grid (null: 12, or 8 on 28x28; see <see cref="DrawClassifierOptions.ForImage"/>).</param>
/// <param name="Hidden">LSTM core units.</param>
/// <param name="GlimpseHidden">Units of the layer between a read and the core.</param>
/// <param name="FreshCanvases">Generated tasks: new training canvases every epoch from the same training digits.</param>
public sealed record DrawTrainSpec(
    string Task = "cluttered60", string Dataset = "mnist", int Glimpses = 8, int? Grid = null, int Hidden = 256, int GlimpseHidden = 256,
    bool FreshCanvases = false)
{
    /// <summary>The model options for a canvas of <paramref name="height"/> x <paramref name="width"/> with <paramref name="classes"/> classes.</summary>
    public DrawClassifierOptions Resolve(int height, int width, int classes)
    {
        var net = DrawClassifierOptions.ForImage(height, width, Glimpses, classes) with { Hidden = Hidden, GlimpseHidden = GlimpseHidden };
        if (Grid != null) net = net with { Grid = Grid.Value };
        net.Validate();
        return net;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Dataset is not ("mnist" or "fashion-mnist")) throw new ArgumentException($"Dataset must be mnist or fashion-mnist; got '{Dataset}'");
        if (Glimpses < 1) throw new ArgumentException($"Glimpses must be >= 1; got {Glimpses}");
        if (Grid is < 2) throw new ArgumentException($"Grid must be >= 2; got {Grid}");
        if (Hidden < 1) throw new ArgumentException($"Hidden must be >= 1; got {Hidden}");
        if (GlimpseHidden < 1) throw new ArgumentException($"GlimpseHidden must be >= 1; got {GlimpseHidden}");
    }
}

/// <summary>What to evaluate: a DRAW-read checkpoint on its task's test set.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Seed">Random seed handed to the task loader.</param>
public sealed record DrawEvalSpec(string Checkpoint, int BatchSize = 500, long Seed = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.AtLeast(BatchSize, 1);
    }
}

/// <summary>What to draw: the reads on test images <paramref name="First"/> .. <paramref name="First"/>+<paramref name="Count"/>-1.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Count">Test images to draw.</param>
/// <param name="First">Index of the first test image.</param>
/// <param name="Output">PNG file, or folder for <c>draw.png</c> (null: beside the checkpoint).</param>
/// <param name="Seed">Random seed handed to the task loader.</param>
public sealed record DrawShowSpec(string Checkpoint, int Count = 8, int First = 0, string? Output = null, long Seed = 1)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.InRange(Count, 1, 64);
        if (First < 0) throw new ArgumentException($"First must be >= 0; got {First}");
    }
}

/// <summary>
/// A recurrent classifier reading through DRAW's Gaussian attention (Gregor et al. 2015) as an experiment:
/// <see cref="Train"/> (spec and trainer options to a tested run folder with its checkpoints, <c>result.json</c> and
/// <c>draw.png</c>), <see cref="Evaluate"/> (a checkpoint on its task's test set) and <see cref="Show"/> (each read's
/// grid over test images, into a PNG). <c>attn draw train|eval|show</c> call these.
/// </summary>
public static class DrawExperiment
{
    /// <summary>Checkpoint kind of the DRAW-read classifier.</summary>
    public const string Kind = "draw-read";

    /// <summary>Trains the DRAW-read classifier on the spec's task in <see cref="TrainerOptions.OutDir"/>, tests the best checkpoint and draws its reads.</summary>
    public static RunResult Train(DrawTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        string task = ImageTasks.Resolve(spec.Task, spec.Dataset);
        var log = context.Log;
        var data = ImageTasks.Load(task, context.DataRoot, log, context.Device, trainer.Seed);
        var net = spec.Resolve(data.Train.Height, data.Train.Width, data.Train.Classes);
        log.WriteLine($"run folder: {outDir}");
        log.WriteLine($"DRAW-read classifier on {task}: {net.Height}x{net.Width}, {net.Glimpses} reads of {net.Grid}x{net.Grid}, LSTM {net.Hidden}");

        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, new DrawRun(task, net, spec.FreshCanvases)),
            () => new DrawReadClassifier(net), m => new ClassifierTask(m), data.TrainingSource(spec.FreshCanvases), data.Valid);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        string png = Path.Combine(outDir, "draw.png");
        DrawReads(model, data.Test, 0, Math.Min(8, data.Test.Count), png);
        var result = new RunResult()
            .Add("task", task).Add("model", "draw-read").Add("glimpses", net.Glimpses).Add("grid", net.Grid).Add("fresh_canvases", spec.FreshCanvases ? "true" : "false")
            .Add("test_error", new Percent(100 * test["error"]))
            .AddTraining(summary, clock.Elapsed.TotalSeconds, trainer).Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Loads a DRAW-read checkpoint (file, or run folder: its best checkpoint) onto <paramref name="device"/>.</summary>
    public static (string Path, DrawRun Run, DrawReadClassifier Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel(checkpoint, Kind, "a DRAW-read classifier", (DrawRun run) => new DrawReadClassifier(run.Net), device);

    /// <summary>Evaluates a checkpoint on its task's test set; writes <c>eval-result.json</c> beside it.</summary>
    public static RunResult Evaluate(DrawEvalSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, spec.BatchSize);
        var result = new RunResult().Add("task", run.Task).Add("model", "draw-read").Add("glimpses", run.Net.Glimpses)
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>Draws each read's grid over test images into a PNG; the result names the file and how many were classified right.</summary>
    public static RunResult Show(DrawShowSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        if (spec.First + spec.Count > data.Test.Count)
            throw new ArgumentException($"First {spec.First} + Count {spec.Count} exceeds the {data.Test.Count} test images");
        string png = RunFolder.PngPath(spec.Output, path, "draw.png");
        int right = DrawReads(model, data.Test, spec.First, spec.Count, png);
        return new RunResult().Add("task", run.Task).Add("images", spec.Count).Add("correct", right).Add("png", Path.GetFullPath(png));
    }

    /// <summary>Draws the reads on test images first..first+count-1 into <paramref name="png"/>; returns how many were classified right.</summary>
    static int DrawReads(DrawReadClassifier model, ImageDataset test, int first, int count, string png)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = test.GetBatch([.. Enumerable.Range(first, count)]);
        var paths = DrawReadFigure.FromRollout(batch.Images, batch.Labels, model.Rollout(batch.Images), model.Options.Grid);
        DrawReadFigure.SavePng(png, paths);
        return paths.Count(p => p.Predicted == p.Label);
    }
}
