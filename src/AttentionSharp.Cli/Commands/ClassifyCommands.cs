using System.Diagnostics;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn classify train|eval|predict|explain</c>: attention-pooled BiGRU/BiLSTM, its pooling baselines and HAN on text.</summary>
public static class ClassifyCommands
{
    static readonly OptionSpec[] DataOptions =
    [
        new("task", "NAME", TextTasks.PolaritySentences, "text task: " + string.Join(", ", TextTasks.Names)),
        new("train", "FILE", null, "task csv: the training CSV (UTF-8, header row naming the columns)"),
        new("test", "FILE", null, "task csv: a separate test CSV (otherwise cross-validation folds of --train)"),
        new("label-column", "NAME", "label", "task csv: header name of the label column (any number of classes)"),
        new("text-column", "NAME", "text", "task csv: header name of the text column"),
        new("folds", "K", "10", "stratified cross-validation folds fixed by --seed (1 = one fixed 90/10 split)"),
        new("fold", "N", "0", "run only fold N (1-based; 0 = every fold)"),
        new("valid-fraction", "X", "0.1", "fraction of each training part held out (stratified) to pick the epoch that is tested; 0 = test the final epoch"),
    ];

    static readonly OptionSpec[] ModelOptions =
    [
        new("model", "NAME", "attn", "pooling: attn (attention), mean, max, last; or han (hierarchical attention network)"),
        new("cell", "NAME", "gru", "recurrent cell: gru or lstm (bidirectional)"),
        new("embedding", "N", "100", "word embedding size"),
        new("hidden", "N", "50", "recurrent units per direction"),
        new("attention-dim", "N", "100", "attention layer / context vector size"),
        new("dropout", "X", "0.3", "dropout on embeddings and the pooled vector"),
        new("min-count", "N", "2", "minimum count of a word in the training texts to enter the vocabulary"),
        new("max-vocab", "N", "30000", "largest vocabulary"),
        new("max-tokens", "N", "400", "flat models: tokens kept per text (first and last halves of the cap)"),
        new("max-sentences", "N", "30", "han: sentences kept per text (first and last halves of the cap)"),
        new("max-sentence-tokens", "N", "40", "han: tokens kept per sentence (the first ones)"),
        new("word-dropout", "X", "0", "in training, replace each word by <unk> with this probability"),
        new("freeze-embedding", null, null, "keep the embedding fixed in training (e.g. at its pretrained values)"),
        new("pretrained-vocab", null, null, "skipgram: the vocabulary also takes every word that has a pretrained vector (up to --max-vocab)"),
    ];

    static readonly OptionSpec[] PretrainOptions =
    [
        new("pretrained", "NAME", "none", "embedding initialisation: none (random) or skipgram (skip-gram vectors with negative sampling, trained on unlabelled text of size --embedding, cached)"),
        new("pretrain-text", "LIST", "auto", "skipgram: unlabelled text sources, of " + string.Join(", ", UnlabelledText.Names) + "; auto = brown,de-en and the Pang & Lee corpus that is not the task's; train = each fold's training texts"),
        new("pretrain-epochs", "N", "5", "skipgram: passes over the text"),
        new("pretrain-window", "N", "5", "skipgram: largest context window on each side"),
        new("pretrain-negative", "N", "5", "skipgram: negative samples per pair"),
        new("pretrain-sample", "X", "1e-4", "skipgram: subsampling threshold (0 = off)"),
        new("pretrain-min-count", "N", "5", "skipgram: minimum count of a word to get a vector"),
    ];

