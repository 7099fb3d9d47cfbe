using System.Diagnostics;
using AttentionSharp.Data;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Segmentation;

/// <summary>What a segmentation checkpoint records: the task, how its scenes are generated, and the network options.</summary>
/// <param name="Task">Segmentation task name (see <see cref="SegmentationTasks"/>).</param>
/// <param name="Data">Scene generator options.</param>
/// <param name="DataSeed">Seed of the generated scenes.</param>
/// <param name="TrainSize">Generated training scenes.</param>
/// <param name="ValidSize">Generated validation scenes.</param>
/// <param name="TestSize">Generated test scenes.</param>
/// <param name="Net">Network options.</param>
public sealed record SegmentRun(string Task, MultiDigitOptions Data, long DataSeed, int TrainSize, int ValidSize, int TestSize, SegmentationOptions Net);

/// <summary>What to train: a segmentation task, its scenes and the U-Net or Attention U-Net.</summary>
/// <param name="Task">digits (generated multi-digit MNIST scenes) or brain (MRI slices).</param>
/// <param name="Model">unet or attention-unet.</param>
/// <param name="BaseFilters">Filters of the finest level (doubled at each coarser level).</param>
/// <param name="Depth">Down-sampling steps (the image side must be a multiple of 2^Depth).</param>
/// <param name="GateFinestLevel">attention-unet: also gate the finest skip connection.</param>
/// <param name="DiceWeight">Weight of the soft Dice term added to cross-entropy.</param>
/// <param name="Canvas">digits: canvas side in pixels.</param>
/// <param name="MinDigits">digits: fewest digits per scene.</param>
/// <param name="MaxDigits">digits: most digits per scene.</param>
/// <param name="TrainSize">Generated training scenes (brain: at most this many training slices).</param>
/// <param name="ValidSize">Generated validation scenes (brain: at most this many).</param>
/// <param name="TestSize">Generated test scenes, from MNIST test digits (brain: at most this many).</param>
/// <param name="DataSeed">Seed of the generated scenes.</param>
public sealed record SegmentTrainSpec(
    string Task = "digits", SegmentationModel Model = SegmentationModel.UNet, int BaseFilters = 8, int Depth = 3, bool GateFinestLevel = false, double DiceWeight = 1,
    int Canvas = 64, int MinDigits = 2, int MaxDigits = 3, int TrainSize = 4000, int ValidSize = 500, int TestSize = 1000, long DataSeed = 1)
{
    /// <summary>The network options: the spec's model with the task's classes.</summary>
    public SegmentationOptions Net() => new(Model: Model, Classes: SegmentationTasks.ClassesOf(Task),
        BaseFilters: BaseFilters, Depth: Depth, GateFinestLevel: GateFinestLevel, DiceWeight: DiceWeight);

    /// <summary>The scene generator options.</summary>
    public MultiDigitOptions Scenes() => new(Canvas, MinDigits, MaxDigits);

    /// <summary>The run record a checkpoint of this spec carries.</summary>
    public SegmentRun Resolve()
    {
        Validate();
        return new SegmentRun(Task, Scenes(), DataSeed, TrainSize, ValidSize, TestSize, Net());
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (!SegmentationTasks.Names.Contains(Task)) throw new ArgumentException($"Task must be one of {string.Join(", ", SegmentationTasks.Names)}; got '{Task}'");
        Variant.Check(Model, nameof(Model));
        if (BaseFilters < 1) throw new ArgumentException($"BaseFilters must be >= 1; got {BaseFilters}");
        if (Depth is < 1 or > 6) throw new ArgumentException($"Depth must be in 1..6; got {Depth}");
        if (!(DiceWeight >= 0)) throw new ArgumentException($"DiceWeight must be >= 0; got {DiceWeight}");
        if (Canvas < 28) throw new ArgumentException($"Canvas must be >= 28; got {Canvas}");
        if (MinDigits < 1) throw new ArgumentException($"MinDigits must be >= 1; got {MinDigits}");
        if (MaxDigits < MinDigits) throw new ArgumentException($"MaxDigits must be >= MinDigits ({MinDigits}); got {MaxDigits}");
        if (TrainSize < 1) throw new ArgumentException($"TrainSize must be >= 1; got {TrainSize}");
        if (ValidSize < 1) throw new ArgumentException($"ValidSize must be >= 1; got {ValidSize}");
        if (TestSize < 1) throw new ArgumentException($"TestSize must be >= 1; got {TestSize}");
        Net().Validate();
        Scenes().Validate();
        if (Task == "brain" && (1 << Depth) > BrainMri.SizeMultiple)
            throw new ArgumentException($"brain slices are padded to a multiple of {BrainMri.SizeMultiple}: Depth must be at most {MaxBrainDepth}; got {Depth}");
        if (Task == "digits" && Canvas % (1 << Depth) != 0)
            throw new ArgumentException($"Canvas must be a multiple of 2^Depth = {1 << Depth}; got {Canvas}");
    }

    /// <summary>The deepest U-Net the brain slices allow (they are padded to a multiple of <see cref="BrainMri.SizeMultiple"/>).</summary>
    public static int MaxBrainDepth => (int)Math.Log2(BrainMri.SizeMultiple);
}

/// <summary>What to evaluate: a segmentation checkpoint on its task's test scenes (generated as at training).</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="BatchSize">Scenes per batch.</param>
public sealed record SegmentEvalSpec(string Checkpoint, int BatchSize = 64)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.AtLeast(BatchSize, 1);
    }
}

