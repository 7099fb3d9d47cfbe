using System.Diagnostics;
using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn baseline train|eval</c>: the fully connected and convolutional baselines of Mnih et al. 2014.</summary>
public static class BaselineCommands
{
    /// <summary>Checkpoint kind of the baselines.</summary>
    public const string Kind = "baseline";

    /// <summary>What a baseline checkpoint records: the task and the network options.</summary>
    /// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
    /// <param name="Net">Network options.</param>
    /// <param name="FreshCanvases">Trained on canvases drawn anew every epoch (<c>--fresh-canvases</c>).</param>
    public sealed record BaselineRun(string Task, BaselineOptions Net, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

    static readonly OptionSpec[] ModelOptions =
    [
        new("task", "NAME", "mnist", "image task: " + string.Join(", ", ImageTasks.Names)),
        new("model", "NAME", "fc", "fc (2 x 256 ReLU) or conv (8 10x10 filters stride 5 + 256 ReLU)"),
        new("hidden", "N", "256", "units of each fully connected hidden layer"),
        new("dropout", "X", "0", "dropout before the output layer"),
        SharedOptions.FreshCanvases,
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["baseline", "train"], "train the RAM paper's fc or conv baseline on an image task, then evaluate on its test set",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3)], null, Train),
        new(["baseline", "eval"], "evaluate a baseline checkpoint on its task's test set",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new("batch-size", "N", "500", "examples per batch"), .. SharedOptions.Common()],
            null, Eval),
    ];

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task", ImageTasks.Names);
        var net = new BaselineOptions(Model: a.Choice("model", BaselineOptions.Models), Hidden: a.Int("hidden", 1), Dropout: a.Double("dropout", 0, 0.99));
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"baseline-{task}-{net.Model}");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        trainerOptions.Validate();

        var data = ImageTasks.Load(task, SharedOptions.DataRoot(a), Console.Out, device, trainerOptions.Seed);
        net = net with { Height = data.Train.Height, Width = data.Train.Width, Classes = data.Train.Classes };
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");

        manual_seed(trainerOptions.Seed);
        var model = new BaselineClassifier(net);
        model.to(device);
        var clock = Stopwatch.StartNew();
        bool fresh = a.Flag("fresh-canvases");
        var train = data.TrainingSource(fresh);
        var identity = ModelIdentity.Of(Kind, new BaselineRun(task, net, fresh));
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<ImageBatch>(trainerOptions).Fit(new ClassifierTask(model), identity, train, data.Valid, p));

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model);
        model.to(device);
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, 500);
        var result = new RunResult()
            .Add("task", task).Add("model", net.Model).Add("fresh_canvases", fresh ? "true" : "false")
            .Add("test_error", new Percent(100 * test["error"]))
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<BaselineRun>(path, k => k == Kind, "a baseline");
        var device = SharedOptions.Device(a);
        var model = new BaselineClassifier(run.Net);
        Checkpoint.Load(path, Kind, model);
        model.to(device);
        var data = ImageTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, device, a.Long("seed"));
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new ClassifierTask(model), data.Test, a.Int("batch-size", 1));
        var result = new RunResult().Add("task", run.Task).Add("model", run.Net.Model)
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        return SharedOptions.ReportEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }
}
