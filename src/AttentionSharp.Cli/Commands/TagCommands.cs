using AttentionSharp.Data;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn tag train|eval|run|brown-chunks</c>: CRF, BiLSTM-CRF and BiLSTM-CRF-attention sequence taggers.</summary>
public static class TagCommands
{
    static readonly string[] Tasks = TagExperiment.Tasks;

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("task", "NAME", "brown-universal", "brown (full Brown tag set), brown-universal (12 universal tags) or conll (--train/--dev/--test files)").OneOf(Tasks),
        new OptionSpec("model", "NAME", "bilstm-crf", "crf (CRF on hand-made features), bilstm-crf or bilstm-crf-attn").Variants<TaggerModel>(),
        new("train", "FILE", null, "conll task: training file (token ... tag columns)"),
        new("dev", "FILE", null, "conll task: validation file (selects the best epoch)"),
        new("test", "FILE", null, "conll task: test file"),
        new OptionSpec("max-sentences", "N", "0", "use only the first N training sentences (0 = all; for quick runs)").Ints(0),
        new OptionSpec("dev-sentences", "N", "0", "validate on only the first N validation sentences (0 = all; for quick runs)").Ints(0),
        new OptionSpec("word-dim", "N", "100", "word embedding size").Ints(1),
        new OptionSpec("chars", "on|off", "on", "character CNN features (BiLSTM models)").OneOf("on", "off"),
        new OptionSpec("hidden", "N", "128", "LSTM units per direction").Ints(1),
        new OptionSpec("heads", "N", "4", "attention heads (bilstm-crf-attn)").Ints(1),
        new OptionSpec("feature-dim", "N", "16", "rank of the feature CRF's emission map (features -> N -> tags)").Ints(1),
        new OptionSpec("dropout", "X", "0.25", "dropout on embeddings and LSTM states").Numbers(0, 0.99),
        new OptionSpec("min-count", "N", "2", "words seen fewer times in training are unknown").Ints(1),
        new OptionSpec("min-feature-count", "N", "2", "features seen fewer times are dropped (crf)").Ints(1),
        new OptionSpec("constraints", "auto|on|off", "auto", "BIO-valid decoding: auto = on when every tag is O, B-X or I-X").OneOf("auto", "on", "off"),
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["tag", "train"], "train a CRF / BiLSTM-CRF / BiLSTM-CRF-attention tagger on Brown or CoNLL files, then evaluate on the test set",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 5, batchSize: 32, lr: 2e-3)], null, Train),
        new(["tag", "eval"], "evaluate a tagger checkpoint: token accuracy and conlleval span P/R/F1",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("test", "FILE", null, "CoNLL file to evaluate on (default: the task's test set)"),
             new OptionSpec("batch-size", "N", "64", "sentences per batch").Ints(1), .. SharedOptions.Common()], null, Eval),
        new(["tag", "run"], "tag a sentence given on the command line (prints token/tag) or a CoNLL file (--conll IN --out OUT)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("conll", "FILE", null, "CoNLL file to tag (first column = token); writes its columns plus the predicted tag"),
             new("out", "FILE", null, "output file for --conll"),
             new("device", "NAME", "cpu", "cpu, cuda or cuda:N"), new("verbose", null, null, "stack traces on errors")], "TEXT", RunTagger),
        new(["tag", "brown-chunks"], "write Brown noun-phrase chunks (BIO) as CoNLL files train.txt, dev.txt, test.txt (document split)",
            [new("out", "DIR", null, "folder for the three files"), new("data-dir", "DIR", null, "dataset cache"),
             new("verbose", null, null, "stack traces on errors")], null, BrownChunksVerb),
    ];

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task");
        var model = a.Variant<TaggerModel>("model");
        if (task != "conll" && (a.Has("train") || a.Has("dev") || a.Has("test")))
            throw new UsageException($"--train/--dev/--test are for --task conll; --task {task} uses the Brown corpus split");
        SharedOptions.Device(a); // a bad --device is reported before the run folder is named, as always
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"tag-{task}-{Variant.Name(model)}"));
        var spec = new TagTrainSpec(task, model, a.String("train"), a.String("dev"), a.String("test"), a.Int("max-sentences"),
            MinCount: a.Int("min-count"), MinFeatureCount: a.Int("min-feature-count"));
        if (task == "conll" && spec.TrainFile == null) throw new UsageException("--task conll needs --train FILE (and usually --dev and --test)");
        spec = spec with
        {
            DevSentences = a.Int("dev-sentences"), WordDim = a.Int("word-dim"), Chars = a.Choice("chars") == "on",
            Hidden = a.Int("hidden"), FeatureDim = a.Int("feature-dim"), Heads = a.Int("heads"), Dropout = a.Double("dropout"),
            Constraints = a.Choice("constraints"),
        };
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => TagExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        string checkpoint = a.Required("checkpoint");
        string? test = a.String("test");
        if (test == null && TagExperiment.ReadRun(checkpoint).Run is { Task: "conll", TestFile: null })
            throw new UsageException("this conll checkpoint records no test file; pass --test FILE");
        var result = TagExperiment.Evaluate(new TagEvalSpec(checkpoint, test, a.Int("batch-size")), SharedOptions.Context(a));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    /// <summary>Splits raw text into tokens (<see cref="TagExperiment.Tokenize"/>).</summary>
    public static string[] Tokenize(string text) => TagExperiment.Tokenize(text);

    /// <summary>The context of <c>tag run</c> (no --data-dir: the default data cache) and <c>tag brown-chunks</c> (no --device: the CPU).</summary>
    static ExperimentContext Context(ParsedArgs a, bool hasDevice) => hasDevice
        ? new(DataCache.Resolve(null), SharedOptions.Device(a), new PlainProgress(Console.Out))
        : new(SharedOptions.DataRoot(a), CPU, new PlainProgress(Console.Out));

    static int RunTagger(ParsedArgs a)
    {
        string? conll = a.String("conll");
        if (conll == null && a.Positional.Count == 0) throw new UsageException("give a sentence to tag, e.g. attn tag run --checkpoint RUN \"The quick brown fox jumps .\", or --conll IN --out OUT");
        if (conll != null && a.Positional.Count > 0) throw new UsageException("give either a sentence or --conll FILE, not both");
        string checkpoint = a.Required("checkpoint");
        if (conll == null)
        {
            var tokens = Tokenize(string.Join(' ', a.Positional));
            if (tokens.Length == 0) throw new UsageException("the text holds no tokens");
            var tags = TagExperiment.Tag(checkpoint, tokens, Context(a, hasDevice: true));
            Console.WriteLine(string.Join(' ', tokens.Zip(tags, (w, t) => w + "/" + t)));
            return 0;
        }
        string output = a.String("out") ?? throw new UsageException("--conll needs --out FILE for the tagged copy");
        var r = TagExperiment.TagFile(new TagFileSpec(checkpoint, conll, output), Context(a, hasDevice: true)).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
        Console.WriteLine($"tagged {r["sentences"]} sentences ({r["tokens"]} tokens) -> {r["output"]}");
        return 0;
    }

    static int BrownChunksVerb(ParsedArgs a)
    {
        foreach (var (path, sentences) in TagExperiment.BrownChunks(a.Required("out"), Context(a, hasDevice: false)))
            Console.WriteLine($"{path}: {sentences} sentences");
        return 0;
    }
}
