using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Training;

namespace AttentionSharp.Cli.Commands;

/// <summary><c>attn translate train|eval|run|show</c>: sequence-to-sequence translation with and without attention.</summary>
public static class TranslateCommands
{
    static readonly OptionSpec[] ModelOptions =
    [
        new OptionSpec("arch", "NAME", "bahdanau", "model: " + string.Join(", ", TranslateTrainSpec.Architectures)).OneOf(TranslateTrainSpec.Architectures),
        new OptionSpec("task", "NAME", "dates", "corpus: dates (generated), reverse (generated: 3-40 words translated word by word in reversed order), de-en (Debian trans-de-en), l10n-en-de / l10n-de-en (software localisation: German gettext catalogs of 30 Debian packages), tsv (--train/--dev/--test files)").OneOf(TranslationTaskSpec.Tasks),
        new("train", "FILE", null, "tsv: training pairs, one 'source<TAB>target' per line, UTF-8"),
        new("dev", "FILE", null, "tsv: dev pairs (default: 5% of --train held out by hash)"),
        new("test", "FILE", null, "tsv: test pairs (default: 5% of --train held out by hash)"),
        new OptionSpec("extra-pairs", "KIND", "none", "de-en: none, or dictionary: add the dictionary's word and phrase entries (up to 8 words a side) to the training part only").OneOf(TranslationTaskSpec.ExtraKinds),
        new OptionSpec("extra-max", "N", "0", "--extra-pairs dictionary: most extra pairs used, a fixed hash-ordered subset (0 = all)").Ints(0),
        new("vocab", "LEVEL", null, "word or char symbols (default: char for dates, word otherwise)"),
        new OptionSpec("subwords", "KIND", "none", "none (whole words) or bpe: byte-pair encoding of the words (Sennrich et al. 2016), learned per language on the training part").OneOf("none", "bpe"),
        new OptionSpec("merges", "N", "4000", "--subwords bpe: merge operations learned for each language").Ints(0),
        new OptionSpec("min-count", "N", "2", "word vocabularies: keep words seen at least N times in training").Ints(1),
        new OptionSpec("max-vocab", "N", "8000", "largest vocabulary, specials included").Ints(5),
        new OptionSpec("max-len", "N", null, "longest source/target in symbols; longer training pairs are dropped (default: 40 dates and reverse, 30 words, 60 subwords)").Ints(1),
        new OptionSpec("pairs", "N", "20000", "dates, reverse: training pairs generated (dev and test: 1000 each)").Ints(10),
        new OptionSpec("dates", "N", null, "older name of --pairs, still accepted").Ints(10),
        new OptionSpec("embedding", "N", "64", "embedding size").Ints(1),
        new OptionSpec("hidden", "N", "128", "encoder RNN units per direction (the decoder has twice this)").Ints(1),
        new("bucket", null, null, "batch training pairs of similar length together (shuffled batches; less padding, faster epochs)"),
        new OptionSpec("cell", "NAME", "gru", "recurrent archs: encoder cell, gru (Bahdanau et al.) or lstm (Luong et al.)").Variants<AttentionSharp.Sequence.RnnCell>(),
        new OptionSpec("dropout", "X", "0.1", "dropout on embeddings and decoder outputs").Numbers(0, 0.99),
        new OptionSpec("window", "N", "5", "local-m, local-p: half-width D of the window").Ints(1),
        new OptionSpec("label-smoothing", "X", "0", "label smoothing of the training loss (0.1 in Vaswani et al.)").Numbers(0, 0.99),
        new OptionSpec("encoder-layers", "N", "1", "recurrent archs: stacked bidirectional encoder layers, --dropout between them").Ints(1, 16),
        new OptionSpec("word-dropout", "X", "0", "in training, read each source word and decoder input word as <unk> with this probability (both families)").Numbers(0, 0.99),
        new OptionSpec("model-dim", "N", "128", "transformer: d_model").Ints(2),
        new OptionSpec("heads", "N", "4", "transformer: attention heads").Ints(1),
        new OptionSpec("layers", "N", "2", "transformer: encoder and decoder layers (each)").Ints(1),
        new OptionSpec("ff", "N", "256", "transformer: feed-forward inner size").Ints(1),
        new("post-norm", null, null, "transformer: layer norm after each residual sum (the paper's) instead of before"),
        new OptionSpec("positions", "KIND", "sinusoidal", "transformer: sinusoidal or learned position embeddings").OneOf("sinusoidal", "learned"),
        new("share-embeddings", null, null, "tie the output layer to the target embedding (Press & Wolf 2017; recurrent archs through a projection to the embedding size)"),
        new OptionSpec("train-max", "N", "0", "corpus tasks: train on at most N pairs, a fixed hash-ordered subset of the training part (0 = all)").Ints(0),
        new OptionSpec("dev-max", "N", "0", "corpus tasks: validate on at most N dev pairs, a fixed hash-ordered subset (0 = all; the test part is never cut)").Ints(0),
        new("test-on-train", null, null, "dev and test are the training part itself: the pipeline check (a model must nearly reproduce its training pairs)"),
        new OptionSpec("dev-bleu", "N", "500", "greedy-decode N dev pairs after every epoch for dev bleu and chrf (--monitor bleu|chrf needs it; 0 = off)").Ints(0),
    ];

