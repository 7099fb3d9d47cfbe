using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn translate train|eval|run|show</c>: sequence-to-sequence translation with and without attention.</summary>
public static class TranslateCommands
{
    /// <summary>Checkpoint kind of the recurrent translation models.</summary>
    public const string Kind = "seq2seq";

    /// <summary>What a translation checkpoint records: the corpus and the model options (recurrent or Transformer).</summary>
    /// <param name="Data">The corpus.</param>
    /// <param name="Model">The recurrent model's options (null for a Transformer).</param>
    /// <param name="Transformer">The Transformer's options (null for a recurrent model).</param>
    public sealed record TranslateRun(TranslationTaskSpec Data, Seq2SeqOptions? Model, TransformerOptions? Transformer = null)
    {
        /// <summary>The architecture name.</summary>
        public string Arch => Transformer != null ? "transformer" : Model?.Arch ?? "?";
        /// <summary>The encoder cell of a recurrent model (<c>gru</c>, <c>lstm</c>); <c>-</c> for the Transformer.</summary>
        public string Cell => Model?.Cell ?? "-";

        /// <summary>Builds the model these options describe.</summary>
        public ITranslationModel Build() => Transformer != null ? new TransformerModel(Transformer)
            : new Seq2SeqModel(Model ?? throw new CheckpointException("the checkpoint has neither recurrent nor Transformer options"));
    }

    static readonly string[] Archs = [.. Seq2SeqOptions.Architectures, "transformer"];

    static readonly OptionSpec[] ModelOptions =
    [
        new("arch", "NAME", "bahdanau", "model: " + string.Join(", ", Seq2SeqOptions.Architectures) + ", transformer"),
        new("task", "NAME", "dates", "corpus: dates (generated), reverse (generated: 3-40 words translated word by word in reversed order), de-en (Debian trans-de-en), tsv (--train/--dev/--test files)"),
        new("train", "FILE", null, "tsv: training pairs, one 'source<TAB>target' per line, UTF-8"),
        new("dev", "FILE", null, "tsv: dev pairs (default: 5% of --train held out by hash)"),
        new("test", "FILE", null, "tsv: test pairs (default: 5% of --train held out by hash)"),
        new("extra-pairs", "KIND", "none", "de-en: none, or dictionary: add the dictionary's word and phrase entries (up to 8 words a side) to the training part only"),
        new("extra-max", "N", "0", "--extra-pairs dictionary: most extra pairs used, a fixed hash-ordered subset (0 = all)"),
        new("vocab", "LEVEL", null, "word or char symbols (default: char for dates, word otherwise)"),
        new("subwords", "KIND", "none", "none (whole words) or bpe: byte-pair encoding of the words (Sennrich et al. 2016), learned per language on the training part"),
        new("merges", "N", "4000", "--subwords bpe: merge operations learned for each language"),
        new("min-count", "N", "2", "word vocabularies: keep words seen at least N times in training"),
        new("max-vocab", "N", "8000", "largest vocabulary, specials included"),
        new("max-len", "N", null, "longest source/target in symbols; longer training pairs are dropped (default: 40 dates and reverse, 30 words, 60 subwords)"),
        new("pairs", "N", "20000", "dates, reverse: training pairs generated (dev and test: 1000 each)"),
        new("dates", "N", null, "older name of --pairs, still accepted"),
        new("embedding", "N", "64", "embedding size"),
        new("hidden", "N", "128", "encoder RNN units per direction (the decoder has twice this)"),
        new("bucket", null, null, "batch training pairs of similar length together (shuffled batches; less padding, faster epochs)"),
        new("cell", "NAME", "gru", "recurrent archs: encoder cell, gru (Bahdanau et al.) or lstm (Luong et al.)"),
        new("dropout", "X", "0.1", "dropout on embeddings and decoder outputs"),
        new("window", "N", "5", "local-m, local-p: half-width D of the window"),
        new("label-smoothing", "X", "0", "label smoothing of the training loss (0.1 in Vaswani et al.)"),
        new("model-dim", "N", "128", "transformer: d_model"),
        new("heads", "N", "4", "transformer: attention heads"),
        new("layers", "N", "2", "transformer: encoder and decoder layers (each)"),
        new("ff", "N", "256", "transformer: feed-forward inner size"),
        new("post-norm", null, null, "transformer: layer norm after each residual sum (the paper's) instead of before"),
        new("positions", "KIND", "sinusoidal", "transformer: sinusoidal or learned position embeddings"),
        new("share-embeddings", null, null, "transformer: tie the output layer to the target embedding"),
    ];

