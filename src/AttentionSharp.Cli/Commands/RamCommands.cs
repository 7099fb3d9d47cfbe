using AttentionSharp.Data;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn ram train|eval|probe|show</c>: the Recurrent Attention Model of Mnih et al. 2014.</summary>
public static class RamCommands
{
    static readonly string[] Tasks = SharedOptions.GlimpseTasks;

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("task", "NAME", "mnist", "image task: " + string.Join(", ", Tasks)).OneOf(Tasks),
        new OptionSpec("dataset", "NAME", "mnist", "source of the 28x28 images: mnist or fashion-mnist").OneOf("mnist", "fashion-mnist"),
        new OptionSpec("glimpses", "N", "6", "glimpses per image").Ints(1, 100),
        new OptionSpec("patch", "N", null, "glimpse patch side (default: the paper's, 8 on 28x28, else 12)").Ints(1, 1000),
        new OptionSpec("scales", "N", null, "glimpse scales (default: the paper's, 1 on 28x28, 3 on 60x60, 4 on 100x100)").Ints(1, 8),
        new OptionSpec("core", "NAME", null, "core network: rnn (ReLU RNN, the paper's) or lstm (default: RamOptions.Recommended: rnn up to 28x28, else lstm)").Variants<RamCore>(),
        new OptionSpec("std", "X", "0.1", "standard deviation of the Gaussian location policy").Numbers(1e-6, 2),
        new OptionSpec("std-final", "X", "0", "when > 0, the policy std falls linearly from --std in the first epoch to X in the last (0 = fixed std)").Numbers(0, 2),
        new OptionSpec("std-epochs", "N", "0", "with --std-final: the epoch by which the std reaches X and stays there (0 = the last of --epochs; set it when early stopping may end the run first)").Ints(0),
        new OptionSpec("reinforce-weight", "X", null, "weight of the REINFORCE term in the hybrid loss (default: with the policy gradient to the core 1 above 60x60 and 0.1 up to it; detached 0.01)").Numbers(0),
        new OptionSpec("location-hidden", "N", null, "units of a ReLU hidden layer in the location network (0 = the paper's linear policy; default: RamOptions.Recommended)").Ints(0, 4096),
        new OptionSpec("policy-gradient", "WHERE", null, "detached (REINFORCE trains only the location network) or core (its gradient also reaches the core and glimpse networks, the paper's); default: core (RamOptions.Recommended)").OneOf("detached", "core"),
        new OptionSpec("first-location", "RULE", null, "first glimpse: uniform, centre or learned (default: RamOptions.Recommended)").Variants<RamFirstLocation>(),
        new OptionSpec("test-policy", "RULE", null, "validation/test policy: sample or mean (one deterministic path; default: RamOptions.Recommended)").Variants<RamTestPolicy>(),
        new OptionSpec("reward", "NAME", null, "REINFORCE reward: correct (1 when right, the paper's) or probability (of the true class; default: RamOptions.Recommended)").Variants<RamReward>(),
        new OptionSpec("samples", "M", "10", "Monte-Carlo glimpse paths averaged in the final test (M = 1 is also reported)").Ints(1, 1000),
        new OptionSpec("train-paths", "K", "1", "glimpse paths sampled per training image (the paper's M in eq. 2); K > 1 uses the other paths' mean reward as each path's baseline").Ints(1, 64),
        SharedOptions.FreshCanvases,
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["ram", "train"], "train the Recurrent Attention Model (Mnih et al. 2014) on an image task, then test it",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 20, batchSize: 64, lr: 1e-3)], null, Train),
        new(["ram", "eval"], "evaluate a RAM checkpoint on its task's test set with M sampled glimpse paths",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new OptionSpec("samples", "M", "1", "glimpse paths averaged per image").Ints(1, 1000),
             new OptionSpec("test-policy", "RULE", null, "sample or mean (default: the checkpoint's)").Variants<RamTestPolicy>(),
             new OptionSpec("first-location", "RULE", null, "uniform, centre or learned (default: the checkpoint's)").Variants<RamFirstLocation>(),
             new OptionSpec("batch-size", "N", "500", "examples per batch").Ints(1), .. SharedOptions.Common()], null, Eval),
        new(["ram", "probe"], "fit a linear probe from a RAM checkpoint's core state to the digit's position (validation canvases) and compare it with the policy on the test canvases",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new OptionSpec("test-policy", "RULE", null, "the glimpse path the states are read along: sample or mean (default: the checkpoint's)").Variants<RamTestPolicy>(),
             new OptionSpec("batch-size", "N", "500", "examples per batch").Ints(1), .. SharedOptions.Common()], null, Probe),
        new(["ram", "show"], "draw the glimpse paths of a RAM checkpoint on test images into a PNG",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"), new OptionSpec("count", "N", "8", "test images to draw").Ints(1, 64),
             new OptionSpec("first", "N", "0", "index of the first test image").Ints(0),
             .. SharedOptions.Common()], null, Show),
    ];

    static int Train(ParsedArgs a)
    {
        var spec = new RamTrainSpec(
            Task: a.Choice("task"), Dataset: a.Choice("dataset"), Glimpses: a.Int("glimpses"),
            Patch: a.String("patch") != null ? a.Int("patch") : null,
            Scales: a.String("scales") != null ? a.Int("scales") : null,
            Core: a.String("core") != null ? a.Variant<RamCore>("core") : null,
            LocationStd: a.Double("std"), LocationStdFinal: a.Double("std-final"),
            ReinforceWeight: a.String("reinforce-weight") != null ? a.Double("reinforce-weight") : null,
            LocationHidden: a.String("location-hidden") != null ? a.Int("location-hidden") : null,
            PolicyGradientToCore: a.String("policy-gradient") != null ? a.Choice("policy-gradient") == "core" : null,
            FirstLocation: a.String("first-location") != null ? a.Variant<RamFirstLocation>("first-location") : null,
            TestPolicy: a.String("test-policy") != null ? a.Variant<RamTestPolicy>("test-policy") : null,
            Reward: a.String("reward") != null ? a.Variant<RamReward>("reward") : null,
            Samples: a.Int("samples"), FreshCanvases: a.Flag("fresh-canvases"), TrainPaths: a.Int("train-paths"),
            LocationStdEpochs: a.Int("std-epochs"));
        string task = ImageTasks.Resolve(spec.Task, spec.Dataset);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"ram-{task.Replace(':', '-')}-{spec.Glimpses}g"));
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => RamExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new RamEvalSpec(a.Required("checkpoint"), a.Int("samples"),
            a.String("test-policy") != null ? a.Variant<RamTestPolicy>("test-policy") : (RamTestPolicy?)null,
            a.String("first-location") != null ? a.Variant<RamFirstLocation>("first-location") : (RamFirstLocation?)null,
            a.Int("batch-size"), a.Long("seed"));
        Console.WriteLine(RamExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Probe(ParsedArgs a)
    {
        var spec = new RamProbeSpec(a.Required("checkpoint"),
            a.String("test-policy") != null ? a.Variant<RamTestPolicy>("test-policy") : (RamTestPolicy?)null, a.Int("batch-size"), a.Long("seed"));
        Console.WriteLine(RamExperiment.Probe(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var spec = new RamShowSpec(a.Required("checkpoint"), a.Int("count"), a.Int("first"), a.String("out"), a.Long("seed"));
        Console.WriteLine(RamExperiment.Show(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }
}
