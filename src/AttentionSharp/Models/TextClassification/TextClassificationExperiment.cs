using System.Diagnostics;
using System.Globalization;
using AttentionSharp.Data.Text;
using AttentionSharp.Training;
using AttentionSharp.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Models.TextClassification;

/// <summary>The outcome of training on one training set and testing on its test set (one fold).</summary>
/// <param name="Fold">0-based fold (-1 for a separate test file).</param>
/// <param name="Accuracy">Test accuracy in [0, 1].</param>
/// <param name="TrainSeconds">Wall time of training (vocabulary, encoding and epochs).</param>
/// <param name="TrainCount">Training examples.</param>
/// <param name="TestCount">Test examples.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="VocabularySize">Vocabulary entries built from the training part.</param>
/// <param name="TestedEpoch">The epoch whose weights were tested (the best on validation, or the last).</param>
/// <param name="PretrainedWords">Vocabulary words whose embedding row was initialised from pretrained vectors (0 without).</param>
/// <param name="PretrainSeconds">Wall time of obtaining the pretrained vectors (training them, or reading the cache), not in <paramref name="TrainSeconds"/>.</param>
/// <param name="SelectedAccuracy">With a refit: test accuracy of the model that chose the epochs (trained without the validation part); else null.</param>
/// <param name="RefitEpochs">With a refit: the epochs the refit model trained (0 without).</param>
public sealed record FoldResult(int Fold, double Accuracy, double TrainSeconds, int TrainCount, int TestCount, int Epochs, int VocabularySize, int TestedEpoch,
    int PretrainedWords = 0, double PretrainSeconds = 0, double? SelectedAccuracy = null, int RefitEpochs = 0);

/// <summary>
/// Embedding initialisation from skip-gram vectors (negative sampling) trained on unlabelled text of the embedding's size
/// and cached in the data root (see <see cref="WordVectorCache"/>).
/// </summary>
/// <param name="Text">Comma-separated sources of <see cref="UnlabelledText.Names"/>; <c>auto</c>: Brown, de-en and the Pang &amp; Lee
/// corpus that is not the task's; <c>train</c>: each fold's training texts.</param>
/// <param name="Epochs">Passes over the text.</param>
/// <param name="Window">Largest context window on each side.</param>
/// <param name="Negative">Negative samples per pair.</param>
/// <param name="Sample">Subsampling threshold (0: off).</param>
/// <param name="MinCount">Minimum count of a word to get a vector.</param>
public sealed record TextPretrainSpec(string Text = "auto", int Epochs = 5, int Window = 5, int Negative = 5, double Sample = 1e-4, int MinCount = 5)
{
    /// <summary>The text sources for <paramref name="task"/>; throws an <see cref="ArgumentException"/> for unknown or repeated names and the task's own corpus.</summary>
    public IReadOnlyList<string> Sources(string task) => UnlabelledText.Parse(Text == "auto" ? UnlabelledText.DefaultFor(task) : Text, task);

    /// <summary>The skip-gram options for vectors of <paramref name="dimension"/> seeded by <paramref name="seed"/>, checked.</summary>
    public SkipGramOptions Options(int dimension, long seed)
    {
        var options = new SkipGramOptions(Dimension: dimension, Window: Window, Negative: Negative, Sample: Sample, MinCount: MinCount, Epochs: Epochs, Seed: seed);
        options.Validate();
        return options;
    }
}