    static readonly OptionSpec CheckpointOption = new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint; a cross-validation run folder: its first fold's)");

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["classify", "train"], "train a text classifier (attn/mean/max/last/han) with stratified K-fold cross-validation; prints accuracy mean +- std",
            [.. DataOptions, .. ModelOptions, .. PretrainOptions, .. SharedOptions.Train(epochs: 5, batchSize: 32, lr: 2e-3, monitor: "loss")], null, Train),
        new(["classify", "vectors"], "train (or read from the cache) the skip-gram vectors of --pretrained skipgram and print each given word's nearest words by cosine",
            [new("task", "NAME", TextTasks.PolaritySentences, "the task whose default text (--pretrain-text auto) to use: " + string.Join(", ", TextTasks.Names)),
             new("embedding", "N", "100", "vector size"), new("nearest", "WORDS", "good,bad,boring,film", "comma-separated words to show neighbours of"),
             new("pretrained", "NAME", "skipgram", "skipgram (the only kind here)"), .. PretrainOptions.Where(o => o.Name != "pretrained"),
             .. SharedOptions.Common()], null, Vectors),
        new(["classify", "eval"], "evaluate a text-classifier checkpoint on the test part of its fold (or --test FILE)",
            [CheckpointOption, new("test", "FILE", null, "a test CSV instead of the checkpoint's own test fold"), new("batch-size", "N", "64", "examples per batch"), .. SharedOptions.Common()],
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
            Model: a.Choice("model", TextClassifierOptions.Models), Cell: a.Choice("cell", TextClassifierOptions.Cells),
            VocabularySize: 3, Classes: 2,
            Embedding: a.Int("embedding", 1), Hidden: a.Int("hidden", 1), AttentionDim: a.Int("attention-dim", 1),
            Dropout: a.Double("dropout", 0, 0.99), MinCount: a.Int("min-count", 1), MaxVocabulary: a.Int("max-vocab", 3),
            MaxTokens: a.Int("max-tokens", 1), MaxSentences: a.Int("max-sentences", 1), MaxSentenceTokens: a.Int("max-sentence-tokens", 1),
            WordDropout: a.Double("word-dropout", 0, 0.99), FreezeEmbedding: a.Flag("freeze-embedding"), ExtendVocabulary: a.Flag("pretrained-vocab"));
        net.Validate();
        return net;
    }

    /// <summary>The pretrained-vector source of <c>--pretrained skipgram</c> (null for <c>none</c>): cached skip-gram vectors on the chosen unlabelled text.</summary>
    static Func<IReadOnlyList<string>, WordVectors>? Pretrained(ParsedArgs a, string task, TextClassifierOptions net, long seed)
    {
        if (a.Choice("pretrained", "none", "skipgram") == "none") return null;
        string list = a.Required("pretrain-text");
        IReadOnlyList<string> sources;
        try { sources = UnlabelledText.Parse(list == "auto" ? UnlabelledText.DefaultFor(task) : list, task); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var options = new SkipGramOptions(Dimension: net.Embedding, Window: a.Int("pretrain-window", 1), Negative: a.Int("pretrain-negative", 1),
            Sample: a.Double("pretrain-sample", 0, 0.99), MinCount: a.Int("pretrain-min-count", 1), Epochs: a.Int("pretrain-epochs", 1), Seed: seed);
        options.Validate();
        string dataRoot = SharedOptions.DataRoot(a);
        Console.WriteLine($"pretrained embeddings: {options.Describe()} on {string.Join(" + ", sources)}");
        return texts => WordVectorCache.GetOrTrain(dataRoot, sources, texts, options, Console.Out);
    }

    /// <summary>Loads the task's corpus (and the separate test corpus of task csv with --test).</summary>
    static (TextCorpus Corpus, TextCorpus? Test) LoadData(string task, string? trainFile, string? testFile, string labelColumn, string textColumn, string dataRoot)
    {
        if (task != TextTasks.Csv)
        {
            if (trainFile != null || testFile != null) throw new UsageException($"--train/--test are for --task csv; task '{task}' uses its own dataset");
            return (TextTasks.Load(task, dataRoot, Console.Out), null);
        }
        if (trainFile == null) throw new UsageException("--task csv needs --train FILE (a CSV with a header row naming the label and text columns)");
        var corpus = TextTasks.LoadCsv(trainFile, labelColumn, textColumn);
        var test = testFile == null ? null : TextTasks.LoadCsv(testFile, labelColumn, textColumn, corpus.ClassNames);
        return (corpus, test);
    }

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task", TextTasks.Names);
        var net = NetOptions(a);
        int folds = a.Int("folds", 1, 100);
        int onlyFold = a.Int("fold", 0, folds);
        double validFraction = a.Double("valid-fraction", 0, 0.5);
        string? trainFile = a.String("train"), testFile = a.String("test");
        string labelColumn = a.Required("label-column"), textColumn = a.Required("text-column");
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"classify-{task}-{net.Model}");
        var trainer = SharedOptions.Trainer(a, outDir);
        trainer.Validate();
        var pretrained = Pretrained(a, task, net, trainer.Seed);

        var (corpus, separateTest) = LoadData(task, trainFile, testFile, labelColumn, textColumn, SharedOptions.DataRoot(a));
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");
        Console.WriteLine($"{corpus.Name}: {corpus.Count} texts, classes {string.Join(", ", corpus.ClassNames.Select((c, i) => $"{c} ({corpus.ClassCounts()[i]})"))}");

        var clock = Stopwatch.StartNew();
        var results = new List<FoldResult>();
        string? firstCheckpoint = null;
        var baseRun = new TextClassificationRun(task, folds, -1, trainer.Seed, trainFile == null ? null : Path.GetFullPath(trainFile),
            testFile == null ? null : Path.GetFullPath(testFile), labelColumn, textColumn, net, validFraction);
        if (separateTest != null)
        {
            var (r, _) = TrainingProgress.Run(SharedOptions.Progress(a),
                p => TextClassificationExperiment.TrainAndTest(corpus, separateTest, baseRun, trainer, device, p, pretrained));
            results.Add(r);
            firstCheckpoint = Path.Combine(outDir, Checkpoint.BestFile);
            Console.WriteLine($"test: accuracy {100 * r.Accuracy:0.00}% on {r.TestCount} texts (epoch {r.TestedEpoch} of {r.Epochs}; {r.TrainSeconds:0} s training)");
        }
        else
        {
            var splits = new StratifiedFolds(corpus.Labels, folds, trainer.Seed);
            for (int f = 0; f < folds; f++)
            {
                if (onlyFold > 0 && f != onlyFold - 1) continue;
                var (trainIdx, testIdx) = splits.Split(f);
                string foldDir = Path.Combine(outDir, $"fold-{f + 1:00}");
                var run = baseRun with { Fold = f };
                Console.WriteLine($"fold {f + 1}/{folds}: {trainIdx.Length} train, {testIdx.Length} test");
                var (r, _) = TrainingProgress.Run(SharedOptions.Progress(a),
                    p => TextClassificationExperiment.TrainAndTest(corpus.Subset(trainIdx), corpus.Subset(testIdx), run, trainer with { OutDir = foldDir }, device, p, pretrained));
                results.Add(r);
                firstCheckpoint ??= Path.Combine(foldDir, Checkpoint.BestFile);
                Console.WriteLine($"fold {f + 1}/{folds}: accuracy {100 * r.Accuracy:0.00}% (epoch {r.TestedEpoch} of {r.Epochs}; {r.TrainSeconds:0} s training, vocabulary {r.VocabularySize}{(pretrained != null ? $", {r.PretrainedWords} pretrained" : "")})");
            }
        }
        var (mean, std) = TextClassificationExperiment.MeanStd(results.Select(r => r.Accuracy).ToList());
        var result = new RunResult()
            .Add("task", task).Add("model", net.Model).Add("cell", net.Cell)
            .Add("folds", separateTest != null ? 0 : folds).Add("folds_run", results.Count)
            .Add("accuracy_mean", new Percent(100 * mean)).Add("accuracy_std", new Percent(100 * std))
            .Add("epochs", trainer.Epochs).Add("valid_fraction", validFraction)
            .Add("tested_epochs", string.Join(",", results.Select(r => r.TestedEpoch)))
            .Add("pretrained", pretrained == null ? "none" : "skipgram")
            .Add("word_dropout", net.WordDropout).Add("freeze_embedding", net.FreezeEmbedding).Add("pretrained_vocab", net.ExtendVocabulary)
            .Add("folds_accuracy", string.Join(",", results.Select(r => (100 * r.Accuracy).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture))))
            .Add("train_seconds_mean", Math.Round(results.Average(r => r.TrainSeconds), 1))
            .Add("pretrain_seconds_mean", Math.Round(results.Average(r => r.PretrainSeconds), 1))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds))
            .Add("checkpoint", firstCheckpoint!);
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Vectors(ParsedArgs a)
    {
        string task = a.Choice("task", TextTasks.Names);
        var net = new TextClassifierOptions(Embedding: a.Int("embedding", 1));
        if (a.Required("pretrain-text").Split(',').Any(s => s.Trim() == UnlabelledText.Train))
            throw new UsageException($"'attn classify vectors' has no fold, so no '{UnlabelledText.Train}' texts; name fixed sources ({string.Join(", ", UnlabelledText.Names.Where(n => n != UnlabelledText.Train))})");
        var pretrained = Pretrained(a, task, net, a.Long("seed")) ?? throw new UsageException("'attn classify vectors' needs --pretrained skipgram");
        var vectors = pretrained([]);
        Console.WriteLine($"{vectors.Count:N0} words, dimension {vectors.Dimension}: {vectors.Description}");
        var rng = new Random(1);
        int top = Math.Min(vectors.Count, 10_000);
        double pairs = Enumerable.Range(0, 2000).Average(_ => WordVectors.Cosine(
            vectors.Vectors.AsSpan(rng.Next(top) * vectors.Dimension, vectors.Dimension), vectors.Vectors.AsSpan(rng.Next(top) * vectors.Dimension, vectors.Dimension)));
        Console.WriteLine($"mean cosine of 2,000 random pairs among the {top:N0} most frequent words: {pairs:0.000}");
        foreach (var word in a.Required("nearest").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string key = TextTokenizer.Tokenize(word).FirstOrDefault() ?? word;
            if (vectors.IndexOf(key) < 0) { Console.WriteLine($"{key}: no vector"); continue; }
            Console.WriteLine($"{key}: " + string.Join(", ", vectors.Nearest(key, 8).Select(n => $"{n.Word} {n.Cosine:0.00}")));
        }
        return 0;
    }

    static TextClassifierBundle LoadBundle(ParsedArgs a) => TextClassifierBundle.Load(a.Required("checkpoint"), SharedOptions.Device(a));

    static int Eval(ParsedArgs a)
    {
        string path = TextClassifierBundle.ResolvePath(a.Required("checkpoint"));
        var bundle = TextClassifierBundle.Load(path, SharedOptions.Device(a));
        var run = bundle.Run;
        string? testFile = a.String("test") ?? run.TestFile;
        TextCorpus test;
        if (testFile != null)
            test = TextTasks.LoadCsv(testFile, run.LabelColumn, run.TextColumn, bundle.ClassNames);
        else
        {
            var (corpus, _) = LoadData(run.Task, run.TrainFile, null, run.LabelColumn, run.TextColumn, SharedOptions.DataRoot(a));
            if (!corpus.ClassNames.SequenceEqual(bundle.ClassNames))
                throw new CheckpointException($"'{path}' was trained on classes {string.Join(", ", bundle.ClassNames)}; the data now has {string.Join(", ", corpus.ClassNames)}");
            test = corpus.Subset(new StratifiedFolds(corpus.Labels, run.Folds, run.Seed).Split(Math.Max(0, run.Fold)).Test);
        }
        var clock = Stopwatch.StartNew();
        var set = new EncodedTextSet(bundle.Encoder.EncodeAll(test.Texts), test.Labels, bundle.Classifier.Options.Hierarchical, SharedOptions.Device(a));
        var metrics = Trainer<TextBatch>.Evaluate(new TextClassificationTask(bundle.Classifier), set, a.Int("batch-size", 1));
        var result = new RunResult().Add("task", run.Task).Add("model", run.Net.Model)
            .Add("fold", run.Fold + 1).Add("folds", run.Folds)
            .Add("test_accuracy", new Percent(100 * (1 - metrics["error"]))).Add("test_loss", metrics["loss"]);
        return SharedOptions.ReportEval(result, set.Count, clock.Elapsed.TotalSeconds, path);
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
        var p = LoadBundle(a).Predict(text);
        Console.WriteLine($"{p.Label}\t{p.Probabilities[p.Best]:0.0000}");
        for (int i = 0; i < p.ClassNames.Count; i++) Console.WriteLine($"  {p.ClassNames[i]}: {p.Probabilities[i]:0.0000}");
        return 0;
    }

    static int Explain(ParsedArgs a)
    {
        string text = Text(a);
        var bundle = LoadBundle(a);
        var p = bundle.Predict(text);
        bool color = !a.Flag("no-color") && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") == null;
        Console.Write(TextAttentionRenderer.Terminal(p, color));
        var html = a.String("html");
        if (html != null)
        {
            AtomicFile.WriteAllText(html, TextAttentionRenderer.Html(p, $"{bundle.Run.Net.Model} on {bundle.Run.Task}: attention"));
            Console.WriteLine($"wrote {Path.GetFullPath(html)}");
        }
        return 0;
    }
}
