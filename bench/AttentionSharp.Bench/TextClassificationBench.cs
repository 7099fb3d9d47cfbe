using System.CommandLine;
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
/// Text classification against two peers, our tuned bag-of-n-grams (<see cref="NgramClassifier"/>) and ML.NET: FeaturizeText (word 1-2-grams + character 3-grams, ML.NET defaults)
/// with SDCA logistic regression (SDCA maximum entropy for more than two classes), and our attn/mean/max/last/han
/// models, on exactly the same stratified folds; prints accuracy mean +- std over folds and training time.
/// Usage: <c>text-classification --task polarity-sentences [--folds 10] [--max-folds N] [--models mlnet,ngram,ngram-lr,attn,mean,max,last,han] [--peer-train fit|all]
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

    static readonly Option<string> TaskOption = BenchOptions.Of("task", TextTasks.PolaritySentences, "text task (see attn classify train --help), or csv with --train");
    static readonly Option<string?> TrainOption = BenchOptions.Of<string?>("train", null, "--task csv: the labelled CSV file");
    static readonly Option<int> FoldsOption = BenchOptions.Range("folds", 10, 1, 100, "stratified folds");
    static readonly Option<int?> MaxFoldsOption = BenchOptions.Of<int?>("max-folds", null, "run only the first N folds (default: all)");
    static readonly Option<long> SeedOption = BenchOptions.Of("seed", 1L, "seed of the folds and of every model");
    static readonly Option<string> ModelsOption = BenchOptions.Of("models", "mlnet,ngram,attn,mean,max,last,han", "comma-separated: mlnet (ML.NET defaults), ngram (tuned NB-weighted logistic regression on word 1-2-grams), ngram-lr (the same without NB weights) and our text models");
    static readonly Option<string> PeerTrainOption = BenchOptions.Of("peer-train", "fit", "training texts of the mlnet/ngram peers: fit (each fold's training part less the validation part our models hold out, i.e. exactly what our models fit on) or all (the whole training part)");
    static readonly Option<int> EpochsOption = BenchOptions.Range("epochs", 6, 1, 10000, "epochs of our models");
    static readonly Option<int> BatchSizeOption = BenchOptions.Range("batch-size", 32, 1, 65536, "examples per batch");
    static readonly Option<double> LrOption = BenchOptions.Range("lr", 0.003, 1e-9, 10.0, "learning rate");
    static readonly Option<double> TrainFractionOption = BenchOptions.Range("train-fraction", 1.0, 1e-9, 1.0, "share of each fold's training part used, the same stratified subset as 'attn classify train --train-fraction' (learning curves)");
    static readonly Option<double> ValidFractionOption = BenchOptions.Range("valid-fraction", 0.1, 0.0, 0.9, "share of each training part held out for early model selection");
    static readonly Option<int> MaxTokensOption = BenchOptions.Range("max-tokens", 400, 1, 100000, "tokens kept per text");
    static readonly Option<int> EmbeddingOption = BenchOptions.Range("embedding", 100, 1, 4096, "embedding size");
    static readonly Option<int> HiddenOption = BenchOptions.Range("hidden", 50, 1, 4096, "recurrent units per direction");
    static readonly Option<double> DropoutOption = BenchOptions.Range("dropout", 0.3, 0.0, 0.99, "dropout");
    static readonly Option<double> WordDropoutOption = BenchOptions.Range("word-dropout", 0.0, 0.0, 0.99, "word dropout");
    static readonly Option<bool> FreezeOption = BenchOptions.Of("freeze-embedding", false, "keep pretrained embeddings fixed");
    static readonly Option<bool> PretrainedVocabOption = BenchOptions.Of("pretrained-vocab", false, "extend the vocabulary with the pretrained words");
    static readonly Option<string?> DataDirOption = BenchOptions.Of<string?>("data-dir", null, "dataset cache");
    static readonly Option<string> PretrainedOption = BenchOptions.Of("pretrained", "none", "none or skipgram");
    static readonly Option<string> PretrainTextOption = BenchOptions.Of("pretrain-text", "auto", "skipgram: unlabelled text sources (auto or a list)");
    static readonly Option<int> PretrainEpochsOption = BenchOptions.Range("pretrain-epochs", 5, 1, 1000, "skipgram: epochs");

    /// <summary>The <c>text-classification</c> verb.</summary>
    public static Command Command
    {
        get
        {
            PretrainedOption.AcceptOnlyFromAmong("none", "skipgram");
            PeerTrainOption.AcceptOnlyFromAmong("fit", "all");
            return BenchOptions.Verb("text-classification", "our text classifiers against ML.NET's FeaturizeText + SDCA on the same stratified folds", Run,
                TaskOption, TrainOption, FoldsOption, MaxFoldsOption, SeedOption, ModelsOption, EpochsOption, BatchSizeOption, LrOption, ValidFractionOption,
                MaxTokensOption, EmbeddingOption, HiddenOption, DropoutOption, WordDropoutOption, FreezeOption, PretrainedVocabOption, DataDirOption,
                PretrainedOption, PretrainTextOption, PretrainEpochsOption, PeerTrainOption, TrainFractionOption);
        }
    }

    /// <summary>Runs the benchmark; prints one line per fold and model, then the table.</summary>
    static int Run(ParseResult r)
    {
        string task = r.GetValue(TaskOption)!;
        int folds = r.GetValue(FoldsOption);
        int maxFolds = r.GetValue(MaxFoldsOption) ?? folds;
        long seed = r.GetValue(SeedOption);
        var models = r.GetValue(ModelsOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var trainer = new TrainerOptions
        {
            Epochs = r.GetValue(EpochsOption),
            BatchSize = r.GetValue(BatchSizeOption),
            LearningRate = r.GetValue(LrOption),
            Seed = seed,
        };
        double validFraction = r.GetValue(ValidFractionOption);
        double trainFraction = r.GetValue(TrainFractionOption);
        var netBase = new TextClassifierOptions(MaxTokens: r.GetValue(MaxTokensOption), Embedding: r.GetValue(EmbeddingOption),
            Hidden: r.GetValue(HiddenOption), Dropout: r.GetValue(DropoutOption), WordDropout: r.GetValue(WordDropoutOption),
            FreezeEmbedding: r.GetValue(FreezeOption), ExtendVocabulary: r.GetValue(PretrainedVocabOption));
        string dataRoot = DataCache.Resolve(r.GetValue(DataDirOption));
        Func<IReadOnlyList<string>, WordVectors>? pretrained = null;
        string pretrainedName = r.GetValue(PretrainedOption)!;
        if (pretrainedName == "skipgram")
        {
            string list = r.GetValue(PretrainTextOption)!;
            var sources = UnlabelledText.Parse(list == "auto" ? UnlabelledText.DefaultFor(task) : list, task);
            var sg = new SkipGramOptions(Dimension: netBase.Embedding, Epochs: r.GetValue(PretrainEpochsOption), Seed: seed);
            Console.WriteLine($"pretrained embeddings: {sg.Describe()} on {string.Join(" + ", sources)}");
            pretrained = texts => WordVectorCache.GetOrTrain(dataRoot, sources, texts, sg, Console.Out);
        }
        else if (pretrainedName != "none") throw new ArgumentException($"--pretrained must be none or skipgram; got '{pretrainedName}'");

        var corpus = task == TextTasks.Csv
            ? TextTasks.LoadCsv(r.GetValue(TrainOption) ?? throw new ArgumentException("--task csv needs --train FILE"))
            : TextTasks.Load(task, dataRoot, Console.Out);
        var splits = new StratifiedFolds(corpus.Labels, folds, seed);
        Console.WriteLine($"task {task}: {corpus.Count} texts; {folds} stratified folds (seed {seed}), running {Math.Min(folds, maxFolds)}; " +
                          $"models {string.Join(",", models)}; embeddings {pretrainedName}; epochs {trainer.Epochs}, batch {trainer.BatchSize}, lr {trainer.LearningRate}; torch threads {get_num_threads()}");

        bool peersOnFit = r.GetValue(PeerTrainOption) == "fit" && validFraction > 0;
        if (trainFraction < 1) Console.WriteLine($"every model trains on a stratified {trainFraction:0.###} of each fold's training part (seed {seed}); the test parts are whole");
        Console.WriteLine($"peers (mlnet, ngram) train on {(peersOnFit ? $"each fold's training part less the {validFraction:0.##} validation share our models hold out (the same texts our models fit)" : "each fold's whole training part")}");
        var results = models.ToDictionary(m => m, _ => new List<(double Acc, double Seconds)>());
        for (int fold = 0; fold < Math.Min(folds, maxFolds); fold++)
        {
            var (trainIdx, testIdx) = splits.Split(fold);
            var train = corpus.Subset(TextClassificationExperiment.SubsampleTraining(corpus, trainIdx, trainFraction, seed));
            var test = corpus.Subset(testIdx);
            foreach (var m in models)
            {
                var peerTrain = peersOnFit ? train.Subset(StratifiedFolds.Holdout(train.Labels, validFraction, seed).Kept) : train;
                (double acc, double sec) = m == "mlnet" ? MlNet(peerTrain, test, (int)seed)
                    : m is "ngram" or "ngram-lr" ? Ngram(peerTrain, test, seed, naiveBayes: m == "ngram")
                    : Ours(train, test, new TextClassificationRun(task, folds, fold, seed, null, null, "label", "text", netBase with { Model = Variant.Parse<TextClassifierModel>(m, "models") }, validFraction, TrainFraction: trainFraction), trainer, pretrained);
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
            string name = m switch
            {
                "mlnet" => "ML.NET FeaturizeText + SDCA",
                "ngram" => "NB-weighted logistic regression, word 1-2-grams, tuned",
                "ngram-lr" => "logistic regression, word 1-2-grams, tuned",
                _ => m,
            };
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

    static (double Accuracy, double Seconds) Ngram(TextCorpus train, TextCorpus test, long seed, bool naiveBayes)
    {
        var clock = Stopwatch.StartNew();
        var model = NgramClassifier.Train(train, new NgramOptions(NaiveBayesWeights: naiveBayes), seed);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {(naiveBayes ? "ngram" : "ngram-lr")}: {model.Features} features, lambda {model.ChosenL2:g3} chosen from [{string.Join(" ", model.Search.Select(s => $"{s.L2:g3}:{100 * s.Accuracy:0.0}%"))}]");
        return (model.Accuracy(test), seconds);
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
