using System.Diagnostics;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Sequence;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.Seq2Seq;

/// <summary>What a translation checkpoint records: the corpus and the model options (recurrent or Transformer).</summary>
/// <param name="Data">The corpus.</param>
/// <param name="Model">The recurrent model's options (null for a Transformer).</param>
/// <param name="Transformer">The Transformer's options (null for a recurrent model).</param>
public sealed record TranslateRun(TranslationTaskSpec Data, Seq2SeqOptions? Model, TransformerOptions? Transformer = null)
{
    /// <summary>The architecture name.</summary>
    public string Arch => Transformer != null ? "transformer" : Model is { } m ? Variant.Name(m.Arch) : "?";
    /// <summary>The encoder cell of a recurrent model (<c>gru</c>, <c>lstm</c>); <c>-</c> for the Transformer.</summary>
    public string Cell => Model is null ? "-" : Variant.Name(Model.Cell);

    /// <summary>Builds the model these options describe.</summary>
    public ITranslationModel Build() => Transformer != null ? new TransformerModel(Transformer)
        : new Seq2SeqModel(Model ?? throw new CheckpointException("the checkpoint has neither recurrent nor Transformer options"));
}

/// <summary>
/// What to train: a corpus, its symbols and a translator (see docs/translation.md for each choice). Choices for the other
/// kind of model (e.g. <see cref="Heads"/> for a recurrent <see cref="Arch"/>) are ignored.
/// </summary>
/// <param name="Arch">none, bahdanau, luong-dot, luong-general, luong-concat, luong-location, luong-local-m, luong-local-p or transformer.</param>
/// <param name="Task">Corpus: dates (generated), reverse (generated), de-en (Debian trans-de-en) or tsv (<see cref="TrainFile"/> ...).</param>
/// <param name="TrainFile">tsv: training pairs, one <c>source&lt;TAB&gt;target</c> per line.</param>
/// <param name="DevFile">tsv: dev pairs (null: 5% of the training file held out by hash).</param>
/// <param name="TestFile">tsv: test pairs (null: 5% of the training file held out by hash).</param>
/// <param name="ExtraPairs">de-en: none, or dictionary (the dictionary's entries join the training part only).</param>
/// <param name="ExtraMax">ExtraPairs dictionary: most extra pairs used (0: all).</param>
/// <param name="Vocab">word or char symbols (null: char for dates, word otherwise).</param>
/// <param name="Subwords">none (whole words) or bpe (byte-pair encoding learned per language on the training part).</param>
/// <param name="Merges">Subwords bpe: merge operations per language (null: 4000).</param>
/// <param name="MinCount">Word vocabularies: keep words seen at least this often in training.</param>
/// <param name="MaxVocab">Largest vocabulary, specials included.</param>
/// <param name="MaxLen">Longest source/target in symbols (null: 40 dates and reverse, 30 words, 60 subwords, 200 characters).</param>
/// <param name="Pairs">dates, reverse: training pairs generated (dev and test: 1000 each).</param>
/// <param name="DataSeed">dates, reverse: seed of the generated pairs (null: the trainer's seed).</param>
/// <param name="Embedding">Recurrent: embedding size.</param>
/// <param name="Hidden">Recurrent: encoder units per direction (the decoder has twice this).</param>
/// <param name="Cell">Recurrent: encoder cell, gru or lstm.</param>
/// <param name="Dropout">Dropout on embeddings and decoder outputs.</param>
/// <param name="Window">luong-local-m, luong-local-p: half-width D of the window.</param>
/// <param name="LabelSmoothing">Label smoothing of the training loss.</param>
/// <param name="ModelDim">Transformer: d_model.</param>
/// <param name="Heads">Transformer: attention heads.</param>
/// <param name="Layers">Transformer: encoder and decoder layers (each).</param>
/// <param name="FeedForward">Transformer: feed-forward inner size.</param>
/// <param name="PostNorm">Transformer: layer norm after each residual sum (the paper's) instead of before.</param>
/// <param name="Positions">Transformer: sinusoidal or learned position embeddings.</param>
/// <param name="ShareEmbeddings">Tie the output layer to the target embedding (recurrent: through a projection to the embedding size when it differs from the decoder's).</param>
/// <param name="TrainMax">Corpus tasks (de-en, l10n-*, tsv): at most this many training pairs, a fixed hash-ordered subset (0: all).</param>
/// <param name="DevMax">Corpus tasks: at most this many dev pairs (a fixed hash-ordered subset; 0: all); the test part is never cut.</param>
/// <param name="TestOnTrain">Dev and test are the training part (the memorisation check of the pipeline).</param>
/// <param name="DevBleuSentences">Sentences of the dev part decoded greedily after every epoch for <c>dev_bleu</c>/<c>dev_chrf</c> (0: none; needed to monitor bleu or chrf).</param>
/// <param name="EncoderLayers">Recurrent: stacked bidirectional encoder layers, dropout between them.</param>
/// <param name="WordDropout">Both families: in training, each source word and decoder input word is read as <c>&lt;unk&gt;</c> with this probability (<see cref="Sequence.WordDropout"/>).</param>
public sealed record TranslateTrainSpec(
    string Arch = "bahdanau", string Task = "dates", string? TrainFile = null, string? DevFile = null, string? TestFile = null,
    string ExtraPairs = "none", int ExtraMax = 0, string? Vocab = null, string Subwords = "none", int? Merges = null,
    int MinCount = 2, int MaxVocab = 8000, int? MaxLen = null, int Pairs = 20000, int? DataSeed = null,
    int Embedding = 64, int Hidden = 128, RnnCell Cell = RnnCell.Gru, double Dropout = 0.1, int Window = 5, double LabelSmoothing = 0,
    int ModelDim = 128, int Heads = 4, int Layers = 2, int FeedForward = 256, bool PostNorm = false, string Positions = "sinusoidal",
    bool ShareEmbeddings = false, int TrainMax = 0, bool TestOnTrain = false, int DevBleuSentences = 0, int DevMax = 0, double WordDropout = 0, int EncoderLayers = 1)
{
    /// <summary>The architectures: the recurrent ones of <see cref="Seq2SeqOptions.Architectures"/> and transformer.</summary>
    public static readonly string[] Architectures = [.. Seq2SeqOptions.Architectures, "transformer"];

    /// <summary>Merge operations per language when <see cref="Merges"/> is null.</summary>
    public const int DefaultMerges = 4000;

    /// <summary>
    /// <see cref="Validate"/>, then the rules that involve the trainer options: a monitor that is a dev score (BLEU, chrF)
    /// needs <see cref="DevBleuSentences"/> above 0.
    /// </summary>
    public void ValidateWith(TrainerOptions trainer)
    {
        Validate();
        if (trainer.MonitorHigherIsBetter && DevBleuSentences == 0)
            throw new ArgumentException($"Monitor {trainer.Monitor} needs dev scores: set DevBleuSentences (--dev-bleu N) above 0, or monitor loss or error");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range or combined wrongly.</summary>
    public void Validate()
    {
        static string OneOf(IEnumerable<string> names) => string.Join(", ", names);
        if (!Architectures.Contains(Arch)) throw new ArgumentException($"Arch must be one of {OneOf(Architectures)}; got '{Arch}'");
        if (!TranslationTaskSpec.Tasks.Contains(Task)) throw new ArgumentException($"Task must be one of {OneOf(TranslationTaskSpec.Tasks)}; got '{Task}'");
        if (Task != "tsv" && (TrainFile ?? DevFile ?? TestFile) != null) throw new ArgumentException("TrainFile/DevFile/TestFile are for Task tsv");
        if (Task == "tsv" && TrainFile == null) throw new ArgumentException("Task tsv needs TrainFile");
        if (!TranslationTaskSpec.ExtraKinds.Contains(ExtraPairs)) throw new ArgumentException($"ExtraPairs must be one of {OneOf(TranslationTaskSpec.ExtraKinds)}; got '{ExtraPairs}'");
        if (ExtraPairs == "dictionary" && Task != "de-en") throw new ArgumentException($"ExtraPairs dictionary is for Task de-en; got Task {Task}");
        if (ExtraPairs != "dictionary" && ExtraMax != 0) throw new ArgumentException("ExtraMax is for ExtraPairs dictionary");
        if (ExtraMax < 0) throw new ArgumentException($"ExtraMax must be >= 0; got {ExtraMax}");
        if (TrainMax < 0) throw new ArgumentException($"TrainMax must be 0 (all) or positive; got {TrainMax}");
        if ((TrainMax > 0 || TestOnTrain) && Task is "dates" or "reverse") throw new ArgumentException($"TrainMax and TestOnTrain are for corpus tasks; Task {Task} generates its pairs (use Pairs)");
        if (DevMax < 0) throw new ArgumentException($"DevMax must be 0 (all) or positive; got {DevMax}");
        if (DevMax > 0 && Task is "dates" or "reverse") throw new ArgumentException($"DevMax is for corpus tasks; Task {Task} generates 1000 dev pairs");
        if (DevBleuSentences < 0) throw new ArgumentException($"DevBleuSentences must be 0 (off) or positive; got {DevBleuSentences}");
        if (Pairs < 10) throw new ArgumentException($"Pairs must be >= 10; got {Pairs}");
        Variant.Check(Cell, nameof(Cell));
        if (Arch == "transformer" && Cell != RnnCell.Gru) throw new ArgumentException("Cell applies to the recurrent architectures, not to Arch transformer");
        if (Vocab is not (null or "word" or "char")) throw new ArgumentException($"Vocab must be word or char; got '{Vocab}'");
        if (Subwords is not ("none" or "bpe")) throw new ArgumentException($"Subwords must be one of none, bpe; got '{Subwords}'");
        if (Subwords == "bpe" && Vocab == "char") throw new ArgumentException("Subwords bpe splits words; it cannot be combined with Vocab char");
        if (Subwords != "bpe" && Merges != null) throw new ArgumentException("Merges is for Subwords bpe");
        if (Merges < 0) throw new ArgumentException($"Merges must be >= 0; got {Merges}");
        if (MinCount < 1) throw new ArgumentException($"MinCount must be >= 1; got {MinCount}");
        if (MaxVocab < 5) throw new ArgumentException($"MaxVocab must be >= 5; got {MaxVocab}");
        if (MaxLen < 1) throw new ArgumentException($"MaxLen must be >= 1; got {MaxLen}");
        if (Dropout is < 0 or > 0.99) throw new ArgumentException($"Dropout must be in [0, 0.99]; got {Dropout}");
        if (LabelSmoothing is < 0 or > 0.99) throw new ArgumentException($"LabelSmoothing must be in [0, 0.99]; got {LabelSmoothing}");
        if (EncoderLayers is < 1 or > 16) throw new ArgumentException($"EncoderLayers must be in 1..16; got {EncoderLayers}");
        if (Arch == "transformer" && EncoderLayers != 1) throw new ArgumentException("EncoderLayers applies to the recurrent architectures; the Transformer has Layers");
        if (WordDropout is < 0 or > 0.99) throw new ArgumentException($"WordDropout must be in [0, 0.99]; got {WordDropout}");
        if (Positions is not ("sinusoidal" or "learned")) throw new ArgumentException($"Positions must be sinusoidal or learned; got '{Positions}'");
        foreach (var (name, value) in new[] { ("Embedding", Embedding), ("Hidden", Hidden), ("Window", Window), ("ModelDim", ModelDim), ("Heads", Heads), ("Layers", Layers), ("FeedForward", FeedForward) })
            if (value < 1) throw new ArgumentException($"{name} must be >= 1; got {value}");
    }

    /// <summary>The symbols: subwords with bpe, else <see cref="Vocab"/> (char for dates, word otherwise).</summary>
    public VocabularyLevel Level => Subwords == "bpe" ? VocabularyLevel.Subword
        : (Vocab ?? (Task == "dates" ? "char" : "word")) == "char" ? VocabularyLevel.Char : VocabularyLevel.Word;

    /// <summary>The longest source/target in symbols: <see cref="MaxLen"/>, else the task's and symbols' default.</summary>
    public int ResolvedMaxLen => MaxLen ?? (Task is "dates" or "reverse" ? 40 : Level switch
    {
        VocabularyLevel.Word => 30,
        VocabularyLevel.Subword => 60,
        _ => 200,
    });

    /// <summary>The corpus the checkpoint records (file paths made absolute; generated tasks seeded by <see cref="DataSeed"/> or <paramref name="seed"/>).</summary>
    public TranslationTaskSpec Data(long seed)
    {
        string? Full(string? f) => f == null ? null : Path.GetFullPath(f);
        return Task switch
        {
            "dates" or "reverse" => new TranslationTaskSpec(Task, DateTrain: Pairs, DataSeed: DataSeed ?? (int)seed),
            "tsv" => new TranslationTaskSpec(Task, TrainFile: Full(TrainFile), DevFile: Full(DevFile), TestFile: Full(TestFile), TrainMax: TrainMax, TestOnTrain: TestOnTrain, DevMax: DevMax),
            _ => ExtraPairs == "dictionary" ? new TranslationTaskSpec(Task, ExtraPairs: "dictionary", ExtraMax: ExtraMax, TrainMax: TrainMax, TestOnTrain: TestOnTrain, DevMax: DevMax)
                : new TranslationTaskSpec(Task, TrainMax: TrainMax, TestOnTrain: TestOnTrain, DevMax: DevMax),
        };
    }

    /// <summary>The run record for vocabularies of <paramref name="sourceVocab"/> and <paramref name="targetVocab"/> symbols.</summary>
    public TranslateRun Resolve(TranslationTaskSpec data, int sourceVocab, int targetVocab)
    {
        int maxLen = ResolvedMaxLen;
        if (Arch == "transformer")
        {
            var t = new TransformerOptions(sourceVocab, targetVocab, ModelDim, Heads, Layers, FeedForward, Dropout, !PostNorm, maxLen, maxLen + 1, LabelSmoothing,
                LearnedPositions: Positions == "learned", ShareEmbeddings: ShareEmbeddings, WordDropout: WordDropout);
            t.Validate();
            return new TranslateRun(data, null, t);
        }
        var net = new Seq2SeqOptions(Variant.Parse<Seq2SeqArch>(Arch, nameof(Arch)), sourceVocab, targetVocab, Embedding, Hidden, Dropout, Window, maxLen, maxLen + 1, LabelSmoothing,
            EncoderCell: Cell == RnnCell.Gru ? null : Cell, WordDropout: WordDropout, ShareEmbeddings: ShareEmbeddings,
            EncoderLayers: EncoderLayers == 1 ? null : EncoderLayers);
        net.Validate();
        return new TranslateRun(data, net);
    }
}

/// <summary>What to score: a checkpoint on its corpus's test (or dev) part.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Beam">Beam size (1: greedy).</param>
/// <param name="Split">test or dev.</param>
/// <param name="Limit">Score only the first this many sentences (0: all).</param>
/// <param name="Errors">Log the first this many outputs that differ from the reference.</param>
/// <param name="BatchSize">Sentences per batch.</param>
/// <param name="Unknowns">How a decoded <c>&lt;unk&gt;</c> is treated (<see cref="UnknownWordReplacer"/>; off: never emitted).</param>
public sealed record TranslateEvalSpec(string Checkpoint, int Beam = 1, string Split = "test", int Limit = 0, int Errors = 0, int BatchSize = 64,
    UnknownWordsSpec? Unknowns = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        Unknowns?.Validate();
        if (Beam is < 1 or > 64) throw new ArgumentException($"Beam must be in 1..64; got {Beam}");
        if (Split is not ("test" or "dev")) throw new ArgumentException($"Split must be test or dev; got '{Split}'");
        if (Limit < 0) throw new ArgumentException($"Limit must be >= 0; got {Limit}");
        if (Errors < 0) throw new ArgumentException($"Errors must be >= 0; got {Errors}");
        Check.AtLeast(BatchSize, 1);
    }
}

