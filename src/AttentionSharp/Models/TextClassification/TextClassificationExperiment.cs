using System.Diagnostics;
using AttentionSharp.Data.Text;
using AttentionSharp.Training;
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
public sealed record FoldResult(int Fold, double Accuracy, double TrainSeconds, int TrainCount, int TestCount, int Epochs, int VocabularySize, int TestedEpoch,
    int PretrainedWords = 0, double PretrainSeconds = 0);

/// <summary>Trains and tests text classifiers on folds: the vocabulary comes from each fold's training part only; the best epoch on a held-out validation part (or the final epoch) is tested.</summary>
public static class TextClassificationExperiment
{
    /// <summary>
    /// Builds the vocabulary on <paramref name="train"/>, trains a fresh model (seeded by the trainer's seed) for the
    /// trainer's epochs, and measures accuracy on <paramref name="test"/>. With <see cref="TextClassificationRun.ValidFraction"/>
    /// above 0 that fraction of <paramref name="train"/> (stratified, by the run's seed) is held out as a validation part
    /// that never trains the model or its vocabulary; the epoch with the best validation metric (the trainer's monitor)
    /// is the one tested. Without it the final epoch's weights are tested. With an <see cref="TrainerOptions.OutDir"/>
    /// the trainer writes its checkpoints there (they carry the vocabulary and class names); without one, a temporary
    /// folder holds the best checkpoint and is removed afterwards. With <paramref name="pretrained"/>, the embedding is
    /// initialised (<see cref="PretrainedEmbedding"/>) from the vectors it returns for the training texts that remain
    /// after the validation part is held out (it may ignore them); the test texts are never passed to it.
    /// </summary>
    public static (FoldResult Result, TextClassifierBundle Bundle) TrainAndTest(TextCorpus train, TextCorpus test, TextClassificationRun run,
        TrainerOptions trainer, Device device, ITrainingProgress progress, Func<IReadOnlyList<string>, WordVectors>? pretrained = null)
    {
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
            throw new ArgumentException($"training and test classes differ: {string.Join(", ", train.ClassNames)} vs {string.Join(", ", test.ClassNames)}");
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
            var testSet = new EncodedTextSet(encoder.EncodeAll(test.Texts), test.Labels, net.Hierarchical, device);

            torch.manual_seed(trainer.Seed);
            var classifier = TextClassifiers.Create(net);
            int pretrainedWords = vectors == null ? 0 : PretrainedEmbedding.Initialise(classifier.WordEmbedding, vocabulary, vectors);
            if (vectors != null) progress.Message($"embedding: {pretrainedWords} of {vocabulary.Count - 2} vocabulary words initialised from {vectors.Description}");
            classifier.Module.to(device);
            var task = new TextClassificationTask(classifier);
            var identity = TextClassifierBundle.Identity(run, vocabulary, train.ClassNames);
            var summary = new Trainer<TextBatch>(trainer).Fit(task, identity, trainSet, validSet, progress);
            if (validSet != null)
            {
                Checkpoint.Load(Path.Combine(trainer.OutDir!, Checkpoint.BestFile), identity.Kind, classifier.Module);
                progress.Message($"testing the best epoch on validation {trainer.Monitor}: epoch {summary.State.BestEpoch} of {summary.State.Epoch}");
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = Trainer<TextBatch>.Evaluate(task, testSet, Math.Max(trainer.BatchSize, 64));
            classifier.Module.eval();
            int testedEpoch = validSet != null ? summary.State.BestEpoch : summary.State.Epoch;
            var result = new FoldResult(run.Fold, 1 - metrics["error"], seconds, train.Count, test.Count, summary.State.Epoch, vocabulary.Count, testedEpoch,
                pretrainedWords, pretrainSeconds);
            return (result, new TextClassifierBundle(classifier, vocabulary, train.ClassNames, run));
        }
        finally
        {
            if (tempDir != null) try { Directory.Delete(tempDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Mean and (sample) standard deviation of the values; the deviation is 0 for a single value.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to average");
        double mean = values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, std);
    }
}
