using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AttentionSharp.Data;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Tagging;

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

/// <summary>What to train: a tagging task and the tagger's choices (see docs/tagging.md).</summary>
/// <param name="Task">brown (full Brown tag set), brown-universal (12 universal tags) or conll (<see cref="TrainFile"/> ...).</param>
/// <param name="Model">crf (CRF on hand-made features), bilstm-crf or bilstm-crf-attn.</param>
/// <param name="TrainFile">conll: training file (token ... tag columns).</param>
/// <param name="DevFile">conll: validation file (selects the best epoch; without it the best training loss does).</param>
/// <param name="TestFile">conll: test file.</param>
/// <param name="MaxSentences">Use only the first this many training sentences (0: all).</param>
/// <param name="DevSentences">Validate on only the first this many validation sentences (0: all).</param>
/// <param name="WordDim">Word embedding size.</param>
/// <param name="Chars">Character CNN features (BiLSTM models).</param>
/// <param name="Hidden">LSTM units per direction.</param>
/// <param name="Heads">Attention heads (bilstm-crf-attn).</param>
/// <param name="FeatureDim">Rank of the feature CRF's emission map (features -> N -> tags).</param>
/// <param name="Dropout">Dropout on embeddings and LSTM states.</param>
/// <param name="MinCount">Words seen fewer times in training are unknown.</param>
/// <param name="MinFeatureCount">Features seen fewer times are dropped (crf).</param>
/// <param name="Constraints">BIO-valid decoding: auto (on when every tag is O, B-X or I-X), on or off.</param>
public sealed record TagTrainSpec(
    string Task = "brown-universal", TaggerModel Model = TaggerModel.BiLstmCrf, string? TrainFile = null, string? DevFile = null, string? TestFile = null,
    int MaxSentences = 0, int DevSentences = 0, int WordDim = 100, bool Chars = true, int Hidden = 128, int Heads = 4, int FeatureDim = 16,
    double Dropout = 0.25, int MinCount = 2, int MinFeatureCount = 2, string Constraints = "auto")
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range or combined wrongly.</summary>
    public void Validate()
    {
        if (!TagExperiment.Tasks.Contains(Task)) throw new ArgumentException($"Task must be one of {string.Join(", ", TagExperiment.Tasks)}; got '{Task}'");
        Variant.Check(Model, nameof(Model));
        if (Task != "conll" && (TrainFile ?? DevFile ?? TestFile) != null)
            throw new ArgumentException($"TrainFile/DevFile/TestFile are for Task conll; Task {Task} uses the Brown corpus split");
        if (Task == "conll" && TrainFile == null) throw new ArgumentException("Task conll needs TrainFile (and usually DevFile and TestFile)");
        if (MaxSentences < 0) throw new ArgumentException($"MaxSentences must be >= 0; got {MaxSentences}");
        if (DevSentences < 0) throw new ArgumentException($"DevSentences must be >= 0; got {DevSentences}");
        foreach (var (name, value) in new[] { ("WordDim", WordDim), ("Hidden", Hidden), ("Heads", Heads), ("FeatureDim", FeatureDim), ("MinCount", MinCount), ("MinFeatureCount", MinFeatureCount) })
            if (value < 1) throw new ArgumentException($"{name} must be >= 1; got {value}");
        if (Dropout is < 0 or > 0.99) throw new ArgumentException($"Dropout must be in [0, 0.99]; got {Dropout}");
        if (Constraints is not ("auto" or "on" or "off")) throw new ArgumentException($"Constraints must be auto, on or off; got '{Constraints}'");
    }

    /// <summary>The network options before the lexicons are known (sizes 0).</summary>
    public TaggerOptions Net => new(Model: Model, WordDim: WordDim, UseChars: Chars, Hidden: Hidden, FeatureDim: FeatureDim, Heads: Heads, Dropout: Dropout);
}

/// <summary>What to evaluate: a tagger checkpoint on its task's test set or a CoNLL file.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="TestFile">CoNLL file to evaluate on (null: the task's test set, or the test file the checkpoint records).</param>
/// <param name="BatchSize">Sentences per batch.</param>
public sealed record TagEvalSpec(string Checkpoint, string? TestFile = null, int BatchSize = 64);

/// <summary>What to tag: a CoNLL file (first column: the token), written again with the predicted tag as a last column.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Input">CoNLL file to tag.</param>
/// <param name="Output">File for the tagged copy.</param>
public sealed record TagFileSpec(string Checkpoint, string Input, string Output);

