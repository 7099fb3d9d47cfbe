using AttentionSharp.Models.SpatialTransformers;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn stn train|eval</c>: CNN vs spatial-transformer CNN on distorted MNIST (Jaderberg et al. 2015); listed through <see cref="SegmentCommands.Verbs"/>.</summary>
public static class StnCommands
{
    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["stn", "train"], "train a CNN or spatial-transformer CNN on rotated/translated/scaled MNIST, then evaluate on its test set",
            [
                new OptionSpec("task", "NAME", "rts", "task: rts (MNIST rotated +-45 degrees, scaled 0.7-1.2, on a 42x42 canvas) or cluttered60 (RAM's translated cluttered 60x60)").OneOf(StnExperiment.Tasks),
                new OptionSpec("model", "NAME", "cnn", "cnn or st-cnn").Variants<StnModel>(),
                new("attention-only", null, null, "st-cnn: scale and translation only"),
                new OptionSpec("data-seed", "N", "1", "seed of the distortions").Longs(),
                .. SharedOptions.Train(epochs: 5, batchSize: 64, lr: 1e-3),
            ], null, Train),
        new(["stn", "eval"], "evaluate a CNN / ST-CNN checkpoint on its task's test set",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new OptionSpec("batch-size", "N", "500", "examples per batch").Ints(1), .. SharedOptions.Common()],
            null, Eval),
        new(["stn", "show"], "draw test images next to what the spatial transformer made of them (PNG)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("out", "FILE", "stn.png", "PNG file to write"),
             new OptionSpec("count", "N", "8", "test images to draw (the first N)").Ints(1, 64),
             new OptionSpec("scale", "N", "3", "screen pixels per image pixel").Ints(1, 16),
             .. SharedOptions.Common().Where(o => o.Name != "out")],
            null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        var spec = new StnTrainSpec(Task: a.Choice("task"), Model: a.Variant<StnModel>("model"),
            AttentionOnly: a.Flag("attention-only"), DataSeed: a.Long("data-seed"));
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"stn-{spec.Task}-{spec.Model}"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => StnExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new StnEvalSpec(a.Required("checkpoint"), a.Int("batch-size"));
        Console.WriteLine(StnExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new StnShowSpec(a.Required("checkpoint"), a.Required("out"), a.Int("count"), a.Int("scale"));
        Console.WriteLine(StnExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
