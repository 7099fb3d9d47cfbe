using System.Diagnostics;
using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Models.SpatialTransformers;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn stn train|eval</c>: CNN vs spatial-transformer CNN on distorted MNIST (Jaderberg et al. 2015); listed through <see cref="SegmentCommands.Verbs"/>.</summary>
public static class StnCommands
{
    /// <summary>Checkpoint kind of the CNN / ST-CNN classifiers.</summary>
    public const string Kind = "stn";

    /// <summary>Known task names.</summary>
    public static readonly string[] Tasks = ["rts", "cluttered60"];

    /// <summary>What an stn checkpoint records: the task, its data seed and the network options.</summary>
    /// <param name="Task">Task name.</param>
    /// <param name="DataSeed">Seed of the distortions.</param>
    /// <param name="Net">Network options.</param>
    public sealed record StnRun(string Task, long DataSeed, StnOptions Net);

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["stn", "train"], "train a CNN or spatial-transformer CNN on rotated/translated/scaled MNIST, then evaluate on its test set",
            [
                new("task", "NAME", "rts", "task: rts (MNIST rotated +-45 degrees, scaled 0.7-1.2, on a 42x42 canvas) or cluttered60 (RAM's translated cluttered 60x60)"),
                new("model", "NAME", "cnn", "cnn or st-cnn"),
                new("attention-only", null, null, "st-cnn: scale and translation only"),
                new("data-seed", "N", "1", "seed of the distortions"),
                .. SharedOptions.Train(epochs: 5, batchSize: 64, lr: 1e-3),
            ], null, Train),
        new(["stn", "eval"], "evaluate a CNN / ST-CNN checkpoint on its task's test set",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new("batch-size", "N", "500", "examples per batch"), .. SharedOptions.Common()],
            null, Eval),
        new(["stn", "show"], "draw test images next to what the spatial transformer made of them (PNG)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("out", "FILE", "stn.png", "PNG file to write"),
             new("count", "N", "8", "test images to draw (the first N)"),
             new("scale", "N", "3", "screen pixels per image pixel"),
             .. SharedOptions.Common().Where(o => o.Name != "out")],
            null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task", Tasks);
        int side = task == "cluttered60" ? 60 : 42;
        var net = new StnOptions(Model: a.Choice("model", StnOptions.Models), Height: side, Width: side, AttentionOnly: a.Flag("attention-only"));
        net.Validate();
        var run = new StnRun(task, a.Long("data-seed"), net);
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"stn-{task}-{net.Model}");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        trainerOptions.Validate();
        var data = LoadData(run, a, device);
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");

        manual_seed(trainerOptions.Seed);
        var model = new StnClassifier(net);
        model.to(device);
        var clock = Stopwatch.StartNew();
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<ImageBatch>(trainerOptions).Fit(new ClassifierTask(model), ModelIdentity.Of(Kind, run), data.Train, data.Valid, p));
        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model);
        model.to(device);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        var result = new RunResult().Add("task", task).Add("model", net.Model)
            .Add("test_error", new Percent(100 * test["error"]))
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    /// <summary>The task's data: RTS MNIST distorted with the run's seed, or the cluttered 60x60 canvases built with it.</summary>
    static ImageTaskData LoadData(StnRun run, ParsedArgs a, Device device) => run.Task == "cluttered60"
        ? ImageTasks.Load("cluttered60", SharedOptions.DataRoot(a), Console.Out, device, run.DataSeed)
        : RtsMnist.Load(SharedOptions.DataRoot(a), Console.Out, run.DataSeed, device: device);

    static (StnRun Run, StnClassifier Model, string Path) LoadCheckpoint(ParsedArgs a, Device device)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<StnRun>(path, k => k == Kind, "a CNN / ST-CNN");
        var model = new StnClassifier(run.Net);
        Checkpoint.Load(path, Kind, model);
        model.to(device);
        return (run, model, path);
    }

    static int Show(ParsedArgs a)
    {
        var device = SharedOptions.Device(a);
        var (run, model, path) = LoadCheckpoint(a, device);
        int count = a.Int("count", 1, 64);
        var data = LoadData(run, a, device);
        string outFile = Path.GetFullPath(a.Required("out"));
        model.eval();
        var rows = new List<IReadOnlyList<(float[], int, int)>>();
        int correct = 0;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var batch = data.Test.GetBatch(Enumerable.Range(0, Math.Min(count, data.Test.Count)).ToArray());
            var (logits, transformed, _) = model.Forward(batch.Images);
            var pred = logits.argmax(1).cpu();
            for (int i = 0; i < batch.Images.shape[0]; i++)
            {
                if (pred[i].item<long>() == batch.Labels[i].item<long>()) correct++;
                rows.Add([
                    (batch.Images[i, 0].cpu().contiguous().data<float>().ToArray(), (int)batch.Images.shape[2], (int)batch.Images.shape[3]),
                    (transformed[i, 0].cpu().contiguous().data<float>().ToArray(), (int)transformed.shape[2], (int)transformed.shape[3]),
                ]);
            }
        }
        AttentionSharp.Visualization.ImageGrid.Save(outFile, rows, ["input", run.Net.Model == "st-cnn" ? "transformed" : "input (no transformer)"], a.Int("scale", 1, 16));
        Console.WriteLine(new RunResult().Add("model", run.Net.Model).Add("examples", rows.Count).Add("correct", correct).Add("png", outFile).Add("checkpoint", path).ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<StnRun>(path, k => k == Kind, "a CNN / ST-CNN");
        var device = SharedOptions.Device(a);
        var model = new StnClassifier(run.Net);
        Checkpoint.Load(path, Kind, model);
        model.to(device);
        var data = LoadData(run, a, device);
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, a.Int("batch-size", 1));
        var result = new RunResult().Add("task", run.Task).Add("model", run.Net.Model)
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return SharedOptions.ReportEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }
}
