using AttentionSharp.Data;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn segment train|eval|show</c>: U-Net and Attention U-Net segmentation (Oktay et al. 2018).</summary>
public static class SegmentCommands
{
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

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } = SegmentVerbs;

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
        var spec = new SegmentTrainSpec(Task: a.Choice("task", SegmentationTasks.Names), Model: a.Variant<SegmentationModel>("model"),
            BaseFilters: a.Int("base-filters", 1), Depth: a.Int("depth", 1, 6), GateFinestLevel: a.Flag("gate-finest"), DiceWeight: a.Double("dice-weight", 0),
            Canvas: a.Int("canvas", 28), MinDigits: a.Int("min-digits", 1), MaxDigits: a.Int("max-digits", 1),
            TrainSize: a.Int("train-size", 1), ValidSize: a.Int("valid-size", 1), TestSize: a.Int("test-size", 1), DataSeed: a.Long("data-seed"));
        CheckSizes(spec);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"segment-{spec.Task}-{spec.Model}"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => SegmentExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    /// <summary>The checks of <see cref="SegmentTrainSpec.Validate"/> in the CLI's order and words (the size checks name the flags).</summary>
    static void CheckSizes(SegmentTrainSpec spec)
    {
        spec.Net().Validate();
        spec.Scenes().Validate();
        if (spec.Task == "brain" && spec.Depth > SegmentTrainSpec.MaxBrainDepth)
            throw new ArgumentException($"brain slices are padded to a multiple of {BrainMri.SizeMultiple}: --depth must be at most {SegmentTrainSpec.MaxBrainDepth}; got {spec.Depth}");
        if (spec.Task == "digits" && spec.Canvas % (1 << spec.Depth) != 0)
            throw new ArgumentException($"--canvas must be a multiple of 2^depth = {1 << spec.Depth}; got {spec.Canvas}");
        spec.Validate();
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new SegmentEvalSpec(a.Required("checkpoint"), a.Int("batch-size", 1));
        Console.WriteLine(SegmentExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new SegmentShowSpec(a.Required("checkpoint"), a.Required("out"), a.Int("count", 1, 64), a.Int("scale", 1, 16));
        Console.WriteLine(SegmentExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
