using AttentionSharp.Data;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn baseline train|eval</c>: the fully connected and convolutional baselines of Mnih et al. 2014.</summary>
public static class BaselineCommands
{
    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("task", "NAME", "mnist", "image task: " + string.Join(", ", ImageTasks.Names)).OneOf(ImageTasks.Names),
        new OptionSpec("model", "NAME", "fc", "fc (2 x 256 ReLU) or conv (8 10x10 filters stride 5 + 256 ReLU)").Variants<BaselineModel>(),
        new OptionSpec("hidden", "N", "256", "units of each fully connected hidden layer").Ints(1),
        new OptionSpec("dropout", "X", "0", "dropout before the output layer").Numbers(0, 0.99),
        SharedOptions.FreshCanvases,
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["baseline", "train"], "train the RAM paper's fc or conv baseline on an image task, then evaluate on its test set",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3)], null, Train),
        new(["baseline", "eval"], "evaluate a baseline checkpoint on its task's test set",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new OptionSpec("batch-size", "N", "500", "examples per batch").Ints(1), .. SharedOptions.Common()],
            null, Eval),
    ];

    static int Train(ParsedArgs a)
    {
        var spec = new BaselineTrainSpec(Task: a.Choice("task"), Model: a.Variant<BaselineModel>("model"),
            Hidden: a.Int("hidden"), Dropout: a.Double("dropout"), FreshCanvases: a.Flag("fresh-canvases"));
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"baseline-{spec.Task}-{spec.Model}"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => BaselineExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new BaselineEvalSpec(a.Required("checkpoint"), a.Int("batch-size"), a.Long("seed"));
        Console.WriteLine(BaselineExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