/// <summary>What to train: a text task, its cross-validation and the classifier (see docs/text-classification.md).</summary>
/// <param name="Task">Text task of <see cref="TextTasks.Names"/> (csv: <see cref="TrainFile"/>).</param>
/// <param name="TrainFile">Task csv: the training CSV (UTF-8, header row naming the columns).</param>
/// <param name="TestFile">Task csv: a separate test CSV (null: cross-validation folds of the training file).</param>
/// <param name="LabelColumn">Task csv: header name of the label column.</param>
/// <param name="TextColumn">Task csv: header name of the text column.</param>
/// <param name="Folds">Stratified cross-validation folds fixed by the trainer's seed (1: one fixed 90/10 split).</param>
/// <param name="Fold">Run only this fold (1-based; 0: every fold).</param>
/// <param name="ValidFraction">Fraction of each training part held out (stratified) to pick the epoch that is tested (0: the final epoch).</param>
/// <param name="Net">The classifier (null: <see cref="TextClassifierOptions"/> defaults); vocabulary size and classes come from the data.</param>
/// <param name="Pretrained">Skip-gram initialisation of the embedding (null: at random).</param>
/// <param name="TrainFraction">Share of each fold's training part used (stratified, by the trainer's seed; smaller shares are subsets
/// of larger ones), for learning curves; 1: all of it. The test part is never reduced.</param>
/// <param name="Refit">Once the validation part has chosen the number of epochs, train a fresh model on the whole training part
/// (validation included) for that many epochs at the same rates, and test that one (see <see cref="TextClassificationExperiment.TrainAndTest"/>).</param>
public sealed record TextClassificationTrainSpec(
    string Task = TextTasks.PolaritySentences, string? TrainFile = null, string? TestFile = null, string LabelColumn = "label", string TextColumn = "text",
    int Folds = 10, int Fold = 0, double ValidFraction = 0.1, TextClassifierOptions? Net = null, TextPretrainSpec? Pretrained = null,
    double TrainFraction = 1, bool Refit = false)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first property out of range or combined wrongly.</summary>
    public void Validate()
    {
        if (!TextTasks.Names.Contains(Task)) throw new ArgumentException($"Task must be one of {string.Join(", ", TextTasks.Names)}; got '{Task}'");
        if (Task != TextTasks.Csv && (TrainFile ?? TestFile) != null) throw new ArgumentException($"TrainFile/TestFile are for Task csv; task '{Task}' uses its own dataset");
        if (Task == TextTasks.Csv && TrainFile == null) throw new ArgumentException("Task csv needs TrainFile (a CSV with a header row naming the label and text columns)");
        if (Folds is < 1 or > 100) throw new ArgumentException($"Folds must be in 1..100; got {Folds}");
        if (Fold < 0 || Fold > Folds) throw new ArgumentException($"Fold must be in 0..{Folds}; got {Fold}");
        if (ValidFraction is < 0 or > 0.5) throw new ArgumentException($"ValidFraction must be in [0, 0.5]; got {ValidFraction}");
        if (!(TrainFraction > 0 && TrainFraction <= 1)) throw new ArgumentException($"TrainFraction must be in (0, 1]; got {TrainFraction}");
        if (Refit && !(ValidFraction > 0)) throw new ArgumentException("Refit needs a validation part (ValidFraction > 0) to choose the number of epochs");
        ((Net ?? new TextClassifierOptions()) with { VocabularySize = 3, Classes = 2 }).Validate();
        Pretrained?.Sources(Task);
    }
}

/// <summary>What to evaluate: a checkpoint on the test part of its fold, or on a CSV file.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder (its best checkpoint; a cross-validation run folder: its first fold's).</param>
/// <param name="TestFile">A test CSV instead of the checkpoint's own test fold (null: the test file the checkpoint records, else its fold).</param>
/// <param name="BatchSize">Examples per batch.</param>
public sealed record TextClassificationEvalSpec(string Checkpoint, string? TestFile = null, int BatchSize = 64);

/// <summary>What to explain: one text's prediction with each word's (HAN: and sentence's) attention weight.</summary>
/// <param name="Checkpoint">Checkpoint file, or run folder.</param>
/// <param name="Text">The text to classify.</param>
/// <param name="Html">Also write a self-contained HTML page here (null: none).</param>
public sealed record TextExplainSpec(string Checkpoint, string Text, string? Html = null);

/// <summary>What skip-gram vectors to obtain on their own (trained, or read from the cache): those a task's <see cref="TextPretrainSpec"/> would use.</summary>
/// <param name="Task">The task whose default text (<see cref="TextPretrainSpec.Text"/> auto) to use.</param>
/// <param name="Dimension">Vector size.</param>
/// <param name="Pretrain">Text and skip-gram settings (null: defaults); <c>train</c> texts need a fold, so they are refused here.</param>
/// <param name="Seed">Seed of the vectors.</param>
public sealed record TextVectorsSpec(string Task = TextTasks.PolaritySentences, int Dimension = 100, TextPretrainSpec? Pretrain = null, long Seed = 1);

