using System.Diagnostics;
using System.Text.Json.Serialization;
using AttentionSharp.Data;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.RecurrentAttention;

/// <summary>What a RAM checkpoint records: the task (resolved, e.g. <c>fashion-mnist:translated</c>) and the model options.</summary>
/// <param name="Task">Image task name (see <see cref="ImageTasks"/>).</param>
/// <param name="Net">Model options.</param>
/// <param name="FreshCanvases">Trained on canvases drawn anew every epoch.</param>
public sealed record RamRun(string Task, RamOptions Net, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool FreshCanvases = false);

/// <summary>
/// What to train: an image task and the model choices that differ from <see cref="RamOptions.Recommended"/> for its canvas
/// (a null choice takes the recommended value; see docs/ram.md for each).
/// </summary>
/// <param name="Task">Image task: mnist, translated, cluttered60 or cluttered100 (or a resolved name such as <c>fashion-mnist:translated</c>).</param>
/// <param name="Dataset">Source of the 28x28 images: mnist or fashion-mnist.</param>
/// <param name="Glimpses">Glimpses per image.</param>
/// <param name="Patch">Glimpse patch side (null: the paper's for the canvas).</param>
/// <param name="Scales">Glimpse scales (null: the paper's for the canvas).</param>
/// <param name="Core">rnn or lstm (null: recommended).</param>
/// <param name="LocationStd">Standard deviation of the Gaussian location policy.</param>
/// <param name="LocationStdFinal">When above 0, the std falls linearly to this over the epochs.</param>
/// <param name="LocationStdEpochs">With <paramref name="LocationStdFinal"/>: the epoch by which the std reaches it (0 = the last).</param>
/// <param name="ReinforceWeight">Weight of the REINFORCE term in the hybrid loss (null: recommended, which depends on whether the
/// policy gradient reaches the core: 1 when it does, else 0.01).</param>
/// <param name="LocationHidden">Units of a ReLU hidden layer in the location network (0: linear; null: recommended).</param>
/// <param name="PolicyGradientToCore">Whether the policy gradient reaches the core (null: recommended).</param>
/// <param name="FirstLocation">uniform, centre or learned (null: recommended).</param>
/// <param name="TestPolicy">sample or mean (null: recommended).</param>
/// <param name="Reward">correct or probability (null: recommended).</param>
/// <param name="Samples">Monte-Carlo glimpse paths averaged in the final test (M = 1 is always reported).</param>
/// <param name="FreshCanvases">Generated tasks: new training canvases every epoch from the same training digits.</param>
/// <param name="TrainPaths">Glimpse paths per training image with a leave-one-out advantage (<see cref="RamOptions.TrainPaths"/>; 1 = the learned baseline).</param>
public sealed record RamTrainSpec(
    string Task = "mnist", string Dataset = "mnist", int Glimpses = 6, int? Patch = null, int? Scales = null, RamCore? Core = null,
    double LocationStd = 0.1, double LocationStdFinal = 0, double? ReinforceWeight = null, int? LocationHidden = null,
    bool? PolicyGradientToCore = null, RamFirstLocation? FirstLocation = null, RamTestPolicy? TestPolicy = null, RamReward? Reward = null,
    int Samples = 10, bool FreshCanvases = false, int TrainPaths = 1, int LocationStdEpochs = 0)
{
    /// <summary>The model options for a canvas of <paramref name="height"/> x <paramref name="width"/> with <paramref name="classes"/> classes.</summary>
    public RamOptions Resolve(int height, int width, int classes)
    {
        var net = RamOptions.Recommended(height, width, Glimpses, classes) with
        {
            LocationStd = LocationStd, LocationStdFinal = LocationStdFinal, LocationStdEpochs = LocationStdEpochs, TrainPaths = TrainPaths,
        };
        if (Core is { } core) net = net with { Core = core };
        if (Reward is { } reward) net = net with { Reward = reward };
        if (Patch != null) net = net with { Patch = Patch.Value };
        if (Scales != null) net = net with { Scales = Scales.Value };
        if (LocationHidden != null) net = net with { LocationHidden = LocationHidden.Value };
        if (PolicyGradientToCore != null) net = net with { PolicyGradientToCore = PolicyGradientToCore.Value };
        net = net with { ReinforceWeight = ReinforceWeight ?? RamOptions.RecommendedReinforceWeight(net.PolicyGradientToCore, height, width) };
        if (FirstLocation is { } first) net = net with { FirstLocation = first };
        if (TestPolicy is { } policy) net = net with { TestPolicy = policy };
        net.Validate();
        return net;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (Glimpses < 1) throw new ArgumentException($"Glimpses must be >= 1; got {Glimpses}");
        if (Samples < 1) throw new ArgumentException($"Samples must be >= 1; got {Samples}");
        RamOptions.CheckStdSchedule(LocationStdFinal, LocationStdEpochs);
        if (Dataset is not ("mnist" or "fashion-mnist")) throw new ArgumentException($"Dataset must be mnist or fashion-mnist; got '{Dataset}'");
    }
}

