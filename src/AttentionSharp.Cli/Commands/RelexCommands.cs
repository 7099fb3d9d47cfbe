using AttentionSharp.Data.Relations;
using AttentionSharp.Models.RelationExtraction;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn relex train|eval|show|run</c>: distantly supervised relation extraction with CNN/PCNN and selective attention over bags (Lin et al. 2016).</summary>
public static class RelexCommands
{
    static readonly OptionSpec[] DataOptions =
    [
        new OptionSpec("data", "NAME", "generated", "generated (the benchmark built from tzdata, iso-codes and vega-datasets facts) or files (OpenNRE JSON lines: --train, --test, --relations)").OneOf("generated", "files"),
        new OptionSpec("rho", "X", "0.5", "generated: noise rate, the share of a positive bag's sentences that do not express its relation").Numbers(0, 1),
        new OptionSpec("no-expression", "X", "0.05", "generated: share of positive bags in which no sentence expresses the relation (the at-least-one assumption fails)").Numbers(0, 1),
        new OptionSpec("data-seed", "N", "1", "generated: seed of the benchmark").Ints(),
        new OptionSpec("facts", "N", "600", "generated: facts drawn per relation").Ints(1),
        new OptionSpec("max-bag", "N", "8", "generated: largest bag (1 gives bags of one sentence)").Ints(1, 64),
        new("train", "FILE", null, "files: training sentences (OpenNRE JSON lines)"),
        new("valid", "FILE", null, "files: validation sentences (default: 10% of the training pairs)"),
        new("test", "FILE", null, "files: test sentences"),
        new("relations", "FILE", null, "files: relation list (OpenNRE rel2id.json, or one name a line, with NA)"),
        new("names-only", null, null, "replace each sentence by its two entity names (a probe: how much do the names give away?)"),
    ];

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("encoder", "NAME", "pcnn", "pcnn (piecewise max pooling around the two entities) or cnn").Variants<RelexEncoder>(),
        new OptionSpec("aggregator", "NAME", "att", "att (selective attention), ave (mean), one (at-least-one) or sent (sentence-level classifier)").Variants<RelexAggregator>(),
        new OptionSpec("filters", "N", "230", "convolution filters").Ints(1, 4096),
        new OptionSpec("word-dim", "N", "50", "word embedding size").Ints(1, 1024),
        new OptionSpec("position-dim", "N", "5", "size of each position embedding").Ints(1, 256),
        new OptionSpec("window", "N", "3", "convolution window (odd)").Ints(1, 15),
        new OptionSpec("dropout", "X", "0.5", "dropout rate").Numbers(0, 0.99),
        new OptionSpec("max-length", "N", "120", "tokens kept per sentence").Ints(2, 10000),
        new OptionSpec("min-count", "N", "2", "training words seen fewer times map to the unknown word").Ints(1),
        new OptionSpec("word-dropout", "X", "0", "in training, replace each word by the unknown word with this probability (0 = the papers' model)").Numbers(0, 0.99),
    ];

    static readonly OptionSpec Checkpoint = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["relex", "train"], "train a CNN/PCNN bag model (att, ave, one or sent) on distantly supervised bags, then run the held-out evaluation (PR curve, AUC, P@N)",
            [.. DataOptions, .. ModelOptions, .. SharedOptions.Train(epochs: 30, batchSize: 32, lr: 1e-3, monitor: "loss", threads: "1")], null, Train),
        new(["relex", "eval"], "held-out evaluation of a relation-extraction checkpoint on its test bags (or --test-file)",
            [Checkpoint, new("test-file", "FILE", null, "OpenNRE test sentences instead of the run's own test split"), .. SharedOptions.Common("1")], null, Eval),
        new(["relex", "show"], "print a test bag with each sentence's attention weight and gold label (and an HTML page with --html)",
            [Checkpoint, new OptionSpec("bag", "N", null, "test bag index (default: the first correctly predicted positive bag with --min-sentences or more)").Ints(0),
             new OptionSpec("min-sentences", "N", "3", "smallest bag picked by default").Ints(1), new("html", "FILE", null, "also write an HTML page"), .. SharedOptions.Common("1")], null, Show),
        new(["relex", "run"], "score your own bags (OpenNRE JSON lines, relation optional; one bag per entity pair) and print each sentence's weight",
            [Checkpoint, new("input", "FILE", null, "OpenNRE JSON lines"), new("html", "FILE", null, "also write an HTML page"), .. SharedOptions.Common("1")], null, RunBags),
    ];

    static RelexDataSpec DataSpec(ParsedArgs a)
    {
        string data = a.Choice("data");
        return new RelexDataSpec(data,
            data == "generated" ? new DistantSupervisionOptions(Rho: a.Double("rho"), Seed: a.Int("data-seed"), FactsPerRelation: a.Int("facts"), MaxBagSize: a.Int("max-bag"),
                NoExpressionShare: a.Double("no-expression")) : null,
            a.String("train"), a.String("valid"), a.String("test"), a.String("relations"), a.Flag("names-only"));
    }

    static int Train(ParsedArgs a)
    {
        var data = DataSpec(a);
        if (data.Data == "files" && (data.Train == null || data.Test == null || data.Relations == null))
            throw new UsageException("--data files needs --train, --test and --relations");
        var spec = new RelexTrainSpec(data, a.Variant<RelexEncoder>("encoder"), a.Variant<RelexAggregator>("aggregator"), a.Int("filters"),
            a.Int("word-dim"), a.Int("position-dim"), a.Int("window"), a.Double("dropout"), a.Int("max-length"), a.Int("min-count"),
            a.Double("word-dropout"));
        spec.Validate();
        string name = data.Data == "generated" ? $"rho{data.Generated!.Rho}" + (data.Generated.NoExpressionShare != 0.05 ? $"-noexp{data.Generated.NoExpressionShare}" : "") : Path.GetFileNameWithoutExtension(data.Train!);
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"relex-{name}-{Variant.Name(spec.Encoder)}-{Variant.Name(spec.Aggregator)}{(data.NamesOnly ? "-names" : "")}"));
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => RelexExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        Console.WriteLine(RelexExperiment.Evaluate(new RelexEvalSpec(a.Required("checkpoint"), a.String("test-file")), SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        var view = RelexExperiment.Show(new RelexShowSpec(a.Required("checkpoint"), a.String("bag") != null ? a.Int("bag") : null, a.Int("min-sentences"), a.String("html")),
            SharedOptions.Context(a));
        Console.WriteLine(view.Text);
        Console.WriteLine(view.Result.ToLine());
        return 0;
    }

    static int RunBags(ParsedArgs a)
    {
        var view = RelexExperiment.Run(new RelexRunSpec(a.Required("checkpoint"), a.Required("input"), a.String("html")), SharedOptions.Context(a));
        Console.WriteLine(view.Text);
        Console.WriteLine(view.Result.ToLine());
        return 0;
    }
}