/// <summary>Trains and tests text classifiers on folds: the vocabulary comes from each fold's training part only; the best epoch on a held-out validation part (or the final epoch) is tested.</summary>
public static class TextClassificationExperiment
{
    /// <summary>
    /// Trains on every fold (or <see cref="TextClassificationTrainSpec.Fold"/> only, or on the training file against a separate
    /// test file) in <see cref="TrainerOptions.OutDir"/> (<c>fold-NN</c> sub-folders for folds) and reports the test accuracy's
    /// mean and standard deviation over the folds; writes <c>result.json</c>.
    /// </summary>
    public static RunResult Train(TextClassificationTrainSpec spec, TrainerOptions trainer, ExperimentContext context)
    {
        string outDir = RunFolder.Start(spec.Validate, trainer);
        var (log, net) = (context.Log, spec.Net ?? new TextClassifierOptions());
        var pretrained = spec.Pretrained == null ? null : PretrainedSource(spec.Task, net.Embedding, spec.Pretrained, trainer.Seed, context);
        var (corpus, separateTest) = LoadData(spec.Task, spec.TrainFile, spec.TestFile, spec.LabelColumn, spec.TextColumn, context.DataRoot, log);
        log.WriteLine($"run folder: {outDir}");
        log.WriteLine($"{corpus.Name}: {corpus.Count} texts, classes {string.Join(", ", corpus.ClassNames.Select((c, i) => $"{c} ({corpus.ClassCounts()[i]})"))}");

        var clock = Stopwatch.StartNew();
        var results = new List<FoldResult>();
        string? firstCheckpoint = null;
        var baseRun = new TextClassificationRun(spec.Task, spec.Folds, -1, trainer.Seed, Full(spec.TrainFile), Full(spec.TestFile), spec.LabelColumn, spec.TextColumn,
            net, spec.ValidFraction, TrainFraction: spec.TrainFraction, Refit: spec.Refit);
        if (separateTest != null)
        {
            var (r, _) = TrainAndTest(corpus.Subset(SubsampleTraining(corpus, Enumerable.Range(0, corpus.Count).ToArray(), spec.TrainFraction, trainer.Seed)),
                separateTest, baseRun, trainer, context.Device, context.Progress, pretrained);
            results.Add(r);
            firstCheckpoint = Path.Combine(outDir, spec.Refit ? TextClassifierBundle.RefitFolder : "", Checkpoint.BestFile);
            log.WriteLine($"test: accuracy {100 * r.Accuracy:0.00}% on {r.TestCount} texts ({Tested(r)}; {r.TrainSeconds:0} s training)");
        }
        else
        {
            var splits = new StratifiedFolds(corpus.Labels, spec.Folds, trainer.Seed);
            for (int f = 0; f < spec.Folds; f++)
            {
                if (spec.Fold > 0 && f != spec.Fold - 1) continue;
                var (trainIdx, testIdx) = splits.Split(f);
                trainIdx = SubsampleTraining(corpus, trainIdx, spec.TrainFraction, trainer.Seed);
                string foldDir = Path.Combine(outDir, $"fold-{f + 1:00}");
                log.WriteLine($"fold {f + 1}/{spec.Folds}: {trainIdx.Length} train, {testIdx.Length} test");
                var (r, _) = TrainAndTest(corpus.Subset(trainIdx), corpus.Subset(testIdx), baseRun with { Fold = f }, trainer with { OutDir = foldDir }, context.Device,
                    context.Progress, pretrained);
                results.Add(r);
                firstCheckpoint ??= Path.Combine(foldDir, spec.Refit ? TextClassifierBundle.RefitFolder : "", Checkpoint.BestFile);
                log.WriteLine($"fold {f + 1}/{spec.Folds}: accuracy {100 * r.Accuracy:0.00}% ({Tested(r)}; {r.TrainSeconds:0} s training, vocabulary {r.VocabularySize}{(pretrained != null ? $", {r.PretrainedWords} pretrained" : "")})");
            }
        }
        var (mean, std) = MeanStd(results.Select(r => r.Accuracy).ToList());
        var result = new RunResult()
            .Add("task", spec.Task).Add("model", Variant.Name(net.Model)).Add("cell", Variant.Name(net.Cell))
            .Add("folds", separateTest != null ? 0 : spec.Folds).Add("folds_run", results.Count)
            .Add("accuracy_mean", new Percent(100 * mean)).Add("accuracy_std", new Percent(100 * std))
            .Add("epochs", trainer.Epochs).Add("valid_fraction", spec.ValidFraction).Add("train_fraction", spec.TrainFraction)
            .Add("train_texts", string.Join(",", results.Select(r => r.TrainCount)))
            .Add("tested_epochs", string.Join(",", results.Select(r => r.TestedEpoch)))
            .Add("pretrained", pretrained == null ? "none" : "skipgram")
            .Add("word_dropout", net.WordDropout).Add("freeze_embedding", net.FreezeEmbedding).Add("pretrained_vocab", net.ExtendVocabulary)
            .Add("folds_accuracy", string.Join(",", results.Select(r => (100 * r.Accuracy).ToString("0.00", CultureInfo.InvariantCulture))))
            .Add("refit", spec.Refit);
        if (spec.Refit)
        {
            var (selectedMean, selectedStd) = MeanStd(results.Select(r => r.SelectedAccuracy!.Value).ToList());
            result.Add("accuracy_mean_selected", new Percent(100 * selectedMean)).Add("accuracy_std_selected", new Percent(100 * selectedStd))
                .Add("folds_accuracy_selected", string.Join(",", results.Select(r => (100 * r.SelectedAccuracy!.Value).ToString("0.00", CultureInfo.InvariantCulture))));
        }
        result
            .Add("train_seconds_mean", Math.Round(results.Average(r => r.TrainSeconds), 1))
            .Add("pretrain_seconds_mean", Math.Round(results.Average(r => r.PretrainSeconds), 1))
            .Add("seconds", Math.Round(clock.Elapsed.TotalSeconds))
            .Add("checkpoint", firstCheckpoint!);
        result.Save(Path.Combine(outDir, "result.json"));
        return result;
    }