    static readonly OptionSpec[] UseOptions =
    [
        new("checkpoint", "PATH", null, "checkpoint file, or run folder (its best checkpoint)"),
        new OptionSpec("beam", "K", "1", "beam size (1 = greedy)").Ints(1, 64),
        new OptionSpec("replace-unk", "MODE", "off", "attention models: off (<unk> is never written), copy (the model may write <unk>; each is replaced by the most-attended source word, Luong et al. 2015) or dictionary (that word's translation from --unk-dictionary, else the word)").OneOf("off", "copy", "dictionary"),
        new("unk-dictionary", "FILE", null, "--replace-unk dictionary: UTF-8 'source<TAB>translation' lines (default on --task de-en: the TU Chemnitz dictionary's single-word entries)"),
    ];

    /// <summary>The unknown-word handling of --replace-unk and --unk-dictionary (null when off).</summary>
    static UnknownWordsSpec? Unknowns(ParsedArgs a)
    {
        var mode = a.Choice("replace-unk") switch { "copy" => UnknownReplacement.Copy, "dictionary" => UnknownReplacement.Dictionary, _ => UnknownReplacement.Off };
        if (a.Has("unk-dictionary") && mode != UnknownReplacement.Dictionary) throw new UsageException("--unk-dictionary is for --replace-unk dictionary");
        return mode == UnknownReplacement.Off ? null : new UnknownWordsSpec(mode, a.String("unk-dictionary"));
    }

    /// <summary>The verbs of this file.</summary>
    public static Verb[] Verbs { get; } =
    [
        new(["translate", "train"], "train a translator (no attention, Bahdanau, Luong or Transformer) until dev chrF stops improving, then score its test set (BLEU, chrF, retrieval baseline)",
            [.. ModelOptions, .. SharedOptions.Train(epochs: 40, batchSize: 64, lr: 2e-3, monitor: "chrf", threads: "1", schedule: "plateau", plateau: 1, gamma: 0.5, patience: 3, clip: 1)], null, Train),
        new(["translate", "eval"], "score a translation checkpoint on its test set: BLEU (plain and smoothed, overall and by source length), chrF, exact match, the retrieval baseline, sentences/s",
            [.. UseOptions, new OptionSpec("split", "NAME", "test", "test or dev").OneOf("test", "dev"), new OptionSpec("limit", "N", "0", "score only the first N sentences (0 = all)").Ints(0),
             new OptionSpec("errors", "N", "0", "print the first N outputs that differ from the reference").Ints(0),
             new OptionSpec("batch-size", "N", "64", "sentences per batch").Ints(1), .. SharedOptions.Common(threads: "1")], null, Eval),
        new(["translate", "run"], "translate sentences given on the command line", [.. UseOptions, .. SharedOptions.Common(threads: "1")], "TEXT...", Run),
        new(["translate", "compare"], "draw BLEU by source sentence length for finished runs (one line each, the retrieval baseline dashed) and print the table",
            [new("out", "FILE", "bleu-by-length.png", "the PNG to write"), new("names", "A,B,...", null, "legend names, one per run, comma-separated (default: architecture and folder)"),
             new("title", "TEXT", null, "figure title"), new("verbose", null, null, "stack traces on errors")], "RUN...", Compare),
        new(["translate", "show"], "translate one sentence and draw its alignment (output x source symbols) as a PNG (--out FILE.png or a folder)",
            [.. UseOptions, .. SharedOptions.Common(threads: "1")], "TEXT", Show),
    ];

