using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn ram train|eval|show</c>: the Recurrent Attention Model of Mnih et al. 2014.</summary>
public static class RamCommands
{
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
        new("train-paths", "K", "1", "glimpse paths sampled per training image (the paper's M in eq. 2); K > 1 uses the other paths' mean reward as each path's baseline"),
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
        var spec = new RamTrainSpec(
            Task: a.Choice("task", Tasks), Dataset: a.Choice("dataset", "mnist", "fashion-mnist"), Glimpses: a.Int("glimpses", 1, 100),
            Patch: a.String("patch") != null ? a.Int("patch", 1, 1000) : null,
            Scales: a.String("scales") != null ? a.Int("scales", 1, 8) : null,
            Core: a.String("core") != null ? a.Variant<RamCore>("core") : null,
            LocationStd: a.Double("std", 1e-6, 2), LocationStdFinal: a.Double("std-final", 0, 2), ReinforceWeight: a.Double("reinforce-weight", 0),
            LocationHidden: a.String("location-hidden") != null ? a.Int("location-hidden", 0, 4096) : null,
            PolicyGradientToCore: a.String("policy-gradient") != null ? a.Choice("policy-gradient", "detached", "core") == "core" : null,
            FirstLocation: a.String("first-location") != null ? a.Variant<RamFirstLocation>("first-location") : null,
            TestPolicy: a.String("test-policy") != null ? a.Variant<RamTestPolicy>("test-policy") : null,
            Reward: a.String("reward") != null ? a.Variant<RamReward>("reward") : null,
            Samples: a.Int("samples", 1, 1000), FreshCanvases: a.Flag("fresh-canvases"), TrainPaths: a.Int("train-paths", 1, 64));
        string task = ImageTasks.Resolve(spec.Task, spec.Dataset);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"ram-{task.Replace(':', '-')}-{spec.Glimpses}g"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => RamExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new RamEvalSpec(a.Required("checkpoint"), a.Int("samples", 1, 1000),
            a.String("test-policy") != null ? a.Variant<RamTestPolicy>("test-policy") : (RamTestPolicy?)null,
            a.String("first-location") != null ? a.Variant<RamFirstLocation>("first-location") : (RamFirstLocation?)null,
            a.Int("batch-size", 1), a.Long("seed"));
        Console.WriteLine(RamExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new RamShowSpec(a.Required("checkpoint"), a.Int("count", 1, 64), a.Int("first", 0), a.String("out"), a.Long("seed"));
        Console.WriteLine(RamExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
