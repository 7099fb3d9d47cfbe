using System.Diagnostics;
using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn ram train|eval|show</c>: the Recurrent Attention Model of Mnih et al. 2014.</summary>
public static class RamCommands
{
    /// <summary>Checkpoint kind of RAM.</summary>
    public const string Kind = "ram";

    /// <summary>What a RAM checkpoint records: the task (resolved, e.g. <c>fashion-mnist:translated</c>) and the model options.</summary>
    /// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
    /// <param name="Net">Model options.</param>
    /// <param name="FreshCanvases">Trained on canvases drawn anew every epoch (<c>--fresh-canvases</c>).</param>
    public sealed record RamRun(string Task, RamOptions Net, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

    static readonly string[] Tasks = SharedOptions.GlimpseTasks;

    static readonly OptionSpec[] ModelOptions =
    [
        new("task", "NAME", "mnist", "image task: " + string.Join(", ", Tasks)),
        new("dataset", "NAME", "mnist", "source of the 28x28 images: mnist or fashion-mnist"),
        new("glimpses", "N", "6", "glimpses per image"),
        new("patch", "N", null, "glimpse patch side (default: the paper's, 8 on 28x28, else 12)"),
        new("scales", "N", null, "glimpse scales (default: the paper's, 1 on 28x28, 3 on 60x60, 4 on 100x100)"),
        new("core", "NAME", null, "core network: rnn (ReLU RNN, the paper's) or lstm (default: RamOptions.Recommended, lstm)"),
        new("std", "X", "0.1", "standard deviation of the Gaussian location policy"),
        new("std-final", "X", "0", "when > 0, the policy std falls linearly from --std in the first epoch to X in the last (0 = fixed std)"),
        new("reinforce-weight", "X", "0.01", "weight of the REINFORCE term in the hybrid loss"),
        new("location-hidden", "N", null, "units of a ReLU hidden layer in the location network (0 = the paper's linear policy; default: RamOptions.Recommended)"),
        new("policy-gradient", "WHERE", null, "detached (REINFORCE trains only the location network) or core (its gradient also reaches the core and glimpse networks, the paper's); default: RamOptions.Recommended"),
        new("first-location", "RULE", null, "first glimpse: uniform, centre or learned (default: RamOptions.Recommended)"),
        new("test-policy", "RULE", null, "validation/test policy: sample or mean (one deterministic path; default: RamOptions.Recommended)"),
        new("reward", "NAME", null, "REINFORCE reward: correct (1 when right, the paper's) or probability (of the true class; default: RamOptions.Recommended)"),
        new("samples", "M", "10", "Monte-Carlo glimpse paths averaged in the final test (M = 1 is also reported)"),
        SharedOptions.FreshCanvases,
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["ram", "train"], "train the Recurrent Attention Model (Mnih et al. 2014) on an image task, then test it",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3)], null, Train),
        new(["ram", "eval"], "evaluate a RAM checkpoint on its task's test set with M sampled glimpse paths",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new("samples", "M", "1", "glimpse paths averaged per image"),
             new("test-policy", "RULE", null, "sample or mean (default: the checkpoint's)"),
             new("first-location", "RULE", null, "uniform, centre or learned (default: the checkpoint's)"),
             new("batch-size", "N", "500", "examples per batch"), .. SharedOptions.Common()], null, Eval),
        new(["ram", "show"], "draw the glimpse paths of a RAM checkpoint on test images into a PNG",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new("count", "N", "8", "test images to draw"),
             new("first", "N", "0", "index of the first test image"),
             .. SharedOptions.Common()], null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        string dataset = a.Choice("dataset", "mnist", "fashion-mnist");
        string task = ImageTasks.Resolve(a.Choice("task", Tasks), dataset);
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"ram-{task.Replace(':', '-')}-{a.Required("glimpses")}g");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        trainerOptions.Validate();
        int samples = a.Int("samples", 1, 1000), glimpses = a.Int("glimpses", 1, 100);
        string? core = a.String("core") != null ? a.Choice("core", RamOptions.Cores) : null;
        double std = a.Double("std", 1e-6, 2), stdFinal = a.Double("std-final", 0, 2), weight = a.Double("reinforce-weight", 0);
        int? patch = a.String("patch") != null ? a.Int("patch", 1, 1000) : null;
        int? scales = a.String("scales") != null ? a.Int("scales", 1, 8) : null;
        int? locationHidden = a.String("location-hidden") != null ? a.Int("location-hidden", 0, 4096) : null;
        string? policyGradient = a.String("policy-gradient") != null ? a.Choice("policy-gradient", "detached", "core") : null;
        string? first = a.String("first-location") != null ? a.Choice("first-location", RamOptions.FirstLocations) : null;
        string? testPolicy = a.String("test-policy") != null ? a.Choice("test-policy", RamOptions.TestPolicies) : null;
        string? reward = a.String("reward") != null ? a.Choice("reward", RamOptions.Rewards) : null;

        var data = ImageTasks.Load(task, SharedOptions.DataRoot(a), Console.Out, device, trainerOptions.Seed);
        var net = RamOptions.Recommended(data.Train.Height, data.Train.Width, glimpses, data.Train.Classes) with
        {
            LocationStd = std, LocationStdFinal = stdFinal, ReinforceWeight = weight,
        };
        if (core != null) net = net with { Core = core };
        if (reward != null) net = net with { Reward = reward };
        if (patch != null) net = net with { Patch = patch.Value };
        if (scales != null) net = net with { Scales = scales.Value };
        if (locationHidden != null) net = net with { LocationHidden = locationHidden.Value };
        if (policyGradient != null) net = net with { PolicyGradientToCore = policyGradient == "core" };
        if (first != null) net = net with { FirstLocation = first };
        if (testPolicy != null) net = net with { TestPolicy = testPolicy };
        net.Validate();
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");
        Console.WriteLine($"RAM on {task}: {net.Height}x{net.Width}, {net.Glimpses} glimpses of {net.Patch}x{net.Patch} x{net.Scales} scales, core {net.Core}, location network {(net.LocationHidden > 0 ? $"{net.LocationHidden} ReLU units" : "linear")}, policy gradient {(net.PolicyGradientToCore ? "to the core" : "detached")}, first location {net.FirstLocation}, test policy {net.TestPolicy}, std {net.LocationStd}{(net.LocationStdFinal > 0 ? $" -> {net.LocationStdFinal} (linear over the epochs)" : "")}, REINFORCE weight {net.ReinforceWeight}, reward {net.Reward}");

        manual_seed(trainerOptions.Seed);
        var model = new RecurrentAttentionModel(net);
        model.to(device);
        var clock = Stopwatch.StartNew();
        bool fresh = a.Flag("fresh-canvases");
        var train = data.TrainingSource(fresh);
        var identity = ModelIdentity.Of(Kind, new RamRun(task, net, fresh));
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<ImageBatch>(trainerOptions).Fit(new RamTask(model) { Epochs = trainerOptions.Epochs }, identity, train, data.Valid, p));

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model);
        model.to(device);
        model.PolicyStd = net.FinalStd; // tested as `ram eval` tests it
        manual_seed(trainerOptions.Seed);
        var ramTask = new RamTask(model);
        var test1 = Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500);
        var result = new RunResult()
            .Add("task", task).Add("model", "ram").Add("glimpses", net.Glimpses).Add("fresh_canvases", fresh ? "true" : "false")
            .Add("test_policy", net.TestPolicy).Add("test_error", new Percent(100 * test1["error"]));
        ramTask.EvalPolicy = "sample";
        if (net.TestPolicy != "sample")
        {
            manual_seed(trainerOptions.Seed);
            result.Add("test_error_sampled", new Percent(100 * Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500)["error"]));
        }
        if (samples > 1)
        {
            ramTask.EvalSamples = samples;
            result.Add($"test_error_m{samples}", new Percent(100 * Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500)["error"]));
        }
        manual_seed(trainerOptions.Seed);
        AddDiagnostics(result, model, data.Test);
        result
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        string png = Path.Combine(outDir, "glimpses.png");
        DrawGlimpses(model, data.Test, 0, Math.Min(8, data.Test.Count), png, trainerOptions.Seed);
        result.Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static (string Path, RamRun Run, RecurrentAttentionModel Model) LoadModel(ParsedArgs a)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<RamRun>(path, k => k == Kind, "RAM");
        // Test-time choices that change no weights may be overridden (cheap discriminating evaluations of one checkpoint).
        if (a.Has("test-policy") && a.String("test-policy") != null) run = run with { Net = run.Net with { TestPolicy = a.Choice("test-policy", RamOptions.TestPolicies) } };
        if (a.Has("first-location") && a.String("first-location") != null) run = run with { Net = run.Net with { FirstLocation = a.Choice("first-location", RamOptions.FirstLocations) } };
        var model = new RecurrentAttentionModel(run.Net);
        Checkpoint.Load(path, Kind, model);
        model.to(SharedOptions.Device(a));
        return (path, run, model);
    }

    static int Eval(ParsedArgs a)
    {
        var (path, run, model) = LoadModel(a);
        int samples = a.Int("samples", 1, 1000);
        var data = ImageTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, SharedOptions.Device(a), a.Long("seed"));
        manual_seed(a.Long("seed"));
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new RamTask(model) { EvalSamples = samples }, data.Test, a.Int("batch-size", 1));
        var result = new RunResult().Add("task", run.Task).Add("model", "ram").Add("glimpses", run.Net.Glimpses).Add("samples", samples)
            .Add("test_policy", run.Net.TestPolicy).Add("first_location", run.Net.FirstLocation)
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        manual_seed(a.Long("seed"));
        AddDiagnostics(result, model, data.Test);
        return SharedOptions.ReportEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>
    /// Adds where-it-looked figures along one path per test image with the model's test policy (when the task's canvases carry
    /// their digit boxes): fovea hit rate, mean last/closest glimpse distance to the digit, error by digit offset from the centre.
    /// </summary>
    static void AddDiagnostics(RunResult result, RecurrentAttentionModel model, ImageDataset test)
    {
        if (test.Boxes is null) return;
        var d = GlimpseDiagnostics.Measure(model, test, 500, model.Options.TestPolicy == "mean");
        result.Add("fovea_hit", new Percent(100 * d.FoveaHitRate)).Add("last_dist_px", Math.Round(d.MeanLastDistance, 2))
            .Add("min_dist_px", Math.Round(d.MeanMinDistance, 2));
        foreach (var bin in d.ErrorByOffset)
            result.Add($"error_offset_{bin.FromPixels:0}_{bin.ToPixels:0}", double.IsNaN(bin.Error) ? "-" : new Percent(100 * bin.Error));
    }

    /// <summary>Draws the glimpse paths of test images first..first+count-1 into <paramref name="png"/>; returns how many were classified right.</summary>
    static int DrawGlimpses(RecurrentAttentionModel model, ImageDataset test, int first, int count, string png, long seed)
    {
        manual_seed(seed);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = test.GetBatch([.. Enumerable.Range(first, count)]);
        var r = model.Rollout(batch.Images, keepPatches: true, meanPolicy: model.Options.TestPolicy == "mean");
        var boxes = test.Boxes?.Skip(first).Take(count).ToArray();
        var paths = GlimpsePathFigure.FromRollout(batch.Images, batch.Labels, r, model.Glimpse.Sensor, boxes);
        GlimpsePathFigure.SavePng(png, paths, model.Glimpse.Sensor);
        return paths.Count(p => p.Predicted == p.Label);
    }

    static int Show(ParsedArgs a)
    {
        var (path, run, model) = LoadModel(a);
        int count = a.Int("count", 1, 64), first = a.Int("first", 0);
        var data = ImageTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, SharedOptions.Device(a), a.Long("seed"));
        if (first + count > data.Test.Count) throw new ArgumentException($"--first {first} + --count {count} exceeds the {data.Test.Count} test images");
        string png = SharedOptions.PngOut(a, path, "glimpses.png");
        int right = DrawGlimpses(model, data.Test, first, count, png, a.Long("seed"));
        var result = new RunResult().Add("task", run.Task).Add("images", count).Add("correct", right).Add("png", Path.GetFullPath(png));
        Console.WriteLine(result.ToLine());
        return 0;
    }
}
