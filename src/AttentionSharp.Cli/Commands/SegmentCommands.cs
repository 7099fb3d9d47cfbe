using AttentionSharp.Data;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn segment train|eval|show</c>: U-Net and Attention U-Net segmentation (Oktay et al. 2018).</summary>
public static class SegmentCommands
{
    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("task", "NAME", "digits", "segmentation task: " + string.Join(", ", SegmentationTasks.Names)).OneOf(SegmentationTasks.Names),
        new OptionSpec("model", "NAME", "unet", "unet or attention-unet").Variants<SegmentationModel>(),
        new OptionSpec("base-filters", "N", "8", "filters of the finest level (doubled at each coarser level)").Ints(1),
        new OptionSpec("depth", "N", "3", "down-sampling steps (image side must be a multiple of 2^depth)").Ints(1, 6),
        new("gate-finest", null, null, "attention-unet: also gate the finest skip connection"),
        new OptionSpec("dice-weight", "X", "1", "weight of the soft Dice term added to cross-entropy").Numbers(0),
        new OptionSpec("canvas", "N", "64", "digits task: canvas side in pixels (brain: 96x112 slices, see docs/RESULTS.md)").Ints(28),
        new OptionSpec("min-digits", "N", "2", "digits task: fewest digits per scene").Ints(1),
        new OptionSpec("max-digits", "N", "3", "digits task: most digits per scene").Ints(1),
        new OptionSpec("train-size", "N", "4000", "generated training scenes (brain: at most this many training slices)").Ints(1),
        new OptionSpec("valid-size", "N", "500", "generated validation scenes (brain: at most this many)").Ints(1),
        new OptionSpec("test-size", "N", "1000", "generated test scenes, from MNIST test digits (brain: at most this many)").Ints(1),
        new OptionSpec("data-seed", "N", "1", "seed of the generated scenes").Longs(),
    ];

    static OptionSpec[] CommonWithout(string name) => [.. SharedOptions.Common().Where(o => o.Name != name)];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } = SegmentVerbs;

    static Verb[] SegmentVerbs =>
    [
        new(["segment", "train"], "train a U-Net or Attention U-Net segmenter, then report per-class Dice on the test scenes",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 6, batchSize: 32, lr: 3e-3, monitor: "dice_error")], null, Train),
        new(["segment", "eval"], "per-class Dice of a segmentation checkpoint on its task's test scenes",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new OptionSpec("batch-size", "N", "64", "scenes per batch").Ints(1), .. SharedOptions.Common()],
            null, Eval),
        new(["segment", "show"], "draw test scenes: image, truth, prediction and each attention gate's map (PNG)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("out", "FILE", "seg.png", "PNG file to write"),
             new OptionSpec("count", "N", "4", "test scenes to draw (the first N)").Ints(1, 64),
             new OptionSpec("scale", "N", "3", "screen pixels per image pixel").Ints(1, 16),
             .. CommonWithout("out")],
            null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        var spec = new SegmentTrainSpec(Task: a.Choice("task"), Model: a.Variant<SegmentationModel>("model"),
            BaseFilters: a.Int("base-filters"), Depth: a.Int("depth"), GateFinestLevel: a.Flag("gate-finest"), DiceWeight: a.Double("dice-weight"),
            Canvas: a.Int("canvas"), MinDigits: a.Int("min-digits"), MaxDigits: a.Int("max-digits"),
            TrainSize: a.Int("train-size"), ValidSize: a.Int("valid-size"), TestSize: a.Int("test-size"), DataSeed: a.Long("data-seed"));
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
        var spec = new SegmentEvalSpec(a.Required("checkpoint"), a.Int("batch-size"));
        Console.WriteLine(SegmentExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new SegmentShowSpec(a.Required("checkpoint"), a.Required("out"), a.Int("count"), a.Int("scale"));
        Console.WriteLine(SegmentExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