    /// <summary>Which weights were tested, for the log: the chosen epoch, and with a refit the refit model trained for that many epochs.</summary>
    static string Tested(FoldResult r) => r.SelectedAccuracy is double selected
        ? $"refit on {r.TrainCount} texts for the {r.RefitEpochs} epoch{(r.RefitEpochs == 1 ? "" : "s")} chosen; the choosing model, epoch {r.TestedEpoch} of {r.Epochs}: {100 * selected:0.00}%"
        : $"epoch {r.TestedEpoch} of {r.Epochs}";

    static string? Full(string? file) => file == null ? null : Path.GetFullPath(file);

    /// <summary>The pretrained-vector source: cached skip-gram vectors on the spec's unlabelled text (a fold's training texts for <c>train</c>).</summary>
    static Func<IReadOnlyList<string>, WordVectors> PretrainedSource(string task, int dimension, TextPretrainSpec pretrain, long seed, ExperimentContext context)
    {
        var sources = pretrain.Sources(task);
        var options = pretrain.Options(dimension, seed);
        var log = context.Log;
        log.WriteLine($"pretrained embeddings: {options.Describe()} on {string.Join(" + ", sources)}");
        return texts => WordVectorCache.GetOrTrain(context.DataRoot, sources, texts, options, log);
    }

