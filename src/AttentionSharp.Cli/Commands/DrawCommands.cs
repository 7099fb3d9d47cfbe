using AttentionSharp.Data;
using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn draw train|eval|show</c>: a recurrent classifier reading through DRAW's Gaussian attention.</summary>
public static class DrawCommands
{
    static readonly string[] Tasks = SharedOptions.GlimpseTasks;
    static readonly OptionSpec CheckpointOption = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["draw", "train"], "train a recurrent classifier that reads the image through DRAW Gaussian attention (Gregor et al. 2015), then test it",
            [
                new OptionSpec("task", "NAME", "cluttered60", "image task: " + string.Join(", ", Tasks)).OneOf(Tasks),
                new OptionSpec("dataset", "NAME", "mnist", "source of the 28x28 images: mnist or fashion-mnist").OneOf("mnist", "fashion-mnist"),
                new OptionSpec("glimpses", "N", "8", "reads per image").Ints(1, 100),
                new OptionSpec("grid", "N", null, "side N of the N x N read grid (default: 12, or 8 on 28x28)").Ints(2, 1000),
                new OptionSpec("hidden", "N", "256", "LSTM core units").Ints(1, 100_000),
                new OptionSpec("glimpse-hidden", "N", "256", "units of the layer between a read and the core").Ints(1, 100_000),
                SharedOptions.FreshCanvases,
                .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3, threads: "1"),
            ], null, Train),
        new(["draw", "eval"], "evaluate a DRAW-read classifier checkpoint on its task's test set",
            [CheckpointOption, new OptionSpec("batch-size", "N", "500", "examples per batch").Ints(1), .. SharedOptions.Common(threads: "1")], null, Eval),
        new(["draw", "show"], "draw each read's Gaussian grid over test images, step by step, with the glimpses, into a PNG",
            [CheckpointOption, new OptionSpec("count", "N", "8", "test images to draw").Ints(1, 64), new OptionSpec("first", "N", "0", "index of the first test image").Ints(0),
             .. SharedOptions.Common(threads: "1")], null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        var spec = new DrawTrainSpec(
            Task: a.Choice("task"), Dataset: a.Choice("dataset"), Glimpses: a.Int("glimpses"),
            Grid: a.String("grid") != null ? a.Int("grid") : null,
            Hidden: a.Int("hidden"), GlimpseHidden: a.Int("glimpse-hidden"), FreshCanvases: a.Flag("fresh-canvases"));
        string task = ImageTasks.Resolve(spec.Task, spec.Dataset);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"draw-{task.Replace(':', '-')}-{spec.Glimpses}g"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => DrawExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new DrawEvalSpec(a.Required("checkpoint"), a.Int("batch-size"), a.Long("seed"));
        Console.WriteLine(DrawExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new DrawShowSpec(a.Required("checkpoint"), a.Int("count"), a.Int("first"), a.String("out"), a.Long("seed"));
        Console.WriteLine(DrawExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