/// <summary>What to evaluate: a checkpoint and the test-time choices that change no weights.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Samples">Glimpse paths averaged per image.</param>
/// <param name="TestPolicy">sample or mean (null: the checkpoint's).</param>
/// <param name="FirstLocation">uniform, centre or learned (null: the checkpoint's).</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Seed">Random seed of the sampled paths.</param>
public sealed record RamEvalSpec(string Checkpoint, int Samples = 1, RamTestPolicy? TestPolicy = null, RamFirstLocation? FirstLocation = null, int BatchSize = 500, long Seed = 1);

/// <summary>What to probe: does a checkpoint's core state hold the object's position (<see cref="LocationProbe"/>)?</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="TestPolicy">sample or mean (null: the checkpoint's); the path the states are read along.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Seed">Random seed of the sampled paths and first locations.</param>
public sealed record RamProbeSpec(string Checkpoint, RamTestPolicy? TestPolicy = null, int BatchSize = 500, long Seed = 1);

/// <summary>What to draw: the glimpse paths of test images <paramref name="First"/> .. <paramref name="First"/>+<paramref name="Count"/>-1.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Count">Test images to draw.</param>
/// <param name="First">Index of the first test image.</param>
/// <param name="Output">PNG file, or folder for <c>glimpses.png</c> (null: beside the checkpoint).</param>
/// <param name="Seed">Random seed of the sampled paths.</param>
public sealed record RamShowSpec(string Checkpoint, int Count = 8, int First = 0, string? Output = null, long Seed = 1);

/// <summary>
/// The Recurrent Attention Model as an experiment: <see cref="Train"/> (spec and trainer options to a tested run folder
/// with its checkpoints, <c>result.json</c> and <c>glimpses.png</c>), <see cref="Evaluate"/> (a checkpoint on its task's
/// test set), <see cref="Probe"/> (does the core state know where the object is?) and <see cref="Show"/> (glimpse paths drawn
/// into a PNG). <c>attn ram train|eval|probe|show</c> call these.
/// </summary>
public static class RamExperiment
{
    /// <summary>Checkpoint kind of RAM.</summary>
    public const string Kind = "ram";

