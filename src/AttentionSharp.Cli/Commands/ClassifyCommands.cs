using AttentionSharp.Data;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using AttentionSharp.Visualization;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn classify train|eval|predict|explain</c>: attention-pooled BiGRU/BiLSTM, its pooling baselines and HAN on text.</summary>
public static class ClassifyCommands
{
    static readonly OptionSpec[] DataOptions =
    [
        new OptionSpec("task", "NAME", TextTasks.PolaritySentences, "text task: " + string.Join(", ", TextTasks.Names)).OneOf(TextTasks.Names),
        new("train", "FILE", null, "task csv: the training CSV (UTF-8, header row naming the columns)"),
        new("test", "FILE", null, "task csv: a separate test CSV (otherwise cross-validation folds of --train)"),
        new("label-column", "NAME", "label", "task csv: header name of the label column (any number of classes)"),
        new("text-column", "NAME", "text", "task csv: header name of the text column"),
        new OptionSpec("folds", "K", "10", "stratified cross-validation folds fixed by --seed (1 = one fixed 90/10 split)").Ints(1, 100),
        new OptionSpec("fold", "N", "0", "run only fold N (1-based; 0 = every fold)").Ints(0, maxOption: "folds"),
        new OptionSpec("train-fraction", "X", "1", "use this share of each fold's training part (stratified by --seed; smaller shares are subsets of larger ones): learning curves").Numbers(1e-9, 1),
        new OptionSpec("valid-fraction", "X", "0.1", "fraction of each training part held out (stratified) to pick the epoch that is tested; 0 = test the final epoch").Numbers(0, 0.5),
        new("refit", null, null, "after the validation part has chosen the number of epochs, train a fresh model on the whole training part (validation included) for that many epochs at the same rates, and keep and test that one"),
    ];

    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("model", "NAME", "attn", "pooling: attn (attention), mean, max, last; or han (hierarchical attention network)").Variants<TextClassifierModel>(),
        new OptionSpec("cell", "NAME", "gru", "recurrent cell: gru or lstm (bidirectional)").Variants<AttentionSharp.Sequence.RnnCell>(),
        new OptionSpec("embedding", "N", "100", "word embedding size").Ints(1),
        new OptionSpec("hidden", "N", "50", "recurrent units per direction").Ints(1),
        new OptionSpec("attention-dim", "N", "100", "attention layer / context vector size").Ints(1),
        new OptionSpec("dropout", "X", "0.3", "dropout on embeddings and the pooled vector").Numbers(0, 0.99),
        new OptionSpec("min-count", "N", "2", "minimum count of a word in the training texts to enter the vocabulary").Ints(1),
        new OptionSpec("max-vocab", "N", "30000", "largest vocabulary").Ints(3),
        new OptionSpec("max-tokens", "N", "1000", "flat models: tokens kept per text (first and last halves of the cap)").Ints(1),
        new OptionSpec("max-sentences", "N", "30", "han: sentences kept per text (first and last halves of the cap)").Ints(1),
        new OptionSpec("max-sentence-tokens", "N", "40", "han: tokens kept per sentence (the first ones)").Ints(1),
        new OptionSpec("word-dropout", "X", "0", "in training, replace each word by <unk> with this probability").Numbers(0, 0.99),
        new("freeze-embedding", null, null, "keep the embedding fixed in training (e.g. at its pretrained values)"),
        new("pretrained-vocab", null, null, "skipgram: the vocabulary also takes every word that has a pretrained vector (up to --max-vocab)"),
    ];

    static readonly OptionSpec[] PretrainOptions =
    [
        new OptionSpec("pretrained", "NAME", "none", "embedding initialisation: none (random) or skipgram (skip-gram vectors with negative sampling, trained on unlabelled text of size --embedding, cached)").OneOf("none", "skipgram"),
        new("pretrain-text", "LIST", "auto", "skipgram: unlabelled text sources, of " + string.Join(", ", UnlabelledText.Names) + "; auto = brown,de-en and the Pang & Lee corpus that is not the task's; train = each fold's training texts"),
        new OptionSpec("pretrain-epochs", "N", "5", "skipgram: passes over the text").Ints(1),
        new OptionSpec("pretrain-window", "N", "5", "skipgram: largest context window on each side").Ints(1),
        new OptionSpec("pretrain-negative", "N", "5", "skipgram: negative samples per pair").Ints(1),
        new OptionSpec("pretrain-sample", "X", "1e-4", "skipgram: subsampling threshold (0 = off)").Numbers(0, 0.99),
        new OptionSpec("pretrain-min-count", "N", "5", "skipgram: minimum count of a word to get a vector").Ints(1),
    ];

    static readonly OptionSpec CheckpointOption = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint; a cross-validation run folder: its first fold's)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["classify", "train"], "train a text classifier (attn/mean/max/last/han) with stratified K-fold cross-validation; prints accuracy mean +- std",
            [.. DataOptions, .. ModelOptions, .. PretrainOptions, .. SharedOptions.Train(epochs: 30, batchSize: 32, lr: 3e-3, monitor: "error", schedule: "plateau", plateau: 2, gamma: 0.5, patience: 4, clip: 5)], null, Train),
        new(["classify", "vectors"], "train (or read from the cache) the skip-gram vectors of --pretrained skipgram and print each given word's nearest words by cosine",
            [new OptionSpec("task", "NAME", TextTasks.PolaritySentences, "the task whose default text (--pretrain-text auto) to use: " + string.Join(", ", TextTasks.Names)).OneOf(TextTasks.Names),
             new OptionSpec("embedding", "N", "100", "vector size").Ints(1), new("nearest", "WORDS", "good,bad,boring,film", "comma-separated words to show neighbours of"),
             new OptionSpec("pretrained", "NAME", "skipgram", "skipgram (the only kind here; none is refused)").OneOf("none", "skipgram"), .. PretrainOptions.Where(o => o.Name != "pretrained"),
             .. SharedOptions.Common()], null, Vectors),
        new(["classify", "eval"], "evaluate a text-classifier checkpoint on the test part of its fold (or --test FILE)",
            [CheckpointOption, new("test", "FILE", null, "a test CSV instead of the checkpoint's own test fold"), new OptionSpec("batch-size", "N", "64", "examples per batch").Ints(1), .. SharedOptions.Common()],
            null, Eval),
        new(["classify", "predict"], "classify a text with a checkpoint: the label and each class's probability",
            [CheckpointOption, .. SharedOptions.Common()], "TEXT", Predict),
        new(["classify", "explain"], "show a text with each word's (HAN: and sentence's) attention weight, in the terminal and optionally as an HTML page",
            [CheckpointOption, new("html", "FILE", null, "also write a self-contained HTML page"), new("no-color", null, null, "no terminal colours"), .. SharedOptions.Common()],
            "TEXT", Explain),
    ];

    static TextClassifierOptions NetOptions(ParsedArgs a)
    {
        var net = new TextClassifierOptions(
            Model: a.Variant<TextClassifierModel>("model"), Cell: a.Variant<AttentionSharp.Sequence.RnnCell>("cell"),
            VocabularySize: 3, Classes: 2,
            Embedding: a.Int("embedding"), Hidden: a.Int("hidden"), AttentionDim: a.Int("attention-dim"),
            Dropout: a.Double("dropout"), MinCount: a.Int("min-count"), MaxVocabulary: a.Int("max-vocab"),
            MaxTokens: a.Int("max-tokens"), MaxSentences: a.Int("max-sentences"), MaxSentenceTokens: a.Int("max-sentence-tokens"),
            WordDropout: a.Double("word-dropout"), FreezeEmbedding: a.Flag("freeze-embedding"), ExtendVocabulary: a.Flag("pretrained-vocab"));
        net.Validate();
        return net;
    }

    /// <summary>The skip-gram settings of <c>--pretrained skipgram</c> (null for <c>none</c>); a bad <c>--pretrain-text</c> is a usage error.</summary>
    static TextPretrainSpec? Pretrain(ParsedArgs a, string task)
    {
        if (a.Choice("pretrained") == "none") return null;
        var pretrain = new TextPretrainSpec(a.Required("pretrain-text"));
        try { pretrain.Sources(task); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return pretrain with
        {
            Window = a.Int("pretrain-window"), Negative = a.Int("pretrain-negative"), Sample = a.Double("pretrain-sample"),
            MinCount = a.Int("pretrain-min-count"), Epochs = a.Int("pretrain-epochs"),
        };
    }

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task");
        var net = NetOptions(a);
        int folds = a.Int("folds");
        var spec = new TextClassificationTrainSpec(task, a.String("train"), a.String("test"), a.Required("label-column"), a.Required("text-column"),
            folds, a.Int("fold"), a.Double("valid-fraction"), net, TrainFraction: a.Double("train-fraction"), Refit: a.Flag("refit"));
        if (spec.Refit && !(spec.ValidFraction > 0)) throw new UsageException("--refit needs --valid-fraction above 0: the validation part chooses the number of epochs");
        SharedOptions.Device(a); // a bad --device is reported before the run folder is named, as always
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"classify-{task}-{Variant.Name(net.Model)}"));
        trainer.Validate();
        spec = spec with { Pretrained = Pretrain(a, task) };
        if (task != TextTasks.Csv && (spec.TrainFile ?? spec.TestFile) != null) throw new UsageException($"--train/--test are for --task csv; task '{task}' uses its own dataset");
        if (task == TextTasks.Csv && spec.TrainFile == null) throw new UsageException("--task csv needs --train FILE (a CSV with a header row naming the label and text columns)");
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => TextClassificationExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Vectors(ParsedArgs a)
    {
        string task = a.Choice("task");
        int dimension = a.Int("embedding");
        if (a.Required("pretrain-text").Split(',').Any(s => s.Trim() == UnlabelledText.Train))
            throw new UsageException($"'attn classify vectors' has no fold, so no '{UnlabelledText.Train}' texts; name fixed sources ({string.Join(", ", UnlabelledText.Names.Where(n => n != UnlabelledText.Train))})");
        var pretrain = Pretrain(a, task) ?? throw new UsageException("'attn classify vectors' needs --pretrained skipgram");
        var vectors = TextClassificationExperiment.Vectors(new TextVectorsSpec(task, dimension, pretrain, a.Long("seed")), SharedOptions.Context(a));
        Console.WriteLine($"{vectors.Count:N0} words, dimension {vectors.Dimension}: {vectors.Description}");
        int top = Math.Min(vectors.Count, 10_000);
        Console.WriteLine($"mean cosine of 2,000 random pairs among the {top:N0} most frequent words: {TextClassificationExperiment.MeanRandomCosine(vectors, top):0.000}");
        foreach (var word in a.Required("nearest").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string key = Tokenizer.Text.Tokenize(word).FirstOrDefault() ?? word;
            if (vectors.IndexOf(key) < 0) { Console.WriteLine($"{key}: no vector"); continue; }
            Console.WriteLine($"{key}: " + string.Join(", ", vectors.Nearest(key, 8).Select(n => $"{n.Word} {n.Cosine:0.00}")));
        }
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new TextClassificationEvalSpec(a.Required("checkpoint"), a.String("test"), a.Int("batch-size"));
        Console.WriteLine(TextClassificationExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static string Text(ParsedArgs a)
    {
        var text = string.Join(' ', a.Positional);
        if (string.IsNullOrWhiteSpace(text)) throw new UsageException($"'attn {a.Verb.Name}' needs the text to classify, e.g. attn {a.Verb.Name} --checkpoint runs/x \"a gripping, beautifully acted film\"");
        return text;
    }

    static int Predict(ParsedArgs a)
    {
        string text = Text(a);
        var p = TextClassificationExperiment.Predict(a.Required("checkpoint"), text, SharedOptions.Context(a));
        Console.WriteLine($"{p.Label}\t{p.Probabilities[p.Best]:0.0000}");
        for (int i = 0; i < p.ClassNames.Count; i++) Console.WriteLine($"  {p.ClassNames[i]}: {p.Probabilities[i]:0.0000}");
        return 0;
    }

    static int Explain(ParsedArgs a)
    {
        string text = Text(a);
        var html = a.String("html");
        var p = TextClassificationExperiment.Explain(new TextExplainSpec(a.Required("checkpoint"), text, html), SharedOptions.Context(a));
        bool color = !a.Flag("no-color") && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") == null;
        Console.Write(TextAttentionRenderer.Terminal(p, color));
        if (html != null) Console.WriteLine($"wrote {Path.GetFullPath(html)}");
        return 0;
    }
}
