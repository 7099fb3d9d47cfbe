using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Data;
using AttentionSharp.Data.Text;
using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace AttentionSharp.Bench;

/// <summary>
/// Text classification against the ML.NET peer: FeaturizeText (word 1-2-grams + character 3-grams, ML.NET defaults)
/// with SDCA logistic regression (SDCA maximum entropy for more than two classes), and our attn/mean/max/last/han
/// models, on exactly the same stratified folds; prints accuracy mean +- std over folds and training time.
/// Usage: <c>text-classification --task polarity-sentences [--folds 10] [--max-folds N] [--models mlnet,attn,mean,max,last,han]
/// [--epochs 6] [--lr 0.003] [--valid-fraction 0.1] [--batch-size 32] [--max-tokens 400] [--seed 1] [--data-dir DIR] [--train F.csv]
/// [--pretrained none|skipgram] [--pretrain-text auto|LIST] [--pretrain-epochs 5] [--embedding 100] [--hidden 50] [--dropout 0.3] [--word-dropout 0]
/// [--freeze-embedding false] [--pretrained-vocab false]</c>;
/// <c>--pretrained skipgram</c> initialises every one of our models' embeddings from the same cached skip-gram vectors
/// (see <see cref="WordVectorCache"/>), trained on unlabelled text only.
/// </summary>
public static class TextClassificationBench
{
    sealed class Row
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
        public bool Positive { get; set; }
    }

    /// <summary>Runs the benchmark; prints one line per fold and model, then the table.</summary>
    public static int Run(string[] args)
    {
        var opt = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"error: expected --name value; got '{args[i]}'"); return 2; }
            opt[args[i][2..]] = args[i + 1];
        }
        string Get(string k, string d) => opt.GetValueOrDefault(k, d);
        string task = Get("task", TextTasks.PolaritySentences);
        int folds = int.Parse(Get("folds", "10"), CultureInfo.InvariantCulture);
        int maxFolds = int.Parse(Get("max-folds", folds.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        long seed = long.Parse(Get("seed", "1"), CultureInfo.InvariantCulture);
        var models = Get("models", "mlnet,attn,mean,max,last,han").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var trainer = new TrainerOptions
        {
            Epochs = int.Parse(Get("epochs", "6"), CultureInfo.InvariantCulture),
            BatchSize = int.Parse(Get("batch-size", "32"), CultureInfo.InvariantCulture),
            LearningRate = double.Parse(Get("lr", "0.003"), CultureInfo.InvariantCulture),
            Seed = seed,
        };
        double validFraction = double.Parse(Get("valid-fraction", "0.1"), CultureInfo.InvariantCulture);
        var netBase = new TextClassifierOptions(MaxTokens: int.Parse(Get("max-tokens", "400"), CultureInfo.InvariantCulture),
            Embedding: int.Parse(Get("embedding", "100"), CultureInfo.InvariantCulture),
            Hidden: int.Parse(Get("hidden", "50"), CultureInfo.InvariantCulture),
            Dropout: double.Parse(Get("dropout", "0.3"), CultureInfo.InvariantCulture),
            WordDropout: double.Parse(Get("word-dropout", "0"), CultureInfo.InvariantCulture),
            FreezeEmbedding: bool.Parse(Get("freeze-embedding", "false")), ExtendVocabulary: bool.Parse(Get("pretrained-vocab", "false")));
        string dataRoot = DataCache.Resolve(opt.GetValueOrDefault("data-dir"));
        Func<IReadOnlyList<string>, WordVectors>? pretrained = null;
        string pretrainedName = Get("pretrained", "none");
        if (pretrainedName == "skipgram")
        {
            string list = Get("pretrain-text", "auto");
            var sources = UnlabelledText.Parse(list == "auto" ? UnlabelledText.DefaultFor(task) : list, task);
            var sg = new SkipGramOptions(Dimension: netBase.Embedding, Epochs: int.Parse(Get("pretrain-epochs", "5"), CultureInfo.InvariantCulture), Seed: seed);
            Console.WriteLine($"pretrained embeddings: {sg.Describe()} on {string.Join(" + ", sources)}");
            pretrained = texts => WordVectorCache.GetOrTrain(dataRoot, sources, texts, sg, Console.Out);
        }
        else if (pretrainedName != "none") throw new ArgumentException($"--pretrained must be none or skipgram; got '{pretrainedName}'");

        var corpus = task == TextTasks.Csv
            ? TextTasks.LoadCsv(opt.TryGetValue("train", out var f) ? f : throw new ArgumentException("--task csv needs --train FILE"))
            : TextTasks.Load(task, dataRoot, Console.Out);
        var splits = new StratifiedFolds(corpus.Labels, folds, seed);
        Console.WriteLine($"task {task}: {corpus.Count} texts; {folds} stratified folds (seed {seed}), running {Math.Min(folds, maxFolds)}; " +
                          $"models {string.Join(",", models)}; embeddings {pretrainedName}; epochs {trainer.Epochs}, batch {trainer.BatchSize}, lr {trainer.LearningRate}; torch threads {get_num_threads()}");

        var results = models.ToDictionary(m => m, _ => new List<(double Acc, double Seconds)>());
        for (int fold = 0; fold < Math.Min(folds, maxFolds); fold++)
        {
            var (trainIdx, testIdx) = splits.Split(fold);
            var train = corpus.Subset(trainIdx);
            var test = corpus.Subset(testIdx);
            foreach (var m in models)
            {
                (double acc, double sec) = m == "mlnet"
                    ? MlNet(train, test, (int)seed)
                    : Ours(train, test, new TextClassificationRun(task, folds, fold, seed, null, null, "label", "text", netBase with { Model = m }, validFraction), trainer, pretrained);
                results[m].Add((acc, sec));
                Console.WriteLine($"fold {fold + 1}/{folds} {m,-6} accuracy {100 * acc:0.00}%  train {sec:0.0} s");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| model | accuracy (mean +- std over {results.First().Value.Count} folds) | train time per fold |");
        Console.WriteLine("|---|---|---|");
        foreach (var m in models)
        {
            var (mean, std) = TextClassificationExperiment.MeanStd(results[m].Select(r => r.Acc).ToList());
            string name = m == "mlnet" ? "ML.NET FeaturizeText + SDCA" : m;
            Console.WriteLine($"| {name} | {100 * mean:0.00}% +- {100 * std:0.00} | {results[m].Average(r => r.Seconds):0.0} s |");
        }
        return 0;
    }

    static (double Accuracy, double Seconds) Ours(TextCorpus train, TextCorpus test, TextClassificationRun run, TrainerOptions trainer,
        Func<IReadOnlyList<string>, WordVectors>? pretrained)
    {
        var (r, bundle) = TextClassificationExperiment.TrainAndTest(train, test, run, trainer, CPU, new PlainProgress(TextWriter.Null), pretrained);
        bundle.Classifier.Module.Dispose();
        return (r.Accuracy, r.TrainSeconds);
    }

    static (double Accuracy, double Seconds) MlNet(TextCorpus train, TextCorpus test, int seed)
    {
        var ml = new MLContext(seed);
        IEnumerable<Row> Rows(TextCorpus c) => Enumerable.Range(0, c.Count).Select(i => new Row { Text = c.Texts[i], Label = c.ClassNames[c.Labels[i]], Positive = c.Labels[i] == 1 });
        var trainData = ml.Data.LoadFromEnumerable(Rows(train));
        var testData = ml.Data.LoadFromEnumerable(Rows(test));
        var clock = Stopwatch.StartNew();
        if (train.ClassNames.Count == 2)
        {
            var pipeline = ml.Transforms.Text.FeaturizeText("Features", nameof(Row.Text))
                .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: nameof(Row.Positive)));
            var model = pipeline.Fit(trainData);
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(testData), labelColumnName: nameof(Row.Positive));
            return (metrics.Accuracy, seconds);
        }
        else
        {
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Key", nameof(Row.Label))
                .Append(ml.Transforms.Text.FeaturizeText("Features", nameof(Row.Text)))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: "Key"));
            var model = pipeline.Fit(trainData);
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testData), labelColumnName: "Key");
            return (metrics.MicroAccuracy, seconds);
        }
    }
}