    /// <summary>Trains RAM on the spec's task in <see cref="TrainerOptions.OutDir"/>, tests the best checkpoint and draws its glimpses.</summary>
    public static RunResult Train(RamTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        string task = ImageTasks.Resolve(spec.Task, spec.Dataset);
        var log = context.Log;
        var data = ImageTasks.Load(task, context.DataRoot, log, context.Device, trainer.Seed);
        var net = spec.Resolve(data.Train.Height, data.Train.Width, data.Train.Classes);
        log.WriteLine($"run folder: {outDir}");
        log.WriteLine($"RAM on {task}: {net.Height}x{net.Width}, {net.Glimpses} glimpses of {net.Patch}x{net.Patch} x{net.Scales} scales, core {Variant.Name(net.Core)}, location network {(net.LocationHidden > 0 ? $"{net.LocationHidden} ReLU units" : "linear")}, policy gradient {(net.PolicyGradientToCore ? "to the core" : "detached")}, first location {Variant.Name(net.FirstLocation)}, test policy {Variant.Name(net.TestPolicy)}, std {net.LocationStd}{net.StdScheduleText}, REINFORCE weight {net.ReinforceWeight}, reward {Variant.Name(net.Reward)}{(net.TrainPaths > 1 ? $", {net.TrainPaths} paths per training image (leave-one-out advantage)" : "")}");

        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, new RamRun(task, net, spec.FreshCanvases)),
            () => new RecurrentAttentionModel(net), m => new RamTask(m) { Epochs = trainer.Epochs }, data.TrainingSource(spec.FreshCanvases), data.Valid);
        model.PolicyStd = net.FinalStd; // tested as Evaluate tests it
        manual_seed(trainer.Seed);
        var ramTask = new RamTask(model);
        var test1 = Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500);
        var result = new RunResult()
            .Add("task", task).Add("model", "ram").Add("glimpses", net.Glimpses).Add("fresh_canvases", spec.FreshCanvases ? "true" : "false")
            .Add("test_policy", Variant.Name(net.TestPolicy)).Add("test_error", new Percent(100 * test1["error"]));
        ramTask.EvalPolicy = RamTestPolicy.Sample;
        if (net.TestPolicy != RamTestPolicy.Sample)
        {
            manual_seed(trainer.Seed);
            result.Add("test_error_sampled", new Percent(100 * Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500)["error"]));
        }
        if (spec.Samples > 1)
        {
            ramTask.EvalSamples = spec.Samples;
            result.Add($"test_error_m{spec.Samples}", new Percent(100 * Trainer<ImageBatch>.Evaluate(ramTask, data.Test, 500)["error"]));
        }
        manual_seed(trainer.Seed);
        AddDiagnostics(result, model, data.Test);
        result.AddTraining(summary, clock.Elapsed.TotalSeconds, trainer);
        string png = Path.Combine(outDir, "glimpses.png");
        DrawGlimpses(model, data.Test, 0, Math.Min(8, data.Test.Count), png, trainer.Seed);
        result.Add("png", png);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>
    /// Loads a RAM checkpoint onto <paramref name="device"/>; test-time choices that change no weights may be overridden
    /// (cheap discriminating evaluations of one checkpoint).
    /// </summary>
    public static (string Path, RamRun Run, RecurrentAttentionModel Model) Load(string checkpoint, Device device, RamTestPolicy? testPolicy = null, RamFirstLocation? firstLocation = null)
    {
        var (path, _, run) = RunFolder.ReadRun<RamRun>(checkpoint, k => k == Kind, "RAM");
        if (testPolicy is { } policy) run = run with { Net = run.Net with { TestPolicy = policy } };
        if (firstLocation is { } first) run = run with { Net = run.Net with { FirstLocation = first } };
        run.Net.Validate();
        var model = Checkpoint.BuildFor(path, () => new RecurrentAttentionModel(run.Net));
        Checkpoint.Load(path, Kind, model);
        model.to(device);
        return (path, run, model);
    }

    /// <summary>Evaluates a checkpoint on its task's test set with M sampled (or mean) glimpse paths; writes <c>eval-result.json</c>.</summary>
    public static RunResult Evaluate(RamEvalSpec spec, ExperimentContext context)
    {
        if (spec.Samples < 1) throw new ArgumentException($"Samples must be >= 1; got {spec.Samples}");
        Check.AtLeast(spec.BatchSize, 1);
        var (path, run, model) = Load(spec.Checkpoint, context.Device, spec.TestPolicy, spec.FirstLocation);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        manual_seed(spec.Seed);
        var clock = Stopwatch.StartNew();
        var test = Trainer<ImageBatch>.Evaluate(new RamTask(model) { EvalSamples = spec.Samples }, data.Test, spec.BatchSize);
        var result = new RunResult().Add("task", run.Task).Add("model", "ram").Add("glimpses", run.Net.Glimpses).Add("samples", spec.Samples)
            .Add("test_policy", Variant.Name(run.Net.TestPolicy)).Add("first_location", Variant.Name(run.Net.FirstLocation))
            .Add("test_error", new Percent(100 * test["error"])).Add("test_loss", test["loss"]);
        manual_seed(spec.Seed);
        AddDiagnostics(result, model, data.Test);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>
    /// Fits a linear probe from the core state to the object's position on the validation canvases and measures it, beside the
    /// policy, on the test canvases (<see cref="LocationProbe"/>); prints the table to the log and writes <c>probe-result.json</c>
    /// beside the checkpoint.
    /// </summary>
    public static RunResult Probe(RamProbeSpec spec, ExperimentContext context)
    {
        Check.AtLeast(spec.BatchSize, 1);
        var (path, run, model) = Load(spec.Checkpoint, context.Device, spec.TestPolicy);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        manual_seed(spec.Seed);
        var clock = Stopwatch.StartNew();
        var probe = LocationProbe.Measure(model, data.Valid, data.Test, run.Net.TestPolicy == RamTestPolicy.Mean, spec.BatchSize);
        var log = context.Log;
        log.WriteLine($"probe fitted on {probe.FitImages} validation canvases, measured on {probe.TestImages} test canvases; " +
                      $"canvas centre as the guess: {probe.CentreGuessDistance:0.0} px, fovea {100 * probe.CentreGuessFovea:0.0}%; " +
                      $"test error along the policy's path {100 * probe.PolicyError:0.00}%, with every glimpse on the digit {100 * probe.OracleError:0.00}%");
        log.WriteLine("state  ridge   probe px  probe fovea  policy px  policy fovea");
        var result = new RunResult().Add("task", run.Task).Add("model", "ram").Add("glimpses", run.Net.Glimpses)
            .Add("test_policy", Variant.Name(run.Net.TestPolicy)).Add("centre_dist_px", Math.Round(probe.CentreGuessDistance, 2))
            .Add("centre_fovea", new Percent(100 * probe.CentreGuessFovea))
            .Add("test_error", new Percent(100 * probe.PolicyError)).Add("test_error_on_object", new Percent(100 * probe.OracleError));
        foreach (var st in probe.Steps)
        {
            log.WriteLine($"h_{st.Step,-4} {st.Ridge,6:0.####} {st.ProbeDistance,9:0.00} {100 * st.ProbeFovea,11:0.0}% " +
                          (double.IsNaN(st.PolicyDistance) ? "        -             -" : $"{st.PolicyDistance,10:0.00} {100 * st.PolicyFovea,12:0.0}%"));
            result.Add($"probe_dist_px_h{st.Step}", Math.Round(st.ProbeDistance, 2)).Add($"probe_fovea_h{st.Step}", new Percent(100 * st.ProbeFovea));
            if (!double.IsNaN(st.PolicyDistance))
                result.Add($"policy_dist_px_h{st.Step}", Math.Round(st.PolicyDistance, 2)).Add($"policy_fovea_h{st.Step}", new Percent(100 * st.PolicyFovea));
        }
        result.Add("fit_images", probe.FitImages).Add("examples", probe.TestImages).Add("seconds", Math.Round(clock.Elapsed.TotalSeconds, 1)).Add("checkpoint", path);
        result.Save(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "probe-result.json"));
        return result;
    }

    /// <summary>Draws the glimpse paths of test images into a PNG; the result names the file and how many were classified right.</summary>
    public static RunResult Show(RamShowSpec spec, ExperimentContext context)
    {
        Check.InRange(spec.Count, 1, 64);
        if (spec.First < 0) throw new ArgumentException($"First must be >= 0; got {spec.First}");
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = ImageTasks.Load(run.Task, context.DataRoot, context.Log, context.Device, spec.Seed);
        if (spec.First + spec.Count > data.Test.Count)
            throw new ArgumentException($"First {spec.First} + Count {spec.Count} exceeds the {data.Test.Count} test images");
        string png = RunFolder.PngPath(spec.Output, path, "glimpses.png");
        int right = DrawGlimpses(model, data.Test, spec.First, spec.Count, png, spec.Seed);
        return new RunResult().Add("task", run.Task).Add("images", spec.Count).Add("correct", right).Add("png", Path.GetFullPath(png));
    }

    /// <summary>
    /// Adds where-it-looked figures along one path per test image with the model's test policy (when the task's canvases carry
    /// their digit boxes): fovea hit rate, mean last/closest glimpse distance to the digit, error by digit offset from the centre.
    /// </summary>
    static void AddDiagnostics(RunResult result, RecurrentAttentionModel model, ImageDataset test)
    {
        if (test.Boxes is null) return;
        var d = GlimpseDiagnostics.Measure(model, test, 500, model.Options.TestPolicy == RamTestPolicy.Mean);
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
        var r = model.Rollout(batch.Images, keepPatches: true, meanPolicy: model.Options.TestPolicy == RamTestPolicy.Mean);
        var boxes = test.Boxes?.Skip(first).Take(count).ToArray();
        var paths = GlimpsePathFigure.FromRollout(batch.Images, batch.Labels, r, model.Glimpse.Sensor, boxes);
        GlimpsePathFigure.SavePng(png, paths, model.Glimpse.Sensor);
        return paths.Count(p => p.Predicted == p.Label);
    }
}