    /// <summary>Loads the task's corpus (and the separate test corpus of task csv with a test file).</summary>
    static (TextCorpus Corpus, TextCorpus? Test) LoadData(string task, string? trainFile, string? testFile, string labelColumn, string textColumn, string dataRoot, TextWriter log)
    {
        if (task != TextTasks.Csv)
        {
            if (trainFile != null || testFile != null) throw new ArgumentException($"TrainFile/TestFile are for Task csv; task '{task}' uses its own dataset");
            return (TextTasks.Load(task, dataRoot, log), null);
        }
        if (trainFile == null) throw new ArgumentException("Task csv needs TrainFile (a CSV with a header row naming the label and text columns)");
        var corpus = TextTasks.LoadCsv(trainFile, labelColumn, textColumn);
        var test = testFile == null ? null : TextTasks.LoadCsv(testFile, labelColumn, textColumn, corpus.ClassNames);
        return (corpus, test);
    }

    /// <summary>
    /// Evaluates a checkpoint on <see cref="TextClassificationEvalSpec.TestFile"/>, the test file it records, or the test
    /// part of its fold (rebuilt from the task's data with the run's seed); writes <c>eval-result.json</c>.
    /// </summary>
    public static RunResult Evaluate(TextClassificationEvalSpec spec, ExperimentContext context)
    {
        Check.AtLeast(spec.BatchSize, 1);
        string path = TextClassifierBundle.ResolvePath(spec.Checkpoint);
        var bundle = TextClassifierBundle.Load(path, context.Device);
        var run = bundle.Run;
        string? testFile = spec.TestFile ?? run.TestFile;
        TextCorpus test;
        if (testFile != null)
            test = TextTasks.LoadCsv(testFile, run.LabelColumn, run.TextColumn, bundle.ClassNames);
        else
        {
            var (corpus, _) = LoadData(run.Task, run.TrainFile, null, run.LabelColumn, run.TextColumn, context.DataRoot, context.Log);
            if (!corpus.ClassNames.SequenceEqual(bundle.ClassNames))
                throw new CheckpointException($"'{path}' was trained on classes {string.Join(", ", bundle.ClassNames)}; the data now has {string.Join(", ", corpus.ClassNames)}");
            test = corpus.Subset(new StratifiedFolds(corpus.Labels, run.Folds, run.Seed).Split(Math.Max(0, run.Fold)).Test);
        }
        var clock = Stopwatch.StartNew();
        var set = new EncodedTextSet(bundle.Encoder.EncodeAll(test.Texts), test.Labels, bundle.Classifier.Options.Hierarchical, context.Device);
        var metrics = Trainer<TextBatch>.Evaluate(new TextClassificationTask(bundle.Classifier), set, spec.BatchSize);
        var result = new RunResult().Add("task", run.Task).Add("model", Variant.Name(run.Net.Model))
            .Add("fold", run.Fold + 1).Add("folds", run.Folds)
            .Add("test_accuracy", new Percent(100 * (1 - metrics["error"]))).Add("test_loss", metrics["loss"]);
        return RunFolder.FinishEval(result, set.Count, clock.Elapsed.TotalSeconds, path);
    }

    /// <summary>Classifies one text with a checkpoint: the label, each class's probability and the attention weights.</summary>
    public static TextPrediction Predict(string checkpoint, string text, ExperimentContext context) =>
        TextClassifierBundle.Load(checkpoint, context.Device).Predict(text);

    /// <summary>Classifies one text and, with <see cref="TextExplainSpec.Html"/>, writes the attention over its words as a self-contained HTML page.</summary>
    public static TextPrediction Explain(TextExplainSpec spec, ExperimentContext context)
    {
        var bundle = TextClassifierBundle.Load(spec.Checkpoint, context.Device);
        var p = bundle.Predict(spec.Text);
        if (spec.Html != null) AtomicFile.WriteAllText(spec.Html, TextAttentionRenderer.Html(p, $"{Variant.Name(bundle.Run.Net.Model)} on {bundle.Run.Task}: attention"));
        return p;
    }

