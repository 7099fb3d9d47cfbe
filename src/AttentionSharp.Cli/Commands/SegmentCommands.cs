using System.Diagnostics;
using System.Text.Json;
using AttentionSharp.Data;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn segment train|eval|show</c>: U-Net and Attention U-Net segmentation (Oktay et al. 2018).</summary>
public static class SegmentCommands
{
    /// <summary>Checkpoint kind of the segmenters.</summary>
    public const string Kind = "segment";

    /// <summary>What a segmentation checkpoint records: the task, how its scenes are generated, and the network options.</summary>
    /// <param name="Task">Segmentation task name (see <see cref="SegmentationTasks"/>).</param>
    /// <param name="Data">Scene generator options.</param>
    /// <param name="DataSeed">Seed of the generated scenes.</param>
    /// <param name="TrainSize">Generated training scenes.</param>
    /// <param name="ValidSize">Generated validation scenes.</param>
    /// <param name="TestSize">Generated test scenes.</param>
    /// <param name="Net">Network options.</param>
    public sealed record SegmentRun(string Task, MultiDigitOptions Data, long DataSeed, int TrainSize, int ValidSize, int TestSize, SegmentationOptions Net);

    static readonly OptionSpec[] ModelOptions =
    [
        new("task", "NAME", "digits", "segmentation task: " + string.Join(", ", SegmentationTasks.Names)),
        new("model", "NAME", "unet", "unet or attention-unet"),
        new("base-filters", "N", "8", "filters of the finest level (doubled at each coarser level)"),
        new("depth", "N", "3", "down-sampling steps (image side must be a multiple of 2^depth)"),
        new("gate-finest", null, null, "attention-unet: also gate the finest skip connection"),
        new("dice-weight", "X", "1", "weight of the soft Dice term added to cross-entropy"),
        new("canvas", "N", "64", "digits task: canvas side in pixels (brain: 96x112 slices, see docs/RESULTS.md)"),
        new("min-digits", "N", "2", "digits task: fewest digits per scene"),
        new("max-digits", "N", "3", "digits task: most digits per scene"),
        new("train-size", "N", "4000", "generated training scenes (brain: at most this many training slices)"),
        new("valid-size", "N", "500", "generated validation scenes (brain: at most this many)"),
        new("test-size", "N", "1000", "generated test scenes, from MNIST test digits (brain: at most this many)"),
        new("data-seed", "N", "1", "seed of the generated scenes"),
    ];

    static OptionSpec[] CommonWithout(string name) => [.. SharedOptions.Common().Where(o => o.Name != name)];

    /// <summary>The verbs of this file, followed by the <see cref="StnCommands"/> verbs (the vision family shares one line in App.cs).</summary>
    public static Verb[] Verbs { get; } =
    [
        .. SegmentVerbs,
        .. StnCommands.Verbs,
    ];