/// <summary>What to draw: the first <paramref name="Count"/> test scenes with truth, prediction and each gate's map.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Output">PNG file to write (relative paths from the current folder).</param>
/// <param name="Count">Test scenes to draw (the first N).</param>
/// <param name="Scale">Screen pixels per image pixel.</param>
public sealed record SegmentShowSpec(string Checkpoint, string Output = "seg.png", int Count = 4, int Scale = 3)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Check.Picture(Count, Scale, Output);
    }
}

/// <summary>
/// U-Net and Attention U-Net segmentation (Oktay et al. 2018) as an experiment: <see cref="Train"/> (spec and trainer
/// options to a tested run folder with its checkpoints and <c>result.json</c>; per-class Dice on the test scenes),
/// <see cref="Evaluate"/> (a checkpoint's Dice on its test scenes) and <see cref="Show"/> (image, truth, prediction and
/// each attention gate's map, into a PNG). <c>attn segment train|eval|show</c> call these.
/// </summary>
public static class SegmentExperiment
{
    /// <summary>Checkpoint kind of the segmenters.</summary>
    public const string Kind = "segment";

    /// <summary>Trains a segmenter on the spec's task in <see cref="TrainerOptions.OutDir"/> and reports the best checkpoint's Dice on the test scenes.</summary>
    public static RunResult Train(SegmentTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var run = spec.Resolve();
        var net = run.Net;
        var data = LoadData(run, context);
        var log = context.Log;
        log.WriteLine($"run folder: {outDir}");

        var (model, summary, clock) = RunFolder.Fit(trainer, context, ModelIdentity.Of(Kind, run), () =>
        {
            var m = UNet2D.Create(net);
            log.WriteLine($"{Variant.Name(net.Model)}: {m.Module.parameters().Sum(p => p.numel()):N0} parameters, gated levels [{string.Join(", ", m.GatedLevels)}]");
            return m;
        }, m => new SegmentationTask(m), data.Train, data.Valid, m => m.Module);
        var dice = SegmentationTask.Evaluate(model, data.Test, 64);
        var result = DiceResult(new RunResult().Add("task", run.Task).Add("model", Variant.Name(net.Model)), dice, run.Task)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("parameters", model.Module.parameters().Sum(p => p.numel()))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>The run's scenes (or brain slices), generated with its seed and sizes.</summary>
    public static SegmentationTaskData LoadData(SegmentRun run, ExperimentContext context) =>
        SegmentationTasks.Load(run.Task, context.DataRoot, context.Log, run.Data, run.TrainSize, run.ValidSize, run.TestSize, run.DataSeed, context.Device);

    /// <summary>Loads a segmentation checkpoint (file, or run folder: its best checkpoint) onto <paramref name="device"/>.</summary>
    public static (string Path, SegmentRun Run, ISegmentationNetwork Model) Load(string checkpoint, Device device) =>
        RunFolder.LoadModel(checkpoint, Kind, "a segmenter", (SegmentRun run) => UNet2D.Create(run.Net), device, m => m.Module);

    /// <summary>Per-class Dice of a checkpoint on its task's test scenes; writes <c>eval-result.json</c> beside it.</summary>
    public static RunResult Evaluate(SegmentEvalSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run with { TrainSize = 0, ValidSize = 0 }, context);
        var clock = Stopwatch.StartNew();
        var dice = SegmentationTask.Evaluate(model, data.Test, spec.BatchSize);
        var result = DiceResult(new RunResult().Add("task", run.Task).Add("model", Variant.Name(run.Net.Model)), dice, run.Task);
        return RunFolder.FinishEval(result, data.Test.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>Draws the first test scenes (image, truth, prediction, each gate's map) into a PNG; the result names the file.</summary>
    public static RunResult Show(SegmentShowSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var (path, run, model) = Load(spec.Checkpoint, context.Device);
        var data = LoadData(run with { TrainSize = 0, ValidSize = 0, TestSize = Math.Min(spec.Count, run.TestSize) }, context);
        string outFile = Path.GetFullPath(spec.Output);
        model.Module.eval();
        var examples = new List<SegmentationExample>();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var batch = data.Test.GetBatch(Enumerable.Range(0, data.Test.Count).ToArray());
            var (logits, maps) = model.Forward(batch.Images);
            var pred = logits.argmax(1).cpu();
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
        SegmentationFigure.Save(outFile, examples, data.Test.Height, data.Test.Width, titles, spec.Scale,
            run.Task == "brain" ? c => c == 0 ? "background" : "brain" : null);
        return new RunResult().Add("model", Variant.Name(run.Net.Model)).Add("examples", examples.Count).Add("gates", titles.Count).Add("png", outFile).Add("checkpoint", path);
    }

    /// <summary>Adds the mean foreground Dice, each foreground class's and the background's.</summary>
    static RunResult DiceResult(RunResult r, DiceMetric dice, string task)
    {
        r.Add("test_dice", Math.Round(dice.MeanForeground(), 4));
        var per = dice.PerClass();
        for (int c = 1; c < per.Length; c++) r.Add(task == "brain" ? "dice_brain" : $"dice_{c - 1}", double.IsNaN(per[c]) ? "nan" : Math.Round(per[c], 4));
        r.Add("dice_background", Math.Round(per[0], 4));
        return r;
    }
}