    /// <summary>The skip-gram vectors a task's pretraining would use, trained or read from the cache in the data root.</summary>
    public static WordVectors Vectors(TextVectorsSpec spec, ExperimentContext context)
    {
        var pretrain = spec.Pretrain ?? new TextPretrainSpec();
        if (pretrain.Text.Split(',').Any(s => s.Trim() == UnlabelledText.Train))
            throw new ArgumentException($"Vectors have no fold, so no '{UnlabelledText.Train}' texts; name fixed sources ({string.Join(", ", UnlabelledText.Names.Where(n => n != UnlabelledText.Train))})");
        return PretrainedSource(spec.Task, spec.Dimension, pretrain, spec.Seed, context)([]);
    }

    /// <summary>Mean cosine of <paramref name="pairs"/> random pairs among the <paramref name="top"/> most frequent words (a baseline for the nearest-word cosines).</summary>
    public static double MeanRandomCosine(WordVectors vectors, int top, int pairs = 2000, int seed = 1)
    {
        var rng = new Random(seed);
        top = Math.Min(vectors.Count, top);
        return Enumerable.Range(0, pairs).Average(_ => WordVectors.Cosine(
            vectors.Vectors.AsSpan(rng.Next(top) * vectors.Dimension, vectors.Dimension), vectors.Vectors.AsSpan(rng.Next(top) * vectors.Dimension, vectors.Dimension)));
    }