    static Verb[] SegmentVerbs =>
    [
        new(["segment", "train"], "train a U-Net or Attention U-Net segmenter, then report per-class Dice on the test scenes",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 6, batchSize: 32, lr: 3e-3, monitor: "dice_error")], null, Train),
        new(["segment", "eval"], "per-class Dice of a segmentation checkpoint on its task's test scenes",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new("batch-size", "N", "64", "scenes per batch"), .. SharedOptions.Common()],
            null, Eval),
        new(["segment", "show"], "draw test scenes: image, truth, prediction and each attention gate's map (PNG)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("out", "FILE", "seg.png", "PNG file to write"),
             new("count", "N", "4", "test scenes to draw (the first N)"),
             new("scale", "N", "3", "screen pixels per image pixel"),
             .. CommonWithout("out")],
            null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task", SegmentationTasks.Names);
        var net = new SegmentationOptions(Model: a.Choice("model", SegmentationOptions.Models), Classes: SegmentationTasks.ClassesOf(task),
            BaseFilters: a.Int("base-filters", 1), Depth: a.Int("depth", 1, 6), GateFinestLevel: a.Flag("gate-finest"), DiceWeight: a.Double("dice-weight", 0));
        net.Validate();
        var dataOptions = new MultiDigitOptions(a.Int("canvas", 28), a.Int("min-digits", 1), a.Int("max-digits", 1));
        dataOptions.Validate();
        if (task == "brain" && (1 << net.Depth) > BrainMri.SizeMultiple)
            throw new ArgumentException($"brain slices are padded to a multiple of {BrainMri.SizeMultiple}: --depth must be at most {(int)Math.Log2(BrainMri.SizeMultiple)}; got {net.Depth}");
        if (task == "digits" && dataOptions.Canvas % (1 << net.Depth) != 0)
            throw new ArgumentException($"--canvas must be a multiple of 2^depth = {1 << net.Depth}; got {dataOptions.Canvas}");
        var run = new SegmentRun(task, dataOptions, a.Long("data-seed"), a.Int("train-size", 1), a.Int("valid-size", 1), a.Int("test-size", 1), net);
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"segment-{task}-{net.Model}");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        trainerOptions.Validate();

        var data = LoadData(run, a, device);
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");

        manual_seed(trainerOptions.Seed);
        var model = UNet2D.Create(net);
        model.Module.to(device);
        Console.WriteLine($"{net.Model}: {model.Module.parameters().Sum(p => p.numel()):N0} parameters, gated levels [{string.Join(", ", model.GatedLevels)}]");
        var clock = Stopwatch.StartNew();
        var identity = ModelIdentity.Of(Kind, run);
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<SegmentationBatch>(trainerOptions).Fit(new SegmentationTask(model), identity, data.Train, data.Valid, p));

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model.Module);
        model.Module.to(device);
        var dice = SegmentationTask.Evaluate(model, data.Test, 64);
        var result = DiceResult(new RunResult().Add("task", task).Add("model", net.Model), dice, task)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("parameters", model.Module.parameters().Sum(p => p.numel()))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static SegmentationTaskData LoadData(SegmentRun run, ParsedArgs a, Device device) =>
        SegmentationTasks.Load(run.Task, SharedOptions.DataRoot(a), Console.Out, run.Data, run.TrainSize, run.ValidSize, run.TestSize, run.DataSeed, device);

    static RunResult DiceResult(RunResult r, DiceMetric dice, string task)
    {
        r.Add("test_dice", Math.Round(dice.MeanForeground(), 4));
        var per = dice.PerClass();
        for (int c = 1; c < per.Length; c++) r.Add(task == "brain" ? "dice_brain" : $"dice_{c - 1}", double.IsNaN(per[c]) ? "nan" : Math.Round(per[c], 4));
        r.Add("dice_background", Math.Round(per[0], 4));
        return r;
    }

    static (SegmentRun Run, ISegmentationNetwork Model, string Path) LoadCheckpoint(ParsedArgs a, Device device)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<SegmentRun>(path, k => k == Kind, "a segmenter");
        var model = UNet2D.Create(run.Net);
        Checkpoint.Load(path, Kind, model.Module);
        model.Module.to(device);
        return (run, model, path);
    }

    static int Eval(ParsedArgs a)
    {
        var device = SharedOptions.Device(a);
        var (run, model, path) = LoadCheckpoint(a, device);
        var data = LoadData(run with { TrainSize = 0, ValidSize = 0 }, a, device);
        var clock = Stopwatch.StartNew();
        var dice = SegmentationTask.Evaluate(model, data.Test, a.Int("batch-size", 1));
        var result = DiceResult(new RunResult().Add("task", run.Task).Add("model", run.Net.Model), dice, run.Task);
        return SharedOptions.ReportEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    static int Show(ParsedArgs a)
    {
        var device = SharedOptions.Device(a);
        var (run, model, path) = LoadCheckpoint(a, device);
        int count = a.Int("count", 1, 64);
        var data = LoadData(run with { TrainSize = 0, ValidSize = 0, TestSize = Math.Min(count, run.TestSize) }, a, device);
        string outFile = Path.GetFullPath(a.Required("out"));
        model.Module.eval();
        var examples = new List<SegmentationExample>();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var batch = data.Test.GetBatch(Enumerable.Range(0, data.Test.Count).ToArray());
            var (logits, maps) = model.Forward(batch.Images);
            var pred = logits.argmax(1).cpu();
            int n = data.Test.Height * data.Test.Width;
            for (int i = 0; i < data.Test.Count; i++)
            {
                var attention = maps.Select(m => new AttentionMap(m[i, 0].cpu().contiguous().data<float>().ToArray(), (int)m.shape[2], (int)m.shape[3])).ToList();
                examples.Add(new SegmentationExample(
                    batch.Images[i, 0].cpu().contiguous().data<float>().ToArray(),
                    batch.Masks[i].cpu().contiguous().data<long>().Select(v => (int)v).ToArray(),
                    pred[i].contiguous().data<long>().Select(v => (int)v).ToArray(), attention));
            }
        }
        var titles = model.GatedLevels.Select(l => $"gate level {l} (1/{1 << l})").ToList();
        SegmentationFigure.Save(outFile, examples, data.Test.Height, data.Test.Width, titles, a.Int("scale", 1, 16),
            run.Task == "brain" ? c => c == 0 ? "background" : "brain" : null);
        var result = new RunResult().Add("model", run.Net.Model).Add("examples", examples.Count).Add("gates", titles.Count).Add("png", outFile).Add("checkpoint", path);
        Console.WriteLine(result.ToLine());
        return 0;
    }
}