/// <summary>A tagger checkpoint loaded: its path, run record, lexicons and model (in eval mode).</summary>
/// <param name="Path">The checkpoint file.</param>
/// <param name="Run">Its run record.</param>
/// <param name="Vocab">Its lexicons.</param>
/// <param name="Tagger">The model.</param>
/// <param name="Device">The device the model is on.</param>
public sealed record LoadedTagger(string Path, TagRun Run, TaggerVocabularies Vocab, ICrfTagger Tagger, Device Device)
{
    /// <summary>The tags of one sentence's tokens.</summary>
    public string[] Tag(IReadOnlyList<string> tokens)
    {
        using var scope = torch.NewDisposeScope();
        var placeholder = Enumerable.Repeat(Vocab.Tags[0], tokens.Count).ToArray();
        var data = new TaggingDataset([new TaggedSentence([.. tokens], placeholder)], Vocab, Run.Net.UseChars && !Run.Net.UsesFeatures, Run.Net.UsesFeatures, device: Device);
        return CrfTagger.Predict(Tagger, data.GetBatch([0]))[0].Select(i => Vocab.Tags[i]).ToArray();
    }
}

/// <summary>
/// Sequence tagging (CRF on features, BiLSTM-CRF, BiLSTM-CRF with attention) as an experiment: <see cref="Train"/>
/// (Brown or CoNLL files to a tested run folder), <see cref="Evaluate"/> (token accuracy and conlleval span P/R/F1),
/// <see cref="Tag"/> and <see cref="TagFile"/> (new text), <see cref="BrownChunks"/> (the Brown NP-chunk CoNLL files).
/// <c>attn tag train|eval|run|brown-chunks</c> call these.
/// </summary>
public static partial class TagExperiment
{
    /// <summary>Checkpoint kind prefix; the kind is <c>tag/MODEL</c>.</summary>
    public const string KindPrefix = "tag/";

    /// <summary>The tasks.</summary>
    public static readonly string[] Tasks = ["brown", "brown-universal", "conll"];

    /// <summary>The checkpoint kind of a tagger model (<c>tag/crf</c>, ...).</summary>
    public static string Kind(TaggerModel model) => KindPrefix + Variant.Name(model);

