using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AttentionSharp.Data;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn tag train|eval|run|brown-chunks</c>: CRF, BiLSTM-CRF and BiLSTM-CRF-attention sequence taggers.</summary>
public static partial class TagCommands
{
    /// <summary>Checkpoint kind prefix; the kind is <c>tag/MODEL</c>.</summary>
    public const string KindPrefix = "tag/";

    /// <summary>The tasks.</summary>
    public static readonly string[] Tasks = ["brown", "brown-universal", "conll"];

    /// <summary>What a tagger checkpoint records: task, files of a CoNLL task, training-set cap and the network options.</summary>
    /// <param name="Task">brown, brown-universal or conll.</param>
    /// <param name="Net">Tagger options (lexicon sizes filled in).</param>
    /// <param name="TrainFile">CoNLL training file (conll task).</param>
    /// <param name="DevFile">CoNLL validation file (conll task).</param>
    /// <param name="TestFile">CoNLL test file (conll task).</param>
    /// <param name="MaxSentences">Training sentences used (0 = all).</param>
    /// <param name="MinWordCount">Words seen fewer times in training are unknown.</param>
    /// <param name="MinFeatureCount">Features seen fewer times are dropped.</param>
    public sealed record TagRun(string Task, TaggerOptions Net, string? TrainFile, string? DevFile, string? TestFile,
        int MaxSentences, int MinWordCount, int MinFeatureCount);