    /// <summary>
    /// Builds the vocabulary on <paramref name="train"/>, trains a fresh model (seeded by the trainer's seed) for the
    /// trainer's epochs, and measures accuracy on <paramref name="test"/>. With <see cref="TextClassificationRun.ValidFraction"/>
    /// above 0 that fraction of <paramref name="train"/> (stratified, by the run's seed) is held out as a validation part
    /// that never trains the model or its vocabulary; the epoch with the best validation metric (the trainer's monitor)
    /// is the one tested. Without it the final epoch's weights are tested. With <see cref="TextClassificationRun.Refit"/>
    /// a second fresh model (same seed) is then trained on the whole of <paramref name="train"/>, validation part included,
    /// for the chosen number of epochs at the rates the first run used in them, and that model is tested (the first
    /// model's accuracy is reported beside it). With an <see cref="TrainerOptions.OutDir"/>
    /// the trainer writes its checkpoints there (they carry the vocabulary and class names; the refit model's in
    /// <see cref="TextClassifierBundle.RefitFolder"/>); without one, a temporary folder holds them and is removed afterwards. With
    /// <paramref name="pretrained"/>, the embedding is initialised (<see cref="PretrainedEmbedding"/>) from the vectors it
    /// returns for the texts the model trains on (it may ignore them); the test texts are never passed to it.
    /// </summary>
    public static (FoldResult Result, TextClassifierBundle Bundle) TrainAndTest(TextCorpus train, TextCorpus test, TextClassificationRun run,
        TrainerOptions trainer, Device device, ITrainingProgress progress, Func<IReadOnlyList<string>, WordVectors>? pretrained = null)
    {
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
            throw new ArgumentException($"training and test classes differ: {string.Join(", ", train.ClassNames)} vs {string.Join(", ", test.ClassNames)}");
        if (run.Refit && !(run.ValidFraction > 0))
            throw new ArgumentException("Refit needs a validation part (ValidFraction > 0) to choose the number of epochs");
        var whole = train;
        TextCorpus? valid = null;
        if (run.ValidFraction > 0)
        {
            var (kept, held) = Data.Text.StratifiedFolds.Holdout(train.Labels, run.ValidFraction, run.Seed);
            valid = train.Subset(held);
            train = train.Subset(kept);
        }
        string? tempDir = null;
        if (valid != null && trainer.OutDir == null)
        {
            tempDir = Path.Combine(Path.GetTempPath(), $"attn-textcls-{Environment.ProcessId}-{Guid.NewGuid():N}");
            trainer = trainer with { OutDir = tempDir };
        }
        try
        {
            var chosen = Fit(train, valid, run with { Refit = false }, trainer, device, progress, pretrained);   // its checkpoint is not the refit model
            double accuracy = Accuracy(chosen, test, device, trainer.BatchSize);
            var state = chosen.Summary.State;
            int testedEpoch = valid != null ? state.BestEpoch : state.Epoch;
            var result = new FoldResult(run.Fold, accuracy, chosen.Seconds, train.Count, test.Count, state.Epoch, chosen.Bundle.Vocabulary.Count, testedEpoch,
                chosen.PretrainedWords, chosen.PretrainSeconds);
            if (!run.Refit) return (result, chosen.Bundle);

            var rates = SelectionRates(chosen.Summary, trainer.OutDir!, testedEpoch);
            string refitDir = Path.Combine(trainer.OutDir!, TextClassifierBundle.RefitFolder);
            var refitTrainer = trainer with
            {
                OutDir = refitDir, Epochs = testedEpoch, Patience = 0, GraceEpochs = 0, MinDelta = 0,
                Schedule = LearningRateSchedule.ReplayOf(rates, trainer.LearningRate),
                // A resumed run continues an interrupted refit, and starts one that had not begun.
                Resume = trainer.Resume && File.Exists(Path.Combine(refitDir, Checkpoint.LastFile)),
            };
            progress.Message($"refit: a fresh model on all {whole.Count} training texts (the {valid!.Count} validation texts included) for the " +
                             $"{testedEpoch} epoch{(testedEpoch == 1 ? "" : "s")} chosen, at the rates used in them ({string.Join(", ", rates.Select(r => r.ToString("g3", CultureInfo.InvariantCulture)))})");
            var refit = Fit(whole, null, run, refitTrainer, device, progress, pretrained);
            // The folder's best checkpoint is the model tested: the refit's final epoch.
            AtomicFile.Write(Path.Combine(refitDir, Checkpoint.BestFile), to => { using var from = File.OpenRead(Path.Combine(refitDir, Checkpoint.LastFile)); from.CopyTo(to); });
            double refitAccuracy = Accuracy(refit, test, device, trainer.BatchSize);
            return (result with
            {
                Accuracy = refitAccuracy, SelectedAccuracy = accuracy, RefitEpochs = testedEpoch, TrainCount = whole.Count,
                TrainSeconds = chosen.Seconds + refit.Seconds, VocabularySize = refit.Bundle.Vocabulary.Count, PretrainedWords = refit.PretrainedWords,
                PretrainSeconds = chosen.PretrainSeconds + refit.PretrainSeconds,
            }, refit.Bundle);
        }
        finally
        {
            if (tempDir != null) try { Directory.Delete(tempDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>One trained model: its bundle (weights of the tested epoch loaded), the trainer's summary and timings.</summary>
    sealed record FittedClassifier(TextClassifierBundle Bundle, TrainingSummary Summary, double Seconds, int PretrainedWords, double PretrainSeconds);

    /// <summary>
    /// Builds the vocabulary on <paramref name="train"/>, initialises a fresh model (trainer's seed; pretrained vectors of the
    /// training texts when given) and trains it; with <paramref name="valid"/> the best epoch's weights are loaded back.
    /// </summary>
    static FittedClassifier Fit(TextCorpus train, TextCorpus? valid, TextClassificationRun run, TrainerOptions trainer, Device device,
        ITrainingProgress progress, Func<IReadOnlyList<string>, WordVectors>? pretrained)
    {
        if (trainer.OutDir != null) Directory.CreateDirectory(trainer.OutDir);
        var pretrainClock = Stopwatch.StartNew();
        var vectors = pretrained?.Invoke(train.Texts);
        double pretrainSeconds = pretrainClock.Elapsed.TotalSeconds;
        if (vectors != null)
        {
            if (vectors.Dimension != run.Net.Embedding)
                throw new ArgumentException($"pretrained vectors have dimension {vectors.Dimension} but the embedding is {run.Net.Embedding}; train them with the embedding's size");
            run = run with { Pretrained = vectors.Description };
        }
        var clock = Stopwatch.StartNew();
        var vocabulary = TextEncoder.BuildVocabulary(train.Texts, run.Net);
        if (vectors != null && run.Net.ExtendVocabulary) vocabulary = vocabulary.Extend(vectors.Words, run.Net.MaxVocabulary);
        var net = run.Net with { VocabularySize = vocabulary.Count, Classes = train.ClassNames.Count };
        run = run with { Net = net };
        var encoder = new TextEncoder(vocabulary, net);
        var trainSet = new EncodedTextSet(encoder.EncodeAll(train.Texts), train.Labels, net.Hierarchical, device);
        var validSet = valid == null ? null : new EncodedTextSet(encoder.EncodeAll(valid.Texts), valid.Labels, net.Hierarchical, device);

        torch.manual_seed(trainer.Seed);
        var classifier = TextClassifiers.Create(net);
        int pretrainedWords = vectors == null ? 0 : PretrainedEmbedding.Initialise(classifier.WordEmbedding, vocabulary, vectors);
        if (vectors != null) progress.Message($"embedding: {pretrainedWords} of {vocabulary.Count - 2} vocabulary words initialised from {vectors.Description}");
        classifier.Module.to(device);
        var identity = TextClassifierBundle.Identity(run, vocabulary, train.ClassNames);
        var summary = new Trainer<TextBatch>(trainer).Fit(new TextClassificationTask(classifier), identity, trainSet, validSet, progress);
        if (validSet != null)
        {
            Checkpoint.Load(Path.Combine(trainer.OutDir!, Checkpoint.BestFile), identity.Kind, classifier.Module);
            progress.Message($"testing the best epoch on validation {trainer.Monitor}: epoch {summary.State.BestEpoch} of {summary.State.Epoch}");
        }
        return new FittedClassifier(new TextClassifierBundle(classifier, vocabulary, train.ClassNames, run), summary, clock.Elapsed.TotalSeconds, pretrainedWords, pretrainSeconds);
    }

    /// <summary>Test accuracy of a fitted model on <paramref name="test"/>, encoded with the model's own vocabulary.</summary>
    static double Accuracy(FittedClassifier fitted, TextCorpus test, Device device, int batchSize)
    {
        var bundle = fitted.Bundle;
        var testSet = new EncodedTextSet(bundle.Encoder.EncodeAll(test.Texts), test.Labels, bundle.Classifier.Options.Hierarchical, device);
        var metrics = Trainer<TextBatch>.Evaluate(new TextClassificationTask(bundle.Classifier), testSet, Math.Max(batchSize, 64));
        bundle.Classifier.Module.eval();
        return 1 - metrics["error"];
    }

    /// <summary>
    /// The learning rates of epochs 1..<paramref name="epochs"/> of a finished run: from its summary when this process ran
    /// them all, else from the run folder's metrics log (a resumed run).
    /// </summary>
    static double[] SelectionRates(TrainingSummary summary, string outDir, int epochs)
    {
        var byEpoch = summary.ResumedFrom > 0 ? new Dictionary<int, double>(Trainer<TextBatch>.LoggedRates(outDir)) : [];
        foreach (var r in summary.History) byEpoch[r.Epoch] = r.LearningRate;
        var missing = Enumerable.Range(1, epochs).Where(e => !byEpoch.ContainsKey(e)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"refit: the learning rate of epoch(s) {string.Join(", ", missing)} is not recorded in {outDir}");
        return Enumerable.Range(1, epochs).Select(e => byEpoch[e]).ToArray();
    }

    /// <summary>
    /// The positions of <paramref name="trainIdx"/> (into <paramref name="corpus"/>) that a run with
    /// <see cref="TextClassificationTrainSpec.TrainFraction"/> <paramref name="fraction"/> trains on: a stratified subset chosen by
    /// <paramref name="seed"/> (<see cref="StratifiedFolds.Subsample"/>), all of them at 1. The bench's peers use the same texts.
    /// </summary>
    public static int[] SubsampleTraining(TextCorpus corpus, int[] trainIdx, double fraction, long seed) =>
        fraction >= 1 ? trainIdx
        : StratifiedFolds.Subsample(trainIdx.Select(i => corpus.Labels[i]).ToList(), fraction, seed).Select(j => trainIdx[j]).ToArray();

    /// <summary>Mean and (sample) standard deviation of the values; the deviation is 0 for a single value.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to average");
        double mean = values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, std);
    }
}