/// <summary>How decoding treats <c>&lt;unk&gt;</c> (Luong et al. 2015): off, copy the most-attended source word, or write its dictionary translation.</summary>
/// <param name="Mode">off, copy or dictionary.</param>
/// <param name="DictionaryFile">dictionary: a UTF-8 file of <c>source&lt;TAB&gt;translation</c> lines; null on the de-en task uses the TU Chemnitz dictionary's single-word entries.</param>
public sealed record UnknownWordsSpec(UnknownReplacement Mode, string? DictionaryFile = null)
{
    /// <summary>Throws an <see cref="ArgumentException"/> when a dictionary file is given without the dictionary mode.</summary>
    public void Validate()
    {
        if (DictionaryFile != null && Mode != UnknownReplacement.Dictionary)
            throw new ArgumentException($"a dictionary file is used only with the dictionary mode of unknown-word replacement; got mode {Mode.ToString().ToLowerInvariant()}");
    }

    /// <summary>The replacer for a loaded model (null when off); the dictionary comes from <see cref="DictionaryFile"/> or, on the de-en task, the TU Chemnitz word entries.</summary>
    public UnknownWordReplacer? Build(LoadedTranslator model, string dataRoot, TextWriter log)
    {
        Validate();
        if (Mode == UnknownReplacement.Off) return null;
        if (!model.Translator.Network.HasAttention)
            throw new ArgumentException($"replacing unknown words needs an attention model (the most-attended source word); a '{model.Run.Arch}' model has no attention");
        if (Mode == UnknownReplacement.Copy) return new UnknownWordReplacer();
        Dictionary<string, IReadOnlyList<string>> dictionary;
        if (DictionaryFile != null) dictionary = UnknownWordReplacer.ReadDictionary(DictionaryFile, model.Source, model.Target);
        else if (model.Run.Data.Task == "de-en")
        {
            string folder = TransDeEn.Source.Ensure(dataRoot, log);
            var entries = DictionaryPhrases.Parse(File.ReadLines(Path.Combine(folder, TransDeEn.FileName), System.Text.Encoding.UTF8), maxWords: 3);
            dictionary = UnknownWordReplacer.WordDictionary(entries, model.Source, model.Target);
        }
        else throw new ArgumentException($"the dictionary mode of unknown-word replacement needs a dictionary file on task {model.Run.Data.Task} (only de-en has a built-in one, the TU Chemnitz dictionary)");
        log.WriteLine($"unknown words: replaced by the most-attended source word's translation ({dictionary.Count} dictionary words), else the word itself");
        return new UnknownWordReplacer(dictionary);
    }
}