    static readonly OptionSpec[] UseOptions =
    [
        new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
        new("beam", "K", "1", "beam size (1 = greedy)"),
    ];

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["translate", "train"], "train a translator (no attention, Bahdanau, Luong or Transformer), then score its test set (exact match, BLEU)",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 10, batchSize: 64, lr: 2e-3, monitor: "loss", threads: "1")], null, Train),
        new(["translate", "eval"], "score a translation checkpoint on its test set: BLEU (overall and by source length), exact match, sentences/s",
            [.. UseOptions, new("split", "NAME", "test", "test or dev"), new("limit", "N", "0", "score only the first N sentences (0 = all)"),
             new("errors", "N", "0", "print the first N outputs that differ from the reference"),
             new("batch-size", "N", "64", "sentences per batch"), .. SharedOptions.Common(threads: "1")], null, Eval),
        new(["translate", "run"], "translate sentences given on the command line", [.. UseOptions, .. SharedOptions.Common(threads: "1")], "TEXT...", Run),
        new(["translate", "show"], "translate one sentence and draw its alignment (output x source symbols) as a PNG (--out FILE.png or a folder)",
            [.. UseOptions, .. SharedOptions.Common(threads: "1")], "TEXT", Show),
    ];

    static TranslationTaskSpec Spec(ParsedArgs a)
    {
        string task = a.Choice("task", TranslationTaskSpec.Tasks);
        if (task != "tsv" && (a.Has("train") || a.Has("dev") || a.Has("test")))
            throw new UsageException("--train/--dev/--test are for --task tsv");
        string? Full(string name) => a.String(name) is { } f ? Path.GetFullPath(f) : null;
        bool dictionary = a.Choice("extra-pairs", TranslationTaskSpec.ExtraKinds) == "dictionary";
        if (dictionary && task != "de-en") throw new UsageException($"--extra-pairs dictionary is for --task de-en; got --task {task}");
        if (!dictionary && a.Has("extra-max")) throw new UsageException("--extra-max is for --extra-pairs dictionary");
        return task switch
        {
            "dates" or "reverse" => new TranslationTaskSpec(task, DateTrain: GeneratedPairs(a), DataSeed: (int)a.Long("seed")),
            "tsv" => new TranslationTaskSpec(task, TrainFile: Full("train") ?? throw new UsageException("--task tsv needs --train FILE"), DevFile: Full("dev"), TestFile: Full("test")),
            _ => dictionary ? new TranslationTaskSpec(task, ExtraPairs: "dictionary", ExtraMax: a.Int("extra-max", 0)) : new TranslationTaskSpec(task),
        };
    }

    /// <summary>Generated tasks: the training pairs, from --pairs or its older name --dates (not both).</summary>
    static int GeneratedPairs(ParsedArgs a)
    {
        if (a.Has("pairs") && a.Has("dates")) throw new UsageException("--dates is the older name of --pairs; give one of them");
        return a.Int(a.Has("dates") ? "dates" : "pairs", 10);
    }

    static int Train(ParsedArgs a)
    {
        var spec = Spec(a);
        string arch = a.Choice("arch", Archs);
        string cell = a.Choice("cell", AttentionSharp.Sequence.BiRnnEncoder.Cells);
        if (arch == "transformer" && cell != "gru") throw new UsageException("--cell applies to the recurrent architectures, not to --arch transformer");
        var level = (a.String("vocab") ?? (spec.Task == "dates" ? "char" : "word")) switch
        {
            "word" => VocabularyLevel.Word,
            "char" => VocabularyLevel.Char,
            var v => throw new UsageException($"--vocab must be word or char; got '{v}'"),
        };
        bool bpe = a.Choice("subwords", "none", "bpe") == "bpe";
        if (bpe && level == VocabularyLevel.Char) throw new UsageException("--subwords bpe splits words; it cannot be combined with --vocab char");
        if (!bpe && a.Has("merges")) throw new UsageException("--merges is for --subwords bpe");
        int merges = bpe ? a.Int("merges", 0) : 0;
        if (bpe) level = VocabularyLevel.Subword;
        int maxLen = a.Has("max-len") ? a.Int("max-len", 1) : spec.Task is "dates" or "reverse" ? 40 : level switch
        {
            VocabularyLevel.Word => 30,
            VocabularyLevel.Subword => 60,
            _ => 200,
        };
        var device = SharedOptions.Device(a);
        string outDir = SharedOptions.OutDir(a, $"translate-{spec.Task}-{arch}");
        var trainerOptions = SharedOptions.Trainer(a, outDir) with { BucketByLength = a.Flag("bucket") };
        trainerOptions.Validate();

        var corpus = spec.Load(SharedOptions.DataRoot(a), Console.Out);
        int minCount = level == VocabularyLevel.Word ? a.Int("min-count", 1) : 1;
        Vocabulary srcVocab, tgtVocab;
        if (bpe)
        {
            // Merges and subword vocabularies from the training part only, one encoding per language.
            var clockBpe = Stopwatch.StartNew();
            var srcBpe = BytePairEncoding.Learn(corpus.Train.Select(p => p.Source), merges);
            var tgtBpe = BytePairEncoding.Learn(corpus.Train.Select(p => p.Target), merges);
            srcVocab = Vocabulary.Build(corpus.Train.Select(p => p.Source), srcBpe, minCount, a.Int("max-vocab", 5));
            tgtVocab = Vocabulary.Build(corpus.Train.Select(p => p.Target), tgtBpe, minCount, a.Int("max-vocab", 5));
            Console.WriteLine($"byte-pair encoding: {srcBpe.Merges.Count} source, {tgtBpe.Merges.Count} target merges learned ({clockBpe.Elapsed.TotalSeconds:F1} s)");
        }
        else
        {
            srcVocab = Vocabulary.Build(corpus.Train.Select(p => p.Source), level, minCount, a.Int("max-vocab", 5));
            tgtVocab = Vocabulary.Build(corpus.Train.Select(p => p.Target), level, minCount, a.Int("max-vocab", 5));
        }
        TranslateRun run;
        if (arch == "transformer")
        {
            var t = new TransformerOptions(srcVocab.Count, tgtVocab.Count, a.Int("model-dim", 2), a.Int("heads", 1), a.Int("layers", 1), a.Int("ff", 1),
                a.Double("dropout", 0, 0.99), !a.Flag("post-norm"), maxLen, maxLen + 1, a.Double("label-smoothing", 0, 0.99),
                LearnedPositions: a.Choice("positions", "sinusoidal", "learned") == "learned", ShareEmbeddings: a.Flag("share-embeddings"));
            t.Validate();
            run = new TranslateRun(spec, null, t);
        }
        else
        {
            var net = new Seq2SeqOptions(arch, srcVocab.Count, tgtVocab.Count, a.Int("embedding", 1), a.Int("hidden", 1), a.Double("dropout", 0, 0.99),
                a.Int("window", 1), maxLen, maxLen + 1, a.Double("label-smoothing", 0, 0.99), EncoderCell: cell == "gru" ? null : cell);
            net.Validate();
            run = new TranslateRun(spec, net);
        }
        var train = new TranslationDataset(corpus.Train, srcVocab, tgtVocab, maxLen, maxLen, device);
        var dev = new TranslationDataset(corpus.Dev, srcVocab, tgtVocab, maxLen, maxLen, device);
        Directory.CreateDirectory(outDir);
        Console.WriteLine($"run folder: {outDir}");
        Console.WriteLine($"{spec.Task}: {corpus.Train.Count} train" + (corpus.ExtraTrain > 0 ? $" ({corpus.Train.Count - corpus.ExtraTrain} sentence + {corpus.ExtraTrain} extra dictionary pairs)" : "") +
                          $" ({train.Dropped} longer than {maxLen} dropped), {corpus.Dev.Count} dev, {corpus.Test.Count} test pairs; " +
                          $"{level.ToString().ToLowerInvariant()} vocabularies: {srcVocab.Count} source, {tgtVocab.Count} target symbols");

        manual_seed(trainerOptions.Seed);
        var model = run.Build();
        model.Module.to(device);
        var extra = new JsonObject { ["source"] = srcVocab.ToJson(), ["target"] = tgtVocab.ToJson() };
        var identity = ModelIdentity.Of(Kind, run, extra);
        var clock = Stopwatch.StartNew();
        var summary = TrainingProgress.Run(SharedOptions.Progress(a),
            p => new Trainer<Seq2SeqBatch>(trainerOptions).Fit(new Seq2SeqTask(model), identity, train, dev, p));
        double trainSeconds = clock.Elapsed.TotalSeconds;

        Checkpoint.Load(Path.Combine(outDir, Checkpoint.BestFile), Kind, model.Module);
        model.Module.to(device);
        var test = Usable(corpus.Test, srcVocab, maxLen);
        var eval = new Translator(model, srcVocab, tgtVocab).Evaluate(test, beam: 1);
        var result = new RunResult()
            .Add("task", spec.Task).Add("arch", arch).Add("cell", run.Cell).Add("symbols", level.ToString().ToLowerInvariant())
            .Add("train_pairs", corpus.Train.Count).Add("extra_pairs", spec.ExtraPairs ?? "none").Add("extra_train", corpus.ExtraTrain).Add("bucket", trainerOptions.BucketByLength ? "true" : "false")
            .Add("test_exact", new Percent(100 * eval.ExactMatch)).Add("test_bleu", Math.Round(eval.Bleu.Score, 2)).Add("test_p1", Math.Round(100 * eval.Bleu.Precisions[0], 2))
            .Add("test_sentences", test.Count)
            .Add("best_epoch", summary.State.BestEpoch).Add("epochs", summary.State.Epoch)
            .Add("train_seconds", Math.Round(trainSeconds)).Add("train_seconds_total", Math.Round(summary.State.Seconds))
            .Add("parameters", model.Module.parameters().Sum(p => p.numel()))
            .Add("checkpoint", Path.Combine(outDir, Checkpoint.BestFile));
        result.Save(Path.Combine(outDir, "result.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    /// <summary>The pairs whose source the model accepts (non-empty, not too long).</summary>
    static List<SentencePair> Usable(IReadOnlyList<SentencePair> pairs, Vocabulary src, int maxLen) =>
        pairs.Where(p => src.Split(p.Source.Trim()).Count is > 0 and var n && n <= maxLen).ToList();

    sealed record Loaded(string Path, TranslateRun Run, Translator Translator, Vocabulary Source, Vocabulary Target);

    static Loaded Load(ParsedArgs a)
    {
        string path = a.Required("checkpoint");
        (path, var header, var run) = SharedOptions.ReadRun<TranslateRun>(path, k => k == Kind, "a translation model");
        var src = Vocabulary.FromJson(header.Extra?["source"]);
        var tgt = Vocabulary.FromJson(header.Extra?["target"]);
        var model = run.Build();
        Checkpoint.Load(path, Kind, model.Module);
        model.Module.to(SharedOptions.Device(a));
        return new Loaded(path, run, new Translator(model, src, tgt), src, tgt);
    }

    /// <summary>Source-length buckets (words; characters for character models) for BLEU by length.</summary>
    static readonly (int Lo, int Hi)[] Buckets = [(1, 5), (6, 10), (11, 15), (16, 20), (21, 30), (31, int.MaxValue)];

    static int Eval(ParsedArgs a)
    {
        var m = Load(a);
        int beam = a.Int("beam", 1, 64);
        // Extra pairs only ever join the training part (dev and test are the same without them), so they are not parsed here.
        var corpus = (m.Run.Data with { ExtraPairs = null, ExtraMax = 0 }).Load(SharedOptions.DataRoot(a), Console.Out);
        var pairs = Usable(a.Choice("split", "test", "dev") == "test" ? corpus.Test : corpus.Dev, m.Source, m.Translator.Network.MaxSourceLength);
        int limit = a.Int("limit", 0);
        if (limit > 0) pairs = pairs.Take(limit).ToList();
        var eval = m.Translator.Evaluate(pairs, beam, a.Int("batch-size", 1));
        int shown = 0, maxShown = a.Int("errors", 0);
        for (int i = 0; i < pairs.Count && shown < maxShown; i++)
            if (eval.Outputs[i] != m.Target.Join(m.Target.Split(pairs[i].Target)))
            {
                Console.WriteLine($"  source: {pairs[i].Source}\n  output: {eval.Outputs[i]}\n  wanted: {pairs[i].Target}");
                shown++;
            }
        var result = new RunResult().Add("task", m.Run.Data.Task).Add("arch", m.Run.Arch).Add("cell", m.Run.Cell).Add("extra_pairs", m.Run.Data.ExtraPairs ?? "none")
            .Add("split", a.Required("split")).Add("beam", beam)
            .Add("exact", new Percent(100 * eval.ExactMatch)).Add("bleu", Math.Round(eval.Bleu.Score, 2))
            .Add("bp", Math.Round(eval.Bleu.BrevityPenalty, 4))
            .Add("p1", Math.Round(100 * eval.Bleu.Precisions[0], 2)).Add("p2", Math.Round(100 * eval.Bleu.Precisions[1], 2))
            .Add("p3", Math.Round(100 * eval.Bleu.Precisions[2], 2)).Add("p4", Math.Round(100 * eval.Bleu.Precisions[3], 2))
            .Add("sentences", pairs.Count)
            .Add("sentences_per_s", Math.Round(pairs.Count / Math.Max(1e-9, eval.Seconds), 1));
        var refs = pairs.Select(p => p.Target).ToList();
        var lengths = pairs.Select(p => m.Source.WordCount(p.Source)).ToList();   // words (characters for char models), also for subword models
        foreach (var (lo, hi) in Buckets)
        {
            var idx = Enumerable.Range(0, pairs.Count).Where(i => lengths[i] >= lo && lengths[i] <= hi).ToList();
            if (idx.Count == 0) continue;
            string name = hi == int.MaxValue ? $"{lo}plus" : $"{lo}_{hi}";
            result.Add($"bleu_len_{name}", Math.Round(Bleu.Corpus(idx.Select(i => eval.Outputs[i]).ToList(), idx.Select(i => refs[i]).ToList()).Score, 2));
            result.Add($"n_len_{name}", idx.Count);
        }
        result.Add("checkpoint", m.Path);
        string dir = Path.GetDirectoryName(Path.GetFullPath(m.Path))!;
        result.Save(Path.Combine(dir, $"eval-{a.Required("split")}-beam{beam}.json"));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Run(ParsedArgs a)
    {
        if (a.Positional.Count == 0) throw new UsageException("'attn translate run' needs the sentence(s) to translate, e.g. attn translate run --checkpoint runs/x \"Sie hat es nicht böse gemeint.\"");
        var m = Load(a);
        foreach (var t in m.Translator.Translate(a.Positional, a.Int("beam", 1, 64)))
        {
            if (t.Unknown.Count > 0) Console.Error.WriteLine($"note: unknown to the model (read as <unk>): {string.Join(" ", t.Unknown)}");
            Console.WriteLine(t.Output);
        }
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        if (a.Positional.Count != 1) throw new UsageException($"'attn translate show' needs exactly one sentence (quote it); got {a.Positional.Count}");
        var m = Load(a);
        if (!m.Translator.Network.HasAttention) throw new ArgumentException($"a '{m.Run.Arch}' model has no attention to show; train an attention model (--arch bahdanau or luong-*)");
        var t = m.Translator.Translate(a.Positional, a.Int("beam", 1, 64))[0];
        string o = a.String("out") ?? ".";
        string image = o.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? o : Path.Combine(o, "align.png"); // --out FILE.png or a folder
        AlignmentHeatmap.Save(image, t.SourceSymbols, t.OutputSymbols, t.Weights!);
        if (t.Unknown.Count > 0) Console.Error.WriteLine($"note: unknown to the model (read as <unk>): {string.Join(" ", t.Unknown)}");
        Console.WriteLine(t.Output);
        Console.WriteLine($"alignment ({t.OutputSymbols.Count} outputs x {t.SourceSymbols.Count} source symbols): {Path.GetFullPath(image)}");
        return 0;
    }
}
