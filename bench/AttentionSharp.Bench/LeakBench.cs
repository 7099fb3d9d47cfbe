using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Data.Relations;
using AttentionSharp.Data.Series;
using AttentionSharp.Data.Text;
using AttentionSharp.Data.Translation;
using AttentionSharp.Models.Baselines;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Models.Forecasting;
using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Models.RelationExtraction;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Models.SpatialTransformers;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Models.Transformer;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Bench;

/// <summary>
/// Leaks over long training: every model family trains many steps on a tiny configuration and synthetic data through the
/// library's own <see cref="Trainer{TBatch}"/> and the family's task, while the live tensor count of the training thread
/// and the process memory are sampled every <c>steps/20</c> steps. The least-squares slope per 1,000 steps after a warm-up
/// of the first 5% of steps is the figure: a live-tensor slope above <see cref="TensorSlopeLimit"/> is a leak (exit code 1).
/// </summary>
public static class LeakBench
{
    /// <summary>Live tensors per 1,000 steps above which a family leaks.</summary>
    public const double TensorSlopeLimit = 0.5;

    /// <summary>Sample points per run.</summary>
    const int Samples = 20;

    /// <summary>The families, in order of priority, each building its model, task and data and driving them.</summary>
    static readonly (string Name, Func<Run, Sampler> Drive)[] Families =
    [
        ("baseline", Baseline), ("ram", Ram), ("seq2seq", Seq2Seq), ("transformer", Transformer), ("textclass", TextClass),
        ("tagging", Tagging), ("segmentation", Segmentation), ("captioning", Captioning), ("relex", Relex),
        ("forecast", Forecast), ("stn", Stn), ("draw", Draw),
    ];

    static readonly Option<int> StepsOption = BenchOptions.Range("steps", 10_000, Samples, 10_000_000, $"training steps per family (sampled every steps/{Samples})");
    static readonly Option<string> FamilyOption = BenchOptions.Of("family", "all", "all, or one of " + string.Join(", ", Families.Select(f => f.Name)));
    static readonly Option<int> BatchOption = BenchOptions.Range("batch", 4, 1, 64, "examples per batch (tiny)");
    static readonly Option<int> ThreadsOption = BenchOptions.Range("threads", 1, 1, 256, "torch intra-op threads");
    static readonly Option<bool> PointsOption = BenchOptions.Of("points", false, "also print every sample (step, live tensors, working set, private memory)");

    /// <summary>The <c>leak</c> verb.</summary>
    public static Command Command
    {
        get
        {
            FamilyOption.AcceptOnlyFromAmong(["all", .. Families.Select(f => f.Name)]);
            return BenchOptions.Verb("leak", $"live tensors and process memory over many training steps per model family; exit 1 when live tensors grow by more than {TensorSlopeLimit} per 1,000 steps",
                r => Execute(r.GetValue(StepsOption), r.GetValue(FamilyOption)!, r.GetValue(BatchOption), r.GetValue(ThreadsOption), r.GetValue(PointsOption)),
                StepsOption, FamilyOption, BatchOption, ThreadsOption, PointsOption);
        }
    }

    /// <summary>What one family's run needs: sample interval in steps, epochs (= samples) and batch size.</summary>
    sealed record Run(int Interval, int Epochs, int Batch)
    {
        /// <summary>Training examples: exactly <see cref="Interval"/> batches per epoch.</summary>
        public int TrainCount => Interval * Batch;
        /// <summary>Validation examples: two batches, so the evaluation path runs every epoch too.</summary>
        public int ValidCount => 2 * Batch;

        public TrainerOptions Trainer => new()
        {
            Epochs = Epochs, BatchSize = Batch, LearningRate = 1e-3, Seed = 1, OutDir = null, MaxBatchesPerEpoch = Interval,
            GradClipNorm = 5.0, Patience = 0,
        };

        /// <summary>Fits <paramref name="task"/> for the whole run and returns the samples.</summary>
        public Sampler Fit<TBatch>(ITrainable<TBatch> task, ModelIdentity identity, IBatchSource<TBatch> train, IBatchSource<TBatch> valid)
        {
            var sampler = new Sampler();
            new Trainer<TBatch>(Trainer).Fit(task, identity, train, valid, sampler);
            return sampler;
        }
    }

    /// <summary>Samples the training thread's live tensors and the process memory at the end of every epoch (after validation).</summary>
    sealed class Sampler : ITrainingProgress
    {
        long _steps;
        int _batches;