/// <summary>What to draw: one sentence's translation and its alignment (output x source symbols).</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint).</param>
/// <param name="Sentence">The sentence to translate.</param>
/// <param name="Beam">Beam size (1: greedy).</param>
/// <param name="Output">PNG file, or folder for <c>align.png</c> (null: the current folder).</param>
/// <param name="Unknowns">How a decoded <c>&lt;unk&gt;</c> is treated (null: never emitted); the picture keeps <c>&lt;unk&gt;</c>, the output text has its replacement.</param>
public sealed record TranslateShowSpec(string Checkpoint, string Sentence, int Beam = 1, string? Output = null, UnknownWordsSpec? Unknowns = null);

/// <summary>A translation checkpoint loaded: its path, run record, translator and vocabularies.</summary>
/// <param name="Path">The checkpoint file.</param>
/// <param name="Run">Its run record.</param>
/// <param name="Translator">The model with its vocabularies.</param>
/// <param name="Source">Source vocabulary.</param>
/// <param name="Target">Target vocabulary.</param>
public sealed record LoadedTranslator(string Path, TranslateRun Run, Translator Translator, Vocabulary Source, Vocabulary Target);

/// <summary>
/// Sequence-to-sequence translation (no attention, Bahdanau, Luong, Transformer) as an experiment: <see cref="Train"/>
/// (corpus, vocabularies, model, test BLEU), <see cref="Evaluate"/> (BLEU overall and by source length),
/// <see cref="Translate"/> (sentences) and <see cref="Show"/> (an alignment PNG). <c>attn translate train|eval|run|show</c> call these.
/// </summary>
public static class TranslateExperiment
{
    /// <summary>Checkpoint kind of the translation models.</summary>
    public const string Kind = "seq2seq";