    static readonly OptionSpec[] ModelOptions =
    [
        new("task", "NAME", "brown-universal", "brown (full Brown tag set), brown-universal (12 universal tags) or conll (--train/--dev/--test files)"),
        new("model", "NAME", "bilstm-crf", "crf (CRF on hand-made features), bilstm-crf or bilstm-crf-attn"),
        new("train", "FILE", null, "conll task: training file (token ... tag columns)"),
        new("dev", "FILE", null, "conll task: validation file (selects the best epoch)"),
        new("test", "FILE", null, "conll task: test file"),
        new("max-sentences", "N", "0", "use only the first N training sentences (0 = all; for quick runs)"),
        new("dev-sentences", "N", "0", "validate on only the first N validation sentences (0 = all; for quick runs)"),
        new("word-dim", "N", "100", "word embedding size"),
        new("chars", "on|off", "on", "character CNN features (BiLSTM models)"),
        new("hidden", "N", "128", "LSTM units per direction"),
        new("heads", "N", "4", "attention heads (bilstm-crf-attn)"),
        new("feature-dim", "N", "16", "rank of the feature CRF's emission map (features -> N -> tags)"),
        new("dropout", "X", "0.25", "dropout on embeddings and LSTM states"),
        new("min-count", "N", "2", "words seen fewer times in training are unknown"),
        new("min-feature-count", "N", "2", "features seen fewer times are dropped (crf)"),
        new("constraints", "auto|on|off", "auto", "BIO-valid decoding: auto = on when every tag is O, B-X or I-X"),
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["tag", "train"], "train a CRF / BiLSTM-CRF / BiLSTM-CRF-attention tagger on Brown or CoNLL files, then evaluate on the test set",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 5, batchSize: 32, lr: 2e-3)], null, Train),
        new(["tag", "eval"], "evaluate a tagger checkpoint: token accuracy and conlleval span P/R/F1",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("test", "FILE", null, "CoNLL file to evaluate on (default: the task's test set)"),
             new("batch-size", "N", "64", "sentences per batch"), .. SharedOptions.Common()], null, Eval),
        new(["tag", "run"], "tag a sentence given on the command line (prints token/tag) or a CoNLL file (--conll IN --out OUT)",
            [new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
             new("conll", "FILE", null, "CoNLL file to tag (first column = token); writes its columns plus the predicted tag"),
             new("out", "FILE", null, "output file for --conll"),
             new("device", "NAME", "cpu", "cpu, cuda or cuda:N"), new("verbose", null, null, "stack traces on errors")], "TEXT", RunTagger),
        new(["tag", "brown-chunks"], "write Brown noun-phrase chunks (BIO) as CoNLL files train.txt, dev.txt, test.txt (document split)",
            [new("out", "DIR", null, "folder for the three files"), new("data-dir", "DIR", null, "dataset cache"),
             new("verbose", null, null, "stack traces on errors")], null, BrownChunksVerb),
    ];

    /// <summary>The sentences of a task: training, validation, test and those whose tags define the tag set.</summary>
    static (List<TaggedSentence> Train, List<TaggedSentence>? Dev, List<TaggedSentence>? Test, IEnumerable<TaggedSentence> TagSource)
        LoadTask(string task, string? train, string? dev, string? test, string dataRoot)
    {
        if (task == "conll")
        {
            if (train == null) throw new UsageException("--task conll needs --train FILE (and usually --dev and --test)");
            var tr = ConllFile.ReadTagged(train);
            var known = tr.SelectMany(s => s.Tags).ToHashSet();
            List<TaggedSentence>? Other(string? f)
            {
                if (f == null) return null;
                ConllFile.CheckTags(ConllFile.Read(f, 2), known, f);
                return ConllFile.ReadTagged(f);
            }
            return (tr, Other(dev), Other(test), tr);
        }
        var split = BrownCorpus.Ensure(dataRoot, Console.Out, universal: task == "brown-universal");
        // The tag set is the corpus's own (every tag of the 500 texts), so a rare tag met only in the test texts is a label the model can predict.
        return (split.Train.ToList(), split.Valid.ToList(), split.Test.ToList(), split.Train.Concat(split.Valid).Concat(split.Test));
    }

    static bool AllBio(IEnumerable<string> tags) => tags.All(TransitionConstraints.IsBioTag);

    static int Train(ParsedArgs a)
    {
        string task = a.Choice("task", Tasks);
        string model = a.Choice("model", TaggerOptions.Models);
        if (task != "conll" && (a.Has("train") || a.Has("dev") || a.Has("test")))
            throw new UsageException($"--train/--dev/--test are for --task conll; --task {task} uses the Brown corpus split");
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"tag-{task}-{model}");
        var trainerOptions = SharedOptions.Trainer(a, outDir);
        string? trainFile = a.String("train") is { } t1 ? Path.GetFullPath(t1) : null;
        string? devFile = a.String("dev") is { } t2 ? Path.GetFullPath(t2) : null;
        string? testFile = a.String("test") is { } t3 ? Path.GetFullPath(t3) : null;
        if (devFile == null && task == "conll" && trainerOptions.Monitor == "error") trainerOptions = trainerOptions with { Monitor = "loss" };
        trainerOptions.Validate();
        int maxSentences = a.Int("max-sentences", 0);
        int minCount = a.Int("min-count", 1), minFeatureCount = a.Int("min-feature-count", 1);

        var clock = Stopwatch.StartNew();
        var (train, dev, test, tagSource) = LoadTask(task, trainFile, devFile, testFile, SharedOptions.DataRoot(a));
        if (maxSentences > 0 && train.Count > maxSentences) train = train.Take(maxSentences).ToList();
        int devSentences = a.Int("dev-sentences", 0);
        if (devSentences > 0 && dev != null && dev.Count > devSentences) dev = dev.Take(devSentences).ToList();
        var net = new TaggerOptions(Model: model, WordDim: a.Int("word-dim", 1), UseChars: a.Choice("chars", "on", "off") == "on",
            Hidden: a.Int("hidden", 1), FeatureDim: a.Int("feature-dim", 1), Heads: a.Int("heads", 1), Dropout: a.Double("dropout", 0, 0.99));

        TaggerVocabularies vocab;
        TagRun run;
        if (trainerOptions.Resume && File.Exists(Path.Combine(outDir, Checkpoint.LastFile)))
        {
            // A resume must rebuild the very same lexicons: take them from the checkpoint.
            var header = Checkpoint.ReadHeader(Path.Combine(outDir, Checkpoint.LastFile));
            vocab = TaggerVocabularies.FromJson(header.Extra);
            run = header.Options.Deserialize<TagRun>(Checkpoint.Json) ?? throw new CheckpointException("the checkpoint has no tagger options");
        }
        else
        {
            vocab = TaggerVocabularies.Build(train, minCount, minFeatureCount, withFeatures: net.UsesFeatures, tagSource);
            string constraints = a.Choice("constraints", "auto", "on", "off");
            bool bio = constraints == "on" || (constraints == "auto" && AllBio(vocab.Tags.Items));
            net = net with { Words = vocab.Words.Count, Chars = vocab.Chars.Count, Features = vocab.Features.Count, Tags = vocab.Tags.Count, BioConstraints = bio };
            run = new TagRun(task, net.Validate(), trainFile, devFile, testFile, maxSentences, minCount, minFeatureCount);
        }
        net = run.Net;
        var trainSet = new TaggingDataset(train, vocab, net.UseChars && !net.UsesFeatures, net.UsesFeatures, device: device);
        var devSet = dev == null ? null : new TaggingDataset(dev, vocab, net.UseChars && !net.UsesFeatures, net.UsesFeatures, sortByLength: true, device: device);
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");
        Console.WriteLine($"data: {trainSet.Count} training sentences ({trainSet.TokenCount} tokens), {devSet?.Count ?? 0} validation, {test?.Count ?? 0} test; " +
                          $"{vocab.Tags.Count} tags, {vocab.Words.Count} words, {vocab.Features.Count} features; loaded in {clock.Elapsed.TotalSeconds:0} s");

        manual_seed(trainerOptions.Seed);
        var tagger = CrfTagger.Create(net, vocab.Tags.Items);
        tagger.Module.to(device);
        long parameters = tagger.Module.parameters().Sum(p => p.numel());
        var identity = ModelIdentity.Of(KindPrefix + model, run, vocab.ToJson());
        // Length buckets of --batch-size sentences; the trainer then takes one bucket per step.
        var trainBuckets = new BucketedBatches(trainSet, trainerOptions.BatchSize, (int)trainerOptions.Seed);
        var devBuckets = devSet == null ? null : new BucketedBatches(devSet, 64);
        var bucketOptions = trainerOptions with { BatchSize = 1 };
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<TaggingBatch>(bucketOptions).Fit(new TaggingTask(tagger), identity, trainBuckets, devBuckets, p));

        string best = Path.Combine(outDir, File.Exists(Path.Combine(outDir, Checkpoint.BestFile)) ? Checkpoint.BestFile : Checkpoint.LastFile);
        Checkpoint.Load(best, KindPrefix + model, tagger.Module);
        tagger.Module.to(device);
        var result = new RunResult().Add("task", task).Add("model", model);
        if (test != null)
        {
            var evalClock = Stopwatch.StartNew();
            var testSet = new TaggingDataset(test, vocab, net.UseChars && !net.UsesFeatures, net.UsesFeatures, sortByLength: true, device: device);
            AddScores(result, tagger, testSet, vocab, net.BioConstraints || AllBio(vocab.Tags.Items));
            result.Add("test_seconds", Math.Round(evalClock.Elapsed.TotalSeconds, 1));
        }
        result.Add("tags", vocab.Tags.Count).Add("train_sentences", trainSet.Count).Add("parameters", parameters)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", best);
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static void AddScores(RunResult result, ICrfTagger tagger, TaggingDataset data, TaggerVocabularies vocab, bool spans)
    {
        var predicted = CrfTagger.PredictAll(tagger, data);
        var m = CrfTagger.Score(data, predicted, vocab.Tags);
        result.Add("test_accuracy", new Percent(100 * m.Accuracy)).Add("test_tokens", m.Tokens);
        if (spans)
            result.Add("span_precision", new Percent(100 * m.Precision)).Add("span_recall", new Percent(100 * m.Recall))
                  .Add("span_f1", new Percent(100 * m.F1)).Add("gold_spans", m.GoldChunks);
    }

    /// <summary>Reads a tagger checkpoint's run record and lexicons and builds the loaded model.</summary>
    static (TagRun Run, TaggerVocabularies Vocab, ICrfTagger Tagger, string Path) Open(string path, Device device)
    {
        (path, var header, var run) = SharedOptions.ReadRun<TagRun>(path, k => k.StartsWith(KindPrefix, StringComparison.Ordinal), "a tagger");
        var vocab = TaggerVocabularies.FromJson(header.Extra);
        var tagger = CrfTagger.Create(run.Net, vocab.Tags.Items);
        Checkpoint.Load(path, header.Kind, tagger.Module);
        tagger.Module.to(device);
        tagger.Module.eval();
        return (run, vocab, tagger, path);
    }

    static int Eval(ParsedArgs a)
    {
        var device = SharedOptions.Device(a);
        var (run, vocab, tagger, path) = Open(a.Required("checkpoint"), device);
        List<TaggedSentence> test;
        string? file = a.String("test") ?? run.TestFile;
        if (file != null)
        {
            ConllFile.CheckTags(ConllFile.Read(file, 2), vocab.Tags.Items.ToHashSet(), file);
            test = ConllFile.ReadTagged(file);
        }
        else if (run.Task == "conll") throw new UsageException("this conll checkpoint records no test file; pass --test FILE");
        else test = BrownCorpus.Ensure(SharedOptions.DataRoot(a), Console.Out, run.Task == "brown-universal").Test.ToList();
        var clock = Stopwatch.StartNew();
        var data = new TaggingDataset(test, vocab, run.Net.UseChars && !run.Net.UsesFeatures, run.Net.UsesFeatures, sortByLength: true, device: device);
        var result = new RunResult().Add("task", run.Task).Add("model", run.Net.Model);
        AddScores(result, tagger, data, vocab, run.Net.BioConstraints || AllBio(vocab.Tags.Items));
        return SharedOptions.ReportEval(result, data.Count, clock.Elapsed.TotalSeconds, path, "sentences");
    }

    [GeneratedRegex(@"(?:\w\.){2,}|\w+(?:[-'.]\w+)*|``|''|--|[^\w\s]")]
    private static partial Regex TokenPattern();

    /// <summary>Splits raw text into tokens: words (with inner hyphens, apostrophes and dots) and single punctuation marks.</summary>
    public static string[] Tokenize(string text) => TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    static string[] Tag(ICrfTagger tagger, TaggerVocabularies vocab, TagRun run, string[] tokens, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var placeholder = Enumerable.Repeat(vocab.Tags[0], tokens.Length).ToArray();
        var data = new TaggingDataset([new TaggedSentence(tokens, placeholder)], vocab, run.Net.UseChars && !run.Net.UsesFeatures, run.Net.UsesFeatures, device: device);
        return CrfTagger.Predict(tagger, data.GetBatch([0]))[0].Select(i => vocab.Tags[i]).ToArray();
    }

    static int RunTagger(ParsedArgs a)
    {
        var device = SharedOptions.Device(a);
        string? conll = a.String("conll");
        if (conll == null && a.Positional.Count == 0) throw new UsageException("give a sentence to tag, e.g. attn tag run --checkpoint RUN \"The quick brown fox jumps .\", or --conll IN --out OUT");
        if (conll != null && a.Positional.Count > 0) throw new UsageException("give either a sentence or --conll FILE, not both");
        var (run, vocab, tagger, _) = Open(a.Required("checkpoint"), device);
        if (conll == null)
        {
            var tokens = Tokenize(string.Join(' ', a.Positional));
            if (tokens.Length == 0) throw new UsageException("the text holds no tokens");
            var tags = Tag(tagger, vocab, run, tokens, device);
            Console.WriteLine(string.Join(' ', tokens.Zip(tags, (w, t) => w + "/" + t)));
            return 0;
        }
        string output = a.String("out") ?? throw new UsageException("--conll needs --out FILE for the tagged copy");
        var sentences = ConllFile.Read(conll, minColumns: 1);
        var predicted = sentences.Select(s => (IReadOnlyList<string>)Tag(tagger, vocab, run, s.Tokens, device)).ToList();
        ConllFile.Write(output, sentences, predicted);
        Console.WriteLine($"tagged {sentences.Count} sentences ({sentences.Sum(s => s.Rows.Count)} tokens) -> {Path.GetFullPath(output)}");
        return 0;
    }

    static int BrownChunksVerb(ParsedArgs a)
    {
        string dir = a.Required("out");
        var split = BrownCorpus.Ensure(DataCache.Resolve(a.String("data-dir")), Console.Out, universal: false);
        Directory.CreateDirectory(dir);
        foreach (var (name, part) in new[] { ("train.txt", split.Train), ("dev.txt", split.Valid), ("test.txt", split.Test) })
        {
            ConllFile.WriteTagged(Path.Combine(dir, name), part.Select(BrownChunks.Convert).ToList());
            Console.WriteLine($"{Path.Combine(dir, name)}: {part.Count} sentences");
        }
        return 0;
    }
}