        /// <summary>(step, live tensors, working set MiB, private MiB), in order.</summary>
        public List<(long Step, long Tensors, double WorkingMiB, double PrivateMiB)> Points { get; } = [];
        /// <summary>Mean training loss of the first and the last epoch.</summary>
        public double FirstLoss = double.NaN, LastLoss = double.NaN;

        public void StartEpoch(int epoch, int epochs, int batches) => _batches = batches;
        public void Step(int done, double meanLoss) { }
        public void Message(string line) { }

        public void EndEpoch(EpochRecord record)
        {
            _steps += _batches;
            double loss = record.Train.GetValueOrDefault("loss", double.NaN);
            if (double.IsNaN(FirstLoss)) FirstLoss = loss;
            LastLoss = loss;
            // Outside any native call and any step scope: a full collection here only settles what the GC can free.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var p = Process.GetCurrentProcess();
            Points.Add((_steps, DisposeScopeManager.Statistics.ThreadTotalLiveCount, p.WorkingSet64 / 1048576.0, p.PrivateMemorySize64 / 1048576.0));
        }
    }

    /// <summary>Least-squares slope of <paramref name="y"/> against <paramref name="x"/>, times 1,000.</summary>
    static double SlopePer1k(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n < 2) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxx == 0 ? double.NaN : 1000 * sxy / sxx;
    }

    /// <summary>Runs the chosen families; prints one table row and one <c>leak:</c> line each.</summary>
    public static int Execute(int steps, string family, int batch, int threads, bool points = false)
    {
        torch.set_num_threads(threads);
        int interval = Math.Max(1, steps / Samples);
        int epochs = steps / interval;
        int total = interval * epochs;
        long warmup = total * 5L / 100;
        var chosen = family == "all" ? Families : Families.Where(f => f.Name == family).ToArray();
        Console.WriteLine($"leak: {total} steps per family, batch {batch}, sampled every {interval} steps at epoch ends (after validation), " +
                          $"slopes over samples after step {warmup}; {torch.get_num_threads()} threads, TorchSharp {typeof(torch).Assembly.GetName().Version}");
        Console.WriteLine($"{"family",-13} {"steps",6} {"tensors",15} {"t/1k",8} {"working MiB",15} {"MiB/1k",7} {"private MiB",15} {"MiB/1k",7} {"loss",15} {"s",6}");
        var lines = new List<string>();
        bool leaked = false;
        var all = Stopwatch.StartNew();
        foreach (var (name, drive) in chosen)
        {
            var clock = Stopwatch.StartNew();
            Sampler s;
            try { s = drive(new Run(interval, epochs, batch)); }
            catch (Exception e)
            {
                Console.WriteLine($"{name,-13} failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                lines.Add($"leak: family={name} steps={total} error={e.GetType().Name}");
                leaked = true;
                continue;
            }
            var kept = s.Points.Where(p => p.Step > warmup).ToList();
            var x = kept.Select(p => (double)p.Step).ToList();
            double tSlope = SlopePer1k(x, [.. kept.Select(p => (double)p.Tensors)]);
            double wSlope = SlopePer1k(x, [.. kept.Select(p => p.WorkingMiB)]);
            double pSlope = SlopePer1k(x, [.. kept.Select(p => p.PrivateMiB)]);
            var (first, last) = (kept[0], kept[^1]);
            long done = s.Points[^1].Step;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-13} {done,6} {$"{first.Tensors}->{last.Tensors}",15} {tSlope,8:F2} {$"{first.WorkingMiB:F0}->{last.WorkingMiB:F0}",15} {wSlope,7:F2} " +
                $"{$"{first.PrivateMiB:F0}->{last.PrivateMiB:F0}",15} {pSlope,7:F2} {$"{s.FirstLoss:F3}->{s.LastLoss:F3}",15} {clock.Elapsed.TotalSeconds,6:F1}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"leak: family={name} steps={done} tensors_per_1k={tSlope:F3} mib_per_1k={wSlope:F3} private_mib_per_1k={pSlope:F3}"));
            if (points)
                foreach (var p in s.Points)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name} step {p.Step,8} tensors {p.Tensors,6} working {p.WorkingMiB,8:F1} MiB private {p.PrivateMiB,8:F1} MiB"));
            if (!(tSlope <= TensorSlopeLimit)) leaked = true;
        }
        foreach (var l in lines) Console.WriteLine(l);
        Console.WriteLine($"leak: {(leaked ? "LEAK or failure" : "no leak")} (limit {TensorSlopeLimit} live tensors per 1,000 steps); {all.Elapsed.TotalSeconds:F1} s");
        return leaked ? 1 : 0;
    }

    // ---- synthetic data --------------------------------------------------------------------------------------------

    /// <summary>28x28 (or <paramref name="side"/>) grey images whose class sets where a bright square lies, plus noise.</summary>
    static ImageDataset Images(int count, int seed, int side = 28, int classes = 10)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.Next(classes);
            labels[i] = (byte)c;
            var img = pixels.AsSpan(i * side * side, side * side);
            for (int k = 0; k < img.Length; k++) img[k] = (byte)rng.Next(40);
            int top = c / 5 * (side / 2) + rng.Next(side / 4), left = c % 5 * (side / 5);
            for (int r = top; r < Math.Min(side, top + 6); r++)
                for (int q = left; q < Math.Min(side, left + 5); q++) img[r * side + q] = 255;
        }
        return new ImageDataset(pixels, labels, side, side, classes);
    }

    static readonly string[] Words = [.. Enumerable.Range(0, 16).Select(i => new string((char)('a' + i), 2))];

    /// <summary>Random sentences of 6-10 words from a vocabulary of 16.</summary>
    static string[][] Sentences(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, rng.Next(6, 11)).Select(_ => Words[rng.Next(Words.Length)]).ToArray())];
    }

    // ---- families --------------------------------------------------------------------------------------------------

    static Sampler Baseline(Run run)
    {
        var options = new BaselineOptions(Hidden: 32, Dropout: 0.1);
        torch.manual_seed(1);
        var model = new BaselineClassifier(options);
        return run.Fit(new ClassifierTask(model), ModelIdentity.Of("baseline/fc", options), Images(run.TrainCount, 1), Images(run.ValidCount, 2));
    }

    static Sampler Ram(Run run)
    {
        var options = new RamOptions(Glimpses: 4, GlimpseHidden: 16, GlimpseOut: 32, CoreHidden: 32, LocationStdFinal: 0.05);
        torch.manual_seed(1);
        var model = new RecurrentAttentionModel(options);
        var task = new RamTask(model) { Epochs = run.Epochs };
        return run.Fit(task, ModelIdentity.Of("ram", options), Images(run.TrainCount, 1), Images(run.ValidCount, 2));
    }

    /// <summary>Pairs whose target is the source reversed.</summary>
    static (TranslationDataset Train, TranslationDataset Valid, int Vocab) Reversal(Run run)
    {
        var vocab = new Data.Translation.Vocabulary(VocabularyLevel.Word, Words);
        TranslationDataset Set(int count, int seed) => new(
            [.. Sentences(count, seed).Select(s => new SentencePair(string.Join(' ', s), string.Join(' ', s.Reverse())))], vocab, vocab, 12, 12);
        return (Set(run.TrainCount, 1), Set(run.ValidCount, 2), vocab.Count);
    }

    static Sampler Seq2Seq(Run run)
    {
        var (train, valid, v) = Reversal(run);
        var options = new Seq2SeqOptions(Seq2SeqArch.Bahdanau, v, v, Embedding: 16, Hidden: 16, MaxSourceLength: 12, MaxTargetLength: 12);
        torch.manual_seed(1);
        var model = new Seq2SeqModel(options);
        return run.Fit(new Seq2SeqTask(model), ModelIdentity.Of("translate/bahdanau", options), train, valid);
    }

    static Sampler Transformer(Run run)
    {
        var (train, valid, v) = Reversal(run);
        var options = new TransformerOptions(v, v, ModelDim: 16, Heads: 2, Layers: 1, FeedForward: 32, MaxSourceLength: 12, MaxTargetLength: 12);
        torch.manual_seed(1);
        var model = new TransformerModel(options);
        return run.Fit(new Seq2SeqTask(model), ModelIdentity.Of("translate/transformer", options), train, valid);
    }

    static Sampler TextClass(Run run)
    {
        // Ids 2..17 (0 = padding, 1 = unknown); the label says whether the first word's id is even.
        EncodedTextSet Set(int count, int seed)
        {
            var docs = Sentences(count, seed).Select(s => new[] { s.Select(w => 2 + (w[0] - 'a')).ToArray() }).ToList();
            return new EncodedTextSet(docs, [.. docs.Select(d => d[0][0] % 2)], hierarchical: false);
        }
        var options = new TextClassifierOptions(Model: TextClassifierModel.Attn, VocabularySize: 2 + Words.Length, Classes: 2, Embedding: 8, Hidden: 8, AttentionDim: 8,
            Dropout: 0.1, MinCount: 1);
        torch.manual_seed(1);
        var model = TextClassifiers.Create(options);
        return run.Fit(new TextClassificationTask(model), ModelIdentity.Of("textclass/attn", options), Set(run.TrainCount, 1), Set(run.ValidCount, 2));
    }

    static Sampler Tagging(Run run)
    {
        // A word of the first half of the alphabet starts a chunk (B-X), the second half continues it (I-X) or is outside (O).
        static List<TaggedSentence> Tagged(int count, int seed) => [.. Sentences(count, seed).Select(s =>
        {
            var tags = new string[s.Length];
            for (int i = 0; i < s.Length; i++) tags[i] = s[i][0] < 'f' ? "B-X" : s[i][0] < 'k' && i > 0 && tags[i - 1] != "O" ? "I-X" : "O";
            return new TaggedSentence(s, tags);
        })];
        var train = Tagged(run.TrainCount, 1);
        var vocab = TaggerVocabularies.Build(train, minWordCount: 1, minFeatureCount: 1, withFeatures: false);
        var options = new TaggerOptions(TaggerModel.BiLstmCrf, Words: vocab.Words.Count, Chars: vocab.Chars.Count, Tags: vocab.Tags.Count, WordDim: 8, CharDim: 4,
            CharFilters: 4, Hidden: 8, Dropout: 0.1);
        torch.manual_seed(1);
        var tagger = CrfTagger.Create(options, vocab.Tags.Items);
        return run.Fit(new TaggingTask(tagger), ModelIdentity.Of("tag/bilstm-crf", options),
            new TaggingDataset(train, vocab, useChars: true, useFeatures: false), new TaggingDataset(Tagged(run.ValidCount, 2), vocab, useChars: true, useFeatures: false));
    }

    static Sampler Segmentation(Run run)
    {
        // 28x28 images with a bright rectangle (class 1) and a grey one (class 2) on a dark background (class 0).
        static SegmentationDataset Set(int count, int seed)
        {
            const int side = 28;
            var rng = new Random(seed);
            var pixels = new byte[count * side * side];
            var masks = new byte[count * side * side];
            for (int i = 0; i < count; i++)
                foreach (var (cls, value) in new[] { (1, 250), (2, 140) })
                {
                    int top = rng.Next(side - 8), left = rng.Next(side - 8), h = rng.Next(4, 9), w = rng.Next(4, 9);
                    for (int r = top; r < top + h; r++)
                        for (int q = left; q < left + w; q++) { pixels[(i * side + r) * side + q] = (byte)(value + rng.Next(6)); masks[(i * side + r) * side + q] = (byte)cls; }
                }
            return new SegmentationDataset(pixels, masks, side, side, classes: 3);
        }
        var options = new SegmentationOptions(SegmentationModel.AttentionUNet, Classes: 3, BaseFilters: 4, Depth: 2);
        torch.manual_seed(1);
        var model = UNet2D.Create(options);
        return run.Fit(new SegmentationTask(model), ModelIdentity.Of("segment/attention-unet", options), Set(run.TrainCount, 1), Set(run.ValidCount, 2));
    }

    static Sampler Captioning(Run run)
    {
        // 16x16 images with a square in one of four corners; the caption names the corner and the square's brightness.
        string[] corners = ["top left", "top right", "bottom left", "bottom right"];
        CaptionDataset Set(int count, int seed, CaptionVocabulary vocab)
        {
            const int side = 16;
            var rng = new Random(seed);
            var pixels = new byte[count * side * side];
            var refs = new string[count][];
            for (int i = 0; i < count; i++)
            {
                int c = rng.Next(4);
                bool bright = rng.Next(2) == 0;
                int top = c / 2 * 8 + rng.Next(2), left = c % 2 * 8 + rng.Next(2);
                for (int r = top; r < top + 6; r++)
                    for (int q = left; q < left + 6; q++) pixels[(i * side + r) * side + q] = (byte)(bright ? 255 : 120);
                refs[i] = [$"a {(bright ? "bright" : "dim")} square at the {corners[c]}", $"the {corners[c]} has a {(bright ? "bright" : "dim")} square"];
            }
            return new CaptionDataset(pixels, side, side, refs, vocab);
        }
        var vocab = CaptionVocabulary.Build(corners.SelectMany(c => new[] { $"a bright dim square at the {c}", $"the {c} has" }));
        var options = new CaptionOptions(vocab.Count, CaptionAttention.Soft, ImageSize: 16, Features: 8, Embedding: 8, Hidden: 16, AttentionHidden: 8, MaxLength: 10);
        torch.manual_seed(1);
        var model = new ShowAttendTell(options);
        var valid = Set(run.ValidCount, 2, vocab);
        return run.Fit(new CaptionTask(model, valid.References, vocab), ModelIdentity.Of("caption/soft", options), Set(run.TrainCount, 1, vocab), valid);
    }

    static Sampler Relex(Run run)
    {
        // Bags of 1-3 sentences; the relation is the word between the two entities ("in", "of" or none = NA).
        var relations = new RelationSet(["NA", "in", "of"]);
        List<RelationBag> Bags(int count, int seed)
        {
            var rng = new Random(seed);
            var sentences = Sentences(count * 3, seed + 100);
            var bags = new List<RelationBag>(count);
            for (int b = 0; b < count; b++)
            {
                string rel = relations.Names[rng.Next(relations.Count)];
                var list = new List<RelationSentence>();
                for (int k = 0, n = rng.Next(1, 4); k < n; k++)
                {
                    var tokens = sentences[b * 3 + k].ToList();
                    int h = rng.Next(tokens.Count - 3);
                    tokens[h] = "head";
                    tokens[h + 1] = rel == "NA" ? Words[rng.Next(Words.Length)] : rel;
                    tokens[h + 2] = "tail";
                    list.Add(new RelationSentence([.. tokens], new EntityMention("head", null, h, h + 1), new EntityMention("tail", null, h + 2, h + 3), rel));
                }
                bags.Add(new RelationBag("head", "tail", [rel], list));
            }
            return bags;
        }
        var train = Bags(run.TrainCount, 1);
        var vocab = Data.Text.Vocabulary.Build(train.SelectMany(b => b.Sentences).Select(s => s.Tokens), minCount: 1);
        var options = new RelexOptions(vocab.Count, relations.Count, RelexEncoder.Pcnn, RelexAggregator.Att, WordDim: 8, PositionDim: 2, Filters: 8, Dropout: 0.1, MaxLength: 12, MaxDistance: 10);
        torch.manual_seed(1);
        var model = new BagRelationExtractor(options);
        return run.Fit(new RelexTask(model), ModelIdentity.Of("relex/pcnn-att", options),
            new BagDataset(train, vocab, relations, options), new BagDataset(Bags(run.ValidCount, 2), vocab, relations, options));
    }

    static Sampler Forecast(Run run)
    {
        // Three noisy sine drivers; the target follows their weighted sum one step later.
        const int window = 8, valid = 40, test = 20;
        int length = run.TrainCount + window + valid + test + 12;
        var rng = new Random(1);
        var drivers = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, length).Select(t => Math.Sin(t * (0.05 + 0.03 * k)) + 0.1 * rng.NextDouble()).ToArray()).ToArray();
        var target = Enumerable.Range(0, length).Select(t => t == 0 ? 0 : 0.5 * drivers[0][t - 1] - 0.3 * drivers[1][t - 1] + 0.2 * drivers[2][t - 1]).ToArray();
        var series = new TimeSeries("synthetic", [.. Enumerable.Range(0, length).Select(t => t.ToString(CultureInfo.InvariantCulture))], "y", target, ["d0", "d1", "d2"], drivers);
        var data = ForecastData.Build(series, window, horizon: 1, testSteps: test, validSteps: valid);
        var options = new DarnnOptions(3, window, EncoderHidden: 8, DecoderHidden: 8, Attention: DarnnAttention.Dual);
        torch.manual_seed(1);
        var model = new DualStageAttentionRnn(options);
        using var trainWindows = data.Windows(data.TrainOrigins);
        using var validWindows = data.Windows(data.ValidOrigins);
        return run.Fit(new ForecastTask(model), ModelIdentity.Of("forecast/dual", options), trainWindows, validWindows);
    }

    static Sampler Stn(Run run)
    {
        var options = new StnOptions(StnModel.StCnn, Height: 28, Width: 28, Filters1: 4, Filters2: 8, Hidden: 16);
        torch.manual_seed(1);
        var model = new StnClassifier(options);
        return run.Fit(new ClassifierTask(model), ModelIdentity.Of("stn/st-cnn", options), Images(run.TrainCount, 1), Images(run.ValidCount, 2));
    }

    static Sampler Draw(Run run)
    {
        var options = new DrawClassifierOptions(28, 28, 10, Glimpses: 3, Grid: 8, Hidden: 16, GlimpseHidden: 16);
        torch.manual_seed(1);
        var model = new DrawReadClassifier(options);
        return run.Fit(new ClassifierTask(model), ModelIdentity.Of("draw", options), Images(run.TrainCount, 1), Images(run.ValidCount, 2));
    }
}