    /// <summary>The train spec from the flags; the checks that name flags come first, in the order the verb always made them.</summary>
    static TranslateTrainSpec TrainSpec(ParsedArgs a)
    {
        string task = a.Choice("task");
        if (task != "tsv" && (a.Has("train") || a.Has("dev") || a.Has("test")))
            throw new UsageException("--train/--dev/--test are for --task tsv");
        bool dictionary = a.Choice("extra-pairs") == "dictionary";
        if (dictionary && task != "de-en") throw new UsageException($"--extra-pairs dictionary is for --task de-en; got --task {task}");
        if (!dictionary && a.Has("extra-max")) throw new UsageException("--extra-max is for --extra-pairs dictionary");
        int extraMax = dictionary ? a.Int("extra-max") : 0;
        int pairs = task is "dates" or "reverse" ? GeneratedPairs(a) : 20000;
        if (task == "tsv" && !a.Has("train")) throw new UsageException("--task tsv needs --train FILE");
        if (task is "dates" or "reverse" && (a.Has("train-max") || a.Has("dev-max") || a.Has("test-on-train"))) throw new UsageException($"--train-max and --test-on-train are for corpus tasks; --task {task} generates its pairs (use --pairs)");
        string arch = a.Choice("arch");
        var cell = a.Variant<AttentionSharp.Sequence.RnnCell>("cell");
        string? vocab = a.String("vocab");
        if (vocab is not (null or "word" or "char")) throw new UsageException($"--vocab must be word or char; got '{vocab}'");
        bool bpe = a.Choice("subwords") == "bpe";
        if (bpe && (vocab ?? (task == "dates" ? "char" : "word")) == "char") throw new UsageException("--subwords bpe splits words; it cannot be combined with --vocab char");
        if (!bpe && a.Has("merges")) throw new UsageException("--merges is for --subwords bpe");
        return new TranslateTrainSpec(arch, task, a.String("train"), a.String("dev"), a.String("test"), dictionary ? "dictionary" : "none", extraMax,
            vocab, bpe ? "bpe" : "none", bpe ? a.Int("merges") : null, MinCount: a.Int("min-count"), MaxVocab: a.Int("max-vocab"),
            MaxLen: a.Has("max-len") ? a.Int("max-len") : null, Pairs: pairs,
            Embedding: a.Int("embedding"), Hidden: a.Int("hidden"), Cell: cell, Dropout: a.Double("dropout"), Window: a.Int("window"),
            LabelSmoothing: a.Double("label-smoothing"), ModelDim: a.Int("model-dim"), Heads: a.Int("heads"), Layers: a.Int("layers"),
            FeedForward: a.Int("ff"), PostNorm: a.Flag("post-norm"), Positions: a.Choice("positions"),
            ShareEmbeddings: a.Flag("share-embeddings"), TrainMax: a.Int("train-max"), TestOnTrain: a.Flag("test-on-train"), DevBleuSentences: a.Int("dev-bleu"), DevMax: a.Int("dev-max"), WordDropout: a.Double("word-dropout"), EncoderLayers: a.Int("encoder-layers"));
    }

    /// <summary>Generated tasks: the training pairs, from --pairs or its older name --dates (not both).</summary>
    static int GeneratedPairs(ParsedArgs a)
    {
        if (a.Has("pairs") && a.Has("dates")) throw new UsageException("--dates is the older name of --pairs; give one of them");
        return a.Has("dates") ? a.Int("dates") : a.Int("pairs");
    }

    static int Train(ParsedArgs a)
    {
        var spec = TrainSpec(a);
        SharedOptions.Device(a); // a bad --device is reported before the run folder is named, as always
        var trainer = SharedOptions.Trainer(a, SharedOptions.OutDir(a, $"translate-{spec.Task}-{spec.Arch}")) with { BucketByLength = a.Flag("bucket") };
        trainer.Validate();
        var result = TrainingProgress.Run(SharedOptions.Progress(a), p => TranslateExperiment.Train(spec, trainer, SharedOptions.Context(a, p)));
        Console.WriteLine(result.ToLine());
        return 0;
    }

    static int Eval(ParsedArgs a)
    {
        var spec = new TranslateEvalSpec(a.Required("checkpoint"), a.Int("beam"), a.Choice("split"), a.Int("limit"),
            a.Int("errors"), a.Int("batch-size"), Unknowns(a));
        Console.WriteLine(TranslateExperiment.Evaluate(spec, SharedOptions.Context(a)).ToLine());
        return 0;
    }

    static int Run(ParsedArgs a)
    {
        if (a.Positional.Count == 0) throw new UsageException("'attn translate run' needs the sentence(s) to translate, e.g. attn translate run --checkpoint runs/x \"Sie hat es nicht böse gemeint.\"");
        foreach (var t in TranslateExperiment.Translate(a.Required("checkpoint"), a.Positional, SharedOptions.Context(a), a.Int("beam"), Unknowns(a)))
        {
            if (t.Unknown.Count > 0) Console.Error.WriteLine($"note: unknown to the model (read as <unk>): {string.Join(" ", t.Unknown)}");
            Console.WriteLine(t.Output);
        }
        return 0;
    }

    static int Compare(ParsedArgs a)
    {
        if (a.Positional.Count == 0) throw new UsageException("'attn translate compare' needs one or more run folders, e.g. attn translate compare runs/none runs/bahdanau --out len.png");
        var names = a.String("names")?.Split(',', StringSplitOptions.TrimEntries);
        var spec = new TranslateCompareSpec(a.Positional, a.String("out")!, names, a.String("title"));
        var result = TranslationComparison.Compare(spec, ExperimentContext.Cpu(Console.Out));
        Console.WriteLine($"figure: {result.Items.Single(kv => kv.Key == "png").Value}");
        return 0;
    }

    static int Show(ParsedArgs a)
    {
        if (a.Positional.Count != 1) throw new UsageException($"'attn translate show' needs exactly one sentence (quote it); got {a.Positional.Count}");
        var r = TranslateExperiment.Show(new TranslateShowSpec(a.Required("checkpoint"), a.Positional[0], a.Int("beam"), a.String("out"), Unknowns(a)), SharedOptions.Context(a));
        object Value(string key) => r.Items.Single(kv => kv.Key == key).Value;
        if (Value("unknown") is string { Length: > 0 } unknown) Console.Error.WriteLine($"note: unknown to the model (read as <unk>): {unknown}");
        Console.WriteLine(Value("output"));
        Console.WriteLine($"alignment ({Value("outputs")} outputs x {Value("sources")} source symbols): {Value("png")}");
        return 0;
    }
}