    /// <summary>Source-length buckets (words; characters for character models) for BLEU by length.</summary>
    /// <summary>Source-length buckets (words) of the BLEU-by-length figures; <see cref="BucketKey"/> names them in results.</summary>
    public static IReadOnlyList<(int Lo, int Hi)> LengthBuckets { get; } = [(1, 5), (6, 10), (11, 15), (16, 20), (21, 30), (31, int.MaxValue)];

    /// <summary>A bucket's name in result keys (<c>bleu_len_1_5</c>, <c>bleu_len_31plus</c>).</summary>
    public static string BucketKey((int Lo, int Hi) bucket) => bucket.Hi == int.MaxValue ? $"{bucket.Lo}plus" : $"{bucket.Lo}_{bucket.Hi}";

    /// <summary>Trains a translator in <see cref="TrainerOptions.OutDir"/> and scores its best checkpoint on the test part (greedy).</summary>
    public static RunResult Train(TranslateTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(() => spec.ValidateWith(trainer), trainer);
        var log = context.Log;
        var data = spec.Data(trainer.Seed);
        var level = spec.Level;
        int maxLen = spec.ResolvedMaxLen;
        var corpus = data.Load(context.DataRoot, log);
        var (srcVocab, tgtVocab) = BuildVocabularies(spec, corpus, log);
        var run = spec.Resolve(data, srcVocab.Count, tgtVocab.Count);
        var train = new TranslationDataset(corpus.Train, srcVocab, tgtVocab, maxLen, maxLen, context.Device);
        var dev = new TranslationDataset(corpus.Dev, srcVocab, tgtVocab, maxLen, maxLen, context.Device);
        log.WriteLine($"run folder: {outDir}");
        log.WriteLine($"{data.Task}: {corpus.Train.Count} train" + (corpus.ExtraTrain > 0 ? $" ({corpus.Train.Count - corpus.ExtraTrain} sentence + {corpus.ExtraTrain} extra dictionary pairs)" : "") +
                      $" ({train.Dropped} longer than {maxLen} dropped), {corpus.Dev.Count} dev, {corpus.Test.Count} test pairs; " +
                      $"{level.ToString().ToLowerInvariant()} vocabularies: {srcVocab.Count} source, {tgtVocab.Count} target symbols");

        manual_seed(trainer.Seed);
        var model = run.Build();
        model.Module.to(context.Device);
        var extra = new JsonObject { ["source"] = srcVocab.ToJson(), ["target"] = tgtVocab.ToJson() };
        var identity = ModelIdentity.Of(Kind, run, extra);
        var clock = Stopwatch.StartNew();
        var devSample = Usable(corpus.Dev, srcVocab, maxLen).OrderBy(p => StableHash.Fnv1a(p.Source + "\t" + p.Target)).Take(spec.DevBleuSentences).ToList();
        Func<IReadOnlyDictionary<string, double>>? devScores = devSample.Count == 0 ? null : () =>
        {
            var e = new Translator(model, srcVocab, tgtVocab).Evaluate(devSample, beam: 1, batchSize: 128);
            return new Dictionary<string, double> { ["bleu"] = e.Bleu.Score, ["chrf"] = ChrF.Corpus(e.Outputs, devSample.Select(p => p.Target).ToList()) };
        };
        if (devSample.Count > 0) log.WriteLine($"dev BLEU/chrF after every epoch: greedy on {devSample.Count} dev pairs (a fixed hash-ordered subset)");
        var summary = new Trainer<Seq2SeqBatch>(trainer).Fit(new Seq2SeqTask(model, devScores), identity, train, dev, context.Progress);
        double trainSeconds = clock.Elapsed.TotalSeconds;

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model.Module);
        model.Module.to(context.Device);
        var test = Usable(corpus.Test, srcVocab, maxLen);
        var eval = new Translator(model, srcVocab, tgtVocab).Evaluate(test, beam: 1);
        var result = new RunResult()
            .Add("task", data.Task).Add("arch", spec.Arch).Add("cell", run.Cell).Add("symbols", level.ToString().ToLowerInvariant())
            .Add("train_pairs", corpus.Train.Count).Add("extra_pairs", data.ExtraPairs ?? "none").Add("extra_train", corpus.ExtraTrain).Add("bucket", trainer.BucketByLength ? "true" : "false")
            .Add("test_exact", new Percent(100 * eval.ExactMatch)).Add("test_bleu", Math.Round(eval.Bleu.Score, 2)).Add("test_p1", Math.Round(100 * eval.Bleu.Precisions[0], 2))
            .Add("test_bleu_smoothed", Math.Round(eval.Bleu.Smoothed, 2)).Add("test_chrf", Math.Round(ChrF.Corpus(eval.Outputs, test.Select(p => p.Target).ToList()), 2))
            .Add("test_sentences", test.Count)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch).Add("steps", summary.State.Steps)
            .Add("stopped_early", summary.State.Stopped ? "true" : "false").Add("monitor", trainer.Monitor).Add("best_dev", Math.Round(summary.State.BestValue, 4))
            .Add("train_seconds", Math.Round(trainSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("parameters", model.Module.parameters().Sum(p => p.numel()))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        if (spec.WordDropout > 0) result.Add("word_dropout", spec.WordDropout);
        if (spec.EncoderLayers > 1) result.Add("encoder_layers", spec.EncoderLayers);
        if (spec.ShareEmbeddings) result.Add("share_embeddings", "true");
        AddBleuByLength(result, test, eval.Outputs, srcVocab, "test_");
        AddRetrieval(result, corpus.Train, test, srcVocab, "test_");
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Source and target vocabularies from the training part only (with bpe: merges learned per language first).</summary>
    static (Vocabulary Source, Vocabulary Target) BuildVocabularies(TranslateTrainSpec spec, TranslationCorpus corpus, TextWriter log)
    {
        var level = spec.Level;
        int minCount = level == VocabularyLevel.Word ? spec.MinCount : 1;
        var sources = corpus.Train.Select(p => p.Source);
        var targets = corpus.Train.Select(p => p.Target);
        if (level != VocabularyLevel.Subword)
            return (Vocabulary.Build(sources, level, minCount, spec.MaxVocab), Vocabulary.Build(targets, level, minCount, spec.MaxVocab));
        int merges = spec.Merges ?? TranslateTrainSpec.DefaultMerges;
        var clock = Stopwatch.StartNew();
        var srcBpe = BytePairEncoding.Learn(sources, merges);
        var tgtBpe = BytePairEncoding.Learn(targets, merges);
        var vocabularies = (Vocabulary.Build(sources, srcBpe, minCount, spec.MaxVocab), Vocabulary.Build(targets, tgtBpe, minCount, spec.MaxVocab));
        log.WriteLine($"byte-pair encoding: {srcBpe.Merges.Count} source, {tgtBpe.Merges.Count} target merges learned ({clock.Elapsed.TotalSeconds:F1} s)");
        return vocabularies;
    }

    /// <summary>The pairs whose source the model accepts (non-empty, not too long).</summary>
    static List<SentencePair> Usable(IReadOnlyList<SentencePair> pairs, Vocabulary src, int maxLen) =>
        pairs.Where(p => src.Split(p.Source.Trim()).Count is > 0 and var n && n <= maxLen).ToList();

    /// <summary>Loads a translation checkpoint (file or run folder) onto <paramref name="device"/>.</summary>
    public static LoadedTranslator Load(string checkpoint, Device device)
    {
        var (path, header, run) = RunFolder.ReadRun<TranslateRun>(checkpoint, k => k == Kind, "a translation model");
        var src = Vocabulary.FromJson(header.Extra?["source"]);
        var tgt = Vocabulary.FromJson(header.Extra?["target"]);
        var model = Checkpoint.BuildFor(path, run.Build);
        Checkpoint.Load(path, Kind, model.Module);
        model.Module.to(device);
        return new LoadedTranslator(path, run, new Translator(model, src, tgt), src, tgt);
    }

    /// <summary>
    /// Scores a checkpoint on its corpus's test or dev part: BLEU (overall and by source length), exact match, sentences/s;
    /// logs the first <see cref="TranslateEvalSpec.Errors"/> wrong outputs and writes <c>eval-SPLIT-beamK.json</c> beside the checkpoint.
    /// </summary>
    public static RunResult Evaluate(TranslateEvalSpec spec, ExperimentContext context)
    {
        spec.Validate();
        var m = Load(spec.Checkpoint, context.Device);
        var log = context.Log;
        // Extra pairs only ever join the training part (dev and test are the same without them), so they are not parsed here.
        var corpus = (m.Run.Data with { ExtraPairs = null, ExtraMax = 0 }).Load(context.DataRoot, log);
        var pairs = Usable(spec.Split == "test" ? corpus.Test : corpus.Dev, m.Source, m.Translator.Network.MaxSourceLength);
        if (spec.Limit > 0) pairs = pairs.Take(spec.Limit).ToList();
        var translator = WithUnknowns(m, spec.Unknowns, context);
        var unknowns = translator.UnknownWords;
        var eval = translator.Evaluate(pairs, spec.Beam, spec.BatchSize);
        int shown = 0;
        for (int i = 0; i < pairs.Count && shown < spec.Errors; i++)
            if (eval.Outputs[i] != m.Target.Join(m.Target.Split(pairs[i].Target)))
            {
                log.WriteLine($"  source: {pairs[i].Source}\n  output: {eval.Outputs[i]}\n  wanted: {pairs[i].Target}");
                shown++;
            }
        log.Flush();
        var result = new RunResult().Add("task", m.Run.Data.Task).Add("arch", m.Run.Arch).Add("cell", m.Run.Cell).Add("extra_pairs", m.Run.Data.ExtraPairs ?? "none")
            .Add("split", spec.Split).Add("beam", spec.Beam);
        if (unknowns != null) result.Add("replace_unk", spec.Unknowns!.Mode.ToString().ToLowerInvariant()).Add("unk_replaced", eval.Replaced);
        result.Add("exact", new Percent(100 * eval.ExactMatch)).Add("bleu", Math.Round(eval.Bleu.Score, 2))
            .Add("bp", Math.Round(eval.Bleu.BrevityPenalty, 4))
            .Add("p1", Math.Round(100 * eval.Bleu.Precisions[0], 2)).Add("p2", Math.Round(100 * eval.Bleu.Precisions[1], 2))
            .Add("p3", Math.Round(100 * eval.Bleu.Precisions[2], 2)).Add("p4", Math.Round(100 * eval.Bleu.Precisions[3], 2))
            .Add("bleu_smoothed", Math.Round(eval.Bleu.Smoothed, 2)).Add("chrf", Math.Round(ChrF.Corpus(eval.Outputs, pairs.Select(p => p.Target).ToList()), 2))
            .Add("sentences", pairs.Count)
            .Add("sentences_per_s", Math.Round(pairs.Count / Math.Max(1e-9, eval.Seconds), 1));
        AddBleuByLength(result, pairs, eval.Outputs, m.Source);
        AddRetrieval(result, corpus.Train, pairs, m.Source);
        result.Add("checkpoint", m.Path);
        string dir = Path.GetDirectoryName(Path.GetFullPath(m.Path))!;
        string suffix = unknowns == null ? "" : $"-unk-{spec.Unknowns!.Mode.ToString().ToLowerInvariant()}";
        result.Save(Path.Combine(dir, $"eval-{spec.Split}-beam{spec.Beam}{suffix}.json"));
        return result;
    }

    /// <summary>
    /// Adds the retrieval baseline's figures (<see cref="RetrievalBaseline"/> over <paramref name="train"/>) on <paramref name="pairs"/>:
    /// <c>retrieval_bleu</c>, <c>retrieval_bleu_smoothed</c>, <c>retrieval_chrf</c> and <c>retrieval_bleu_len_*</c>, each key after <paramref name="prefix"/>.
    /// </summary>
    static void AddRetrieval(RunResult result, IReadOnlyList<SentencePair> train, List<SentencePair> pairs, Vocabulary source, string prefix = "")
    {
        if (train.Count == 0 || pairs.Count == 0) return;
        var outputs = new RetrievalBaseline(train).Translate(pairs.Select(p => p.Source));
        var refs = pairs.Select(p => p.Target).ToList();
        var bleu = Bleu.Corpus(outputs, refs);
        result.Add(prefix + "retrieval_bleu", Math.Round(bleu.Score, 2)).Add(prefix + "retrieval_bleu_smoothed", Math.Round(bleu.Smoothed, 2))
            .Add(prefix + "retrieval_chrf", Math.Round(ChrF.Corpus(outputs, refs), 2));
        AddBleuByLength(result, pairs, outputs, source, prefix + "retrieval_", counts: false);
    }

    /// <summary>Adds <c>bleu_len_LO_HI</c> and <c>n_len_LO_HI</c> for each source-length bucket that holds sentences (keys after <paramref name="prefix"/>; counts only when asked).</summary>
    static void AddBleuByLength(RunResult result, List<SentencePair> pairs, IReadOnlyList<string> outputs, Vocabulary source, string prefix = "", bool counts = true)
    {
        var refs = pairs.Select(p => p.Target).ToList();
        var lengths = pairs.Select(p => source.WordCount(p.Source)).ToList();   // words (characters for char models), also for subword models
        foreach (var (lo, hi) in LengthBuckets)
        {
            var idx = Enumerable.Range(0, pairs.Count).Where(i => lengths[i] >= lo && lengths[i] <= hi).ToList();
            if (idx.Count == 0) continue;
            string name = BucketKey((lo, hi));
            result.Add($"{prefix}bleu_len_{name}", Math.Round(Bleu.Corpus(idx.Select(i => outputs[i]).ToList(), idx.Select(i => refs[i]).ToList()).Score, 2));
            if (counts) result.Add($"{prefix}n_len_{name}", idx.Count);
        }
    }

    /// <summary>Translates <paramref name="sentences"/> with a checkpoint (beam 1: greedy); each translation names the symbols the model does not know.
    /// <paramref name="unknowns"/> (null: off) replaces a decoded <c>&lt;unk&gt;</c> from the source.</summary>
    public static IReadOnlyList<Translation> Translate(string checkpoint, IReadOnlyList<string> sentences, ExperimentContext context, int beam = 1, UnknownWordsSpec? unknowns = null)
    {
        if (beam is < 1 or > 64) throw new ArgumentException($"beam must be in 1..64; got {beam}");
        unknowns?.Validate();
        return WithUnknowns(Load(checkpoint, context.Device), unknowns, context).Translate(sentences, beam);
    }

    /// <summary>The loaded model's translator, with the unknown-word replacement of <paramref name="unknowns"/> when it is not off.</summary>
    static Translator WithUnknowns(LoadedTranslator m, UnknownWordsSpec? unknowns, ExperimentContext context)
    {
        var replacer = unknowns?.Build(m, context.DataRoot, context.Log);
        return replacer == null ? m.Translator : new Translator(m.Translator.Network, m.Source, m.Target) { UnknownWords = replacer };
    }

    /// <summary>
    /// Translates one sentence and draws its alignment (output x source symbols) into a PNG. The result holds
    /// <c>output</c> (the translation), <c>unknown</c> (unknown source symbols, space-separated, empty when none),
    /// <c>outputs</c>, <c>sources</c> (symbol counts) and <c>png</c>.
    /// </summary>
    public static RunResult Show(TranslateShowSpec spec, ExperimentContext context)
    {
        if (spec.Beam is < 1 or > 64) throw new ArgumentException($"Beam must be in 1..64; got {spec.Beam}");
        var m = Load(spec.Checkpoint, context.Device);
        if (!m.Translator.Network.HasAttention) throw new ArgumentException($"a '{m.Run.Arch}' model has no attention to show; train an attention model (--arch bahdanau or luong-*)");
        var t = WithUnknowns(m, spec.Unknowns, context).Translate([spec.Sentence], spec.Beam)[0];
        string image = RunFolder.PngPath(spec.Output ?? ".", m.Path, "align.png");
        AlignmentHeatmap.Save(image, t.SourceSymbols, t.OutputSymbols, t.Weights!);
        return new RunResult().Add("output", t.Output).Add("unknown", string.Join(" ", t.Unknown))
            .Add("outputs", t.OutputSymbols.Count).Add("sources", t.SourceSymbols.Count).Add("png", Path.GetFullPath(image));
    }
}
