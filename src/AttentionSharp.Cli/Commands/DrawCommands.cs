using System.Diagnostics;
using AttentionSharp.Data;
using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn draw train|eval|show</c>: a recurrent classifier reading through DRAW's Gaussian attention.</summary>
public static class DrawCommands
{
    /// <summary>Checkpoint kind of the DRAW-read classifier.</summary>
    public const string Kind = "draw-read";

    /// <summary>What a checkpoint records: the resolved image task and the model options.</summary>
    /// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
    /// <param name="Net">Model options.</param>
    /// <param name="FreshCanvases">Trained on canvases drawn anew every epoch (<c>--fresh-canvases</c>).</param>
    public sealed record DrawRun(string Task, DrawClassifierOptions Net, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

    static readonly string[] Tasks = SharedOptions.GlimpseTasks;
    static readonly OptionSpec CheckpointOption = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["draw", "train"], "train a recurrent classifier that reads the image through DRAW Gaussian attention (Gregor et al. 2015), then test it",
            [
                new("task", "NAME", "cluttered60", "image task: " + string.Join(", ", Tasks)),
                new("dataset", "NAME", "mnist", "source of the 28x28 images: mnist or fashion-mnist"),
                new("glimpses", "N", "8", "reads per image"),
                new("grid", "N", null, "side N of the N x N read grid (default: 12, or 8 on 28x28)"),
                new("hidden", "N", "256", "LSTM core units"),
                new("glimpse-hidden", "N", "256", "units of the layer between a read and the core"),
                SharedOptions.FreshCanvases,
                .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3, threads: "1"),
            ], null, Train),
        new(["draw", "eval"], "evaluate a DRAW-read classifier checkpoint on its task's test set",
            [CheckpointOption, new("batch-size", "N", "500", "examples per batch"), .. SharedOptions.Common(threads: "1")], null, Eval),
        new(["draw", "show"], "draw each read's Gaussian grid over test images, step by step, with the glimpses, into a PNG",
            [CheckpointOption, new("count", "N", "8", "test images to draw"), new("first", "N", "0", "index of the first test image"),
             .. SharedOptions.Common(threads: "1")], null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        string dataset = a.Choice("dataset", "mnist", "fashion-mnist");
        string task = ImageTasks.Resolve(a.Choice("task", Tasks), dataset);
        int glimpses = a.Int("glimpses", 1, 100), hidden = a.Int("hidden", 1, 100_000), glimpseHidden = a.Int("glimpse-hidden", 1, 100_000);
        int? grid = a.String("grid") != null ? a.Int("grid", 2, 1000) : null;
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"draw-{task.Replace(':', '-')}-{glimpses}g");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        trainerOptions.Validate();

        var data = ImageTasks.Load(task, SharedOptions.DataRoot(a), Console.Out, device, trainerOptions.Seed);
        var net = DrawClassifierOptions.ForImage(data.Train.Height, data.Train.Width, glimpses, data.Train.Classes) with { Hidden = hidden, GlimpseHidden = glimpseHidden };
        if (grid != null) net = net with { Grid = grid.Value };
        net.Validate();
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");
        Console.WriteLine($"DRAW-read classifier on {task}: {net.Height}x{net.Width}, {net.Glimpses} reads of {net.Grid}x{net.Grid}, LSTM {net.Hidden}");

        manual_seed(trainerOptions.Seed);
        var model = new DrawReadClassifier(net);
        model.to(device);
        var clock = Stopwatch.StartNew();
        bool fresh = a.Flag("fresh-canvases");
        var train = data.TrainingSource(fresh);
        var identity = ModelIdentity.Of(Kind, new DrawRun(task, net, fresh));
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<ImageBatch>(trainerOptions).Fit(new ClassifierTask(model), identity, train, data.Valid, p));

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model);
        model.to(device);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        string png = Path.Combine(outDir, "draw.png");
        DrawReads(model, data.Test, 0, Math.Min(8, data.Test.Count), png);
        var result = new RunResult()
            .Add("task", task).Add("model", "draw-read").Add("glimpses", net.Glimpses).Add("grid", net.Grid).Add("fresh_canvases", fresh ? "true" : "false")
            .Add("test_error", new Percent(100 * test["error"]))
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile)).Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static (string Path, DrawRun Run, DrawReadClassifier Model) LoadModel(ParsedArgs a)
    {
        (string path, _, var run) = SharedOptions.ReadRun<DrawRun>(a.Required("checkpoint"), k => k == Kind, "a DRAW-read classifier");
        var model = new DrawReadClassifier(run.Net);
        Checkpoint.Load(path, Kind, model);
        model.to(SharedOptions.Device(a));
        return (path, run, model);
    }

    static int Eval(ParsedArgs a)
    {
        var (path, run, model) = LoadModel(a);
        var data = ImageTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, SharedOptions.Device(a), a.Long("seed"));
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, a.Int("batch-size", 1));
        var result = new RunResult().Add("task", run.Task).Add("model", "draw-read").Add("glimpses", run.Net.Glimpses)
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return SharedOptions.ReportEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
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

    static int Show(ParsedArgs a)
    {
        var (path, run, model) = LoadModel(a);
        int count = a.Int("count", 1, 64), first = a.Int("first", 0);
        var data = ImageTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, SharedOptions.Device(a), a.Long("seed"));
        if (first + count > data.Test.Count) throw new ArgumentException($"--first {first} + --count {count} exceeds the {data.Test.Count} test images");
        string png = SharedOptions.PngOut(a, path, "draw.png");
        int right = DrawReads(model, data.Test, first, count, png);
        Console.WriteLine(new RunResult().Add("task", run.Task).Add("images", count).Add("correct", right).Add("png", Path.GetFullPath(png)).ToLine());
        return 0;
    }
}