    /// <summary>
    /// Trains a tagger in <see cref="TrainerOptions.OutDir"/> (length buckets of <see cref="TrainerOptions.BatchSize"/> sentences)
    /// and scores its best checkpoint on the test set when there is one. A conll task without a validation file monitors
    /// the training loss when the trainer's monitor is <c>error</c>. A resume takes the lexicons from the last checkpoint.
    /// </summary>
    public static RunResult Train(TagTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string? trainFile = Full(spec.TrainFile), devFile = Full(spec.DevFile), testFile = Full(spec.TestFile);
        if (devFile == null && spec.Task == "conll" && trainer.Monitor == "error") trainer = trainer with { Monitor = "loss" };
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var (device, log) = (context.Device, context.Log);

        var clock = Stopwatch.StartNew();
        var (train, dev, test, tagSource) = LoadTask(spec.Task, trainFile, devFile, testFile, context.DataRoot, log);
        if (spec.MaxSentences > 0 && train.Count > spec.MaxSentences) train = train.Take(spec.MaxSentences).ToList();
        if (spec.DevSentences > 0 && dev != null && dev.Count > spec.DevSentences) dev = dev.Take(spec.DevSentences).ToList();
        var (vocab, run) = Lexicons(spec, trainer, train, tagSource, trainFile, devFile, testFile);
        var net = run.Net;
        bool chars = net.UseChars && !net.UsesFeatures;
        var trainSet = new TaggingDataset(train, vocab, chars, net.UsesFeatures, device: device);
        var devSet = dev == null ? null : new TaggingDataset(dev, vocab, chars, net.UsesFeatures, sortByLength: true, device: device);
        log.WriteLine($"run folder: {outDir}");
        log.WriteLine($"data: {trainSet.Count} training sentences ({trainSet.TokenCount} tokens), {devSet?.Count ?? 0} validation, {test?.Count ?? 0} test; " +
                      $"{vocab.Tags.Count} tags, {vocab.Words.Count} words, {vocab.Features.Count} features; loaded in {clock.Elapsed.TotalSeconds:0} s");

        manual_seed(trainer.Seed);
        var tagger = CrfTagger.Create(net, vocab.Tags.Items);
        tagger.Module.to(device);
        long parameters = tagger.Module.parameters().Sum(p => p.numel());
        var identity = ModelIdentity.Of(Kind(spec.Model), run, vocab.ToJson());
        // Length buckets of BatchSize sentences; the trainer then takes one bucket per step.
        var trainBuckets = new BucketedBatches(trainSet, trainer.BatchSize, (int)trainer.Seed);
        var devBuckets = devSet == null ? null : new BucketedBatches(devSet, 64);
        var summary = new Trainer<TaggingBatch>(trainer with { BatchSize = 1 }).Fit(new TaggingTask(tagger), identity, trainBuckets, devBuckets, context.Progress);

        string best = Path.Combine(outDir, File.Exists(Path.Combine(outDir, Checkpoint.BestFile)) ? Checkpoint.BestFile : Checkpoint.LastFile);
        Checkpoint.Load(best, Kind(spec.Model), tagger.Module);
        tagger.Module.to(device);
        var result = new RunResult().Add("task", spec.Task).Add("model", Variant.Name(spec.Model));
        if (test != null)
        {
            var evalClock = Stopwatch.StartNew();
            var testSet = new TaggingDataset(test, vocab, chars, net.UsesFeatures, sortByLength: true, device: device);
            AddScores(result, tagger, testSet, vocab, net.BioConstraints || AllBio(vocab.Tags.Items));
            result.Add("test_seconds", Math.Round(evalClock.Elapsed.TotalSeconds, 1));
        }
        result.Add("tags", vocab.Tags.Count).Add("train_sentences", trainSet.Count).Add("parameters", parameters)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("checkpoint", best);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    static string? Full(string? file) => file == null ? null : Path.GetFullPath(file);

    /// <summary>The lexicons and run record: built from the training sentences, or on a resume taken from the last checkpoint (the very same lexicons).</summary>
    static (TaggerVocabularies Vocab, TagRun Run) Lexicons(TagTrainSpec spec, TrainerOptions trainer, List<TaggedSentence> train, IEnumerable<TaggedSentence> tagSource,
        string? trainFile, string? devFile, string? testFile)
    {
        string last = Path.Combine(trainer.OutDir!, Checkpoint.LastFile);
        if (trainer.Resume && File.Exists(last))
        {
            var header = Checkpoint.ReadHeader(last);
            var stored = header.Options.Deserialize<TagRun>(Checkpoint.Json) ?? throw new CheckpointException("the checkpoint has no tagger options");
            return (TaggerVocabularies.FromJson(header.Extra), stored);
        }
        var net = spec.Net;
        var vocab = TaggerVocabularies.Build(train, spec.MinCount, spec.MinFeatureCount, withFeatures: net.UsesFeatures, tagSource);
        bool bio = spec.Constraints == "on" || (spec.Constraints == "auto" && AllBio(vocab.Tags.Items));
        net = net with { Words = vocab.Words.Count, Chars = vocab.Chars.Count, Features = vocab.Features.Count, Tags = vocab.Tags.Count, BioConstraints = bio };
        return (vocab, new TagRun(spec.Task, net.Validate(), trainFile, devFile, testFile, spec.MaxSentences, spec.MinCount, spec.MinFeatureCount));
    }

    /// <summary>The sentences of a task: training, validation, test and those whose tags define the tag set.</summary>
    static (List<TaggedSentence> Train, List<TaggedSentence>? Dev, List<TaggedSentence>? Test, IEnumerable<TaggedSentence> TagSource)
        LoadTask(string task, string? train, string? dev, string? test, string dataRoot, TextWriter log)
    {
        if (task == "conll")
        {
            if (train == null) throw new ArgumentException("Task conll needs TrainFile (and usually DevFile and TestFile)");
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
        var split = BrownCorpus.Ensure(dataRoot, log, universal: task == "brown-universal");
        // The tag set is the corpus's own (every tag of the 500 texts), so a rare tag met only in the test texts is a label the model can predict.
        return (split.Train.ToList(), split.Valid.ToList(), split.Test.ToList(), split.Train.Concat(split.Valid).Concat(split.Test));
    }

    static bool AllBio(IEnumerable<string> tags) => tags.All(TransitionConstraints.IsBioTag);

    static void AddScores(RunResult result, ICrfTagger tagger, TaggingDataset data, TaggerVocabularies vocab, bool spans, int batchSize = 64)
    {
        var predicted = CrfTagger.PredictAll(tagger, data, batchSize);
        var m = CrfTagger.Score(data, predicted, vocab.Tags);
        result.Add("test_accuracy", new Percent(100 * m.Accuracy)).Add("test_tokens", m.Tokens);
        if (spans)
            result.Add("span_precision", new Percent(100 * m.Precision)).Add("span_recall", new Percent(100 * m.Recall))
                  .Add("span_f1", new Percent(100 * m.F1)).Add("gold_spans", m.GoldChunks);
    }

    /// <summary>Reads a tagger checkpoint's path and run record (no weights): what an evaluation will test on, for instance.</summary>
    public static (string Path, TagRun Run) ReadRun(string checkpoint)
    {
        var (path, _, run) = RunFolder.ReadRun<TagRun>(checkpoint, k => k.StartsWith(KindPrefix, StringComparison.Ordinal), "a tagger");
        return (path, run);
    }

    /// <summary>Loads a tagger checkpoint (file or run folder) onto <paramref name="device"/>, in eval mode.</summary>
    public static LoadedTagger Load(string checkpoint, Device device)
    {
        var (path, header, run) = RunFolder.ReadRun<TagRun>(checkpoint, k => k.StartsWith(KindPrefix, StringComparison.Ordinal), "a tagger");
        var vocab = TaggerVocabularies.FromJson(header.Extra);
        var tagger = Checkpoint.BuildFor(path, () => CrfTagger.Create(run.Net, vocab.Tags.Items));
        Checkpoint.Load(path, header.Kind, tagger.Module);
        tagger.Module.to(device);
        tagger.Module.eval();
        return new LoadedTagger(path, run, vocab, tagger, device);
    }

    /// <summary>
    /// Evaluates a checkpoint: token accuracy and (for BIO tags) conlleval span precision/recall/F1 on
    /// <see cref="TagEvalSpec.TestFile"/>, the test file the checkpoint records, or the Brown test texts; writes <c>eval-result.json</c>.
    /// </summary>
    public static RunResult Evaluate(TagEvalSpec spec, ExperimentContext context)
    {
        Check.AtLeast(spec.BatchSize, 1);
        var m = Load(spec.Checkpoint, context.Device);
        var (run, vocab) = (m.Run, m.Vocab);
        List<TaggedSentence> test;
        string? file = spec.TestFile ?? run.TestFile;
        if (file != null)
        {
            ConllFile.CheckTags(ConllFile.Read(file, 2), vocab.Tags.Items.ToHashSet(), file);
            test = ConllFile.ReadTagged(file);
        }
        else if (run.Task == "conll") throw new ArgumentException("this conll checkpoint records no test file; give TestFile");
        else test = BrownCorpus.Ensure(context.DataRoot, context.Log, run.Task == "brown-universal").Test.ToList();
        var clock = Stopwatch.StartNew();
        var data = new TaggingDataset(test, vocab, run.Net.UseChars && !run.Net.UsesFeatures, run.Net.UsesFeatures, sortByLength: true, device: context.Device);
        var result = new RunResult().Add("task", run.Task).Add("model", Variant.Name(run.Net.Model));
        AddScores(result, m.Tagger, data, vocab, run.Net.BioConstraints || AllBio(vocab.Tags.Items), spec.BatchSize);
        return RunFolder.FinishEval(result, data.Count, clock.Elapsed.TotalSeconds, m.Path, "sentences");
    }

    [GeneratedRegex(@"(?:\w\.){2,}|\w+(?:[-'.]\w+)*|``|''|--|[^\w\s]")]
    private static partial Regex TokenPattern();

    /// <summary>Splits raw text into tokens: words (with inner hyphens, apostrophes and dots) and single punctuation marks.</summary>
    public static string[] Tokenize(string text) => TokenPattern().Matches(text).Select(m => m.Value).ToArray();

    /// <summary>Tags one sentence's tokens (see <see cref="Tokenize"/>) with a checkpoint.</summary>
    public static string[] Tag(string checkpoint, IReadOnlyList<string> tokens, ExperimentContext context)
    {
        if (tokens.Count == 0) throw new ArgumentException("the sentence holds no tokens");
        return Load(checkpoint, context.Device).Tag(tokens);
    }

    /// <summary>Tags a CoNLL file (first column: the token) and writes its columns plus the predicted tag; the result counts sentences and tokens.</summary>
    public static RunResult TagFile(TagFileSpec spec, ExperimentContext context)
    {
        var m = Load(spec.Checkpoint, context.Device);
        var sentences = ConllFile.Read(spec.Input, minColumns: 1);
        var predicted = sentences.Select(s => (IReadOnlyList<string>)m.Tag(s.Tokens)).ToList();
        ConllFile.Write(spec.Output, sentences, predicted);
        return new RunResult().Add("sentences", sentences.Count).Add("tokens", sentences.Sum(s => s.Rows.Count)).Add("output", Path.GetFullPath(spec.Output));
    }

    /// <summary>
    /// Writes the Brown noun-phrase chunks (BIO, <see cref="Data.BrownChunks"/>) as CoNLL files train.txt, dev.txt and
    /// test.txt in <paramref name="outDir"/> (the corpus's document split); returns each file with its sentence count.
    /// </summary>
    public static IReadOnlyList<(string Path, int Sentences)> BrownChunks(string outDir, ExperimentContext context)
    {
        var split = BrownCorpus.Ensure(context.DataRoot, context.Log, universal: false);
        Directory.CreateDirectory(outDir);
        var written = new List<(string, int)>();
        foreach (var (name, part) in new[] { ("train.txt", split.Train), ("dev.txt", split.Valid), ("test.txt", split.Test) })
        {
            ConllFile.WriteTagged(Path.Combine(outDir, name), part.Select(Data.BrownChunks.Convert).ToList());
            written.Add((Path.Combine(outDir, name), part.Count));
        }
        return written;
    }
}
