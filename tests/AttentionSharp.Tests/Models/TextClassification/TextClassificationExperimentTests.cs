using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.TextClassification;

public class TextClassificationExperimentTests
{
    static readonly TextClassifierOptions TinyNet = new(Embedding: 8, Hidden: 8, AttentionDim: 8, MinCount: 1);

    /// <summary>A CSV of 120 short texts whose class is told by one word ("superb" / "awful") among filler words.</summary>
    static string WriteCorpus(string dir)
    {
        var rng = new Random(5);
        string[] filler = ["the", "a", "show", "was", "and", "it", "cast"];
        var lines = new List<string> { "text,label" };
        for (int i = 0; i < 120; i++)
        {
            var words = Enumerable.Range(0, 5).Select(_ => filler[rng.Next(filler.Length)]).ToList();
            words.Insert(rng.Next(6), i % 2 == 0 ? "superb" : "awful");
            lines.Add($"{string.Join(' ', words)},{(i % 2 == 0 ? "pos" : "neg")}");
        }
        string csv = Path.Combine(dir, "d.csv");
        File.WriteAllLines(csv, lines);
        return csv;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluatePredictAndExplainFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string dir = Directory.CreateTempSubdirectory("attn-textclsexp-").FullName, run = Path.Combine(dir, "run");
        string csv = WriteCorpus(dir);
        string text = ExperimentHarness.Quiet(dir, context =>
        {
            var spec = new TextClassificationTrainSpec(Task: "csv", TrainFile: csv, Folds: 3, Fold: 2, Net: TinyNet);
            var trainer = new TrainerOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.01, OutDir = run, Monitor = "loss" };
            var trained = TextClassificationExperiment.Train(spec, trainer, context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal("csv", trained["task"]);
            Assert.Equal("attn", trained["model"]);
            Assert.Equal(3, trained["folds"]);
            Assert.Equal(1, trained["folds_run"]);
            Assert.Equal("none", trained["pretrained"]);
            Assert.InRange(((Percent)trained["accuracy_mean"]).Value, 0, 100);
            string checkpoint = Path.Combine(run, "fold-02", Checkpoint.BestFile);
            Assert.Equal(checkpoint, trained["checkpoint"]);
            Assert.True(File.Exists(Path.Combine(run, "result.json")));

            var eval = TextClassificationExperiment.Evaluate(new TextClassificationEvalSpec(run), context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(2, eval["fold"]);
            Assert.Equal(trained["accuracy_mean"], eval["test_accuracy"]);   // the same fold's test part, rebuilt from the run's seed
            Assert.Equal(40, eval["examples"]);
            Assert.True(File.Exists(Path.Combine(run, "fold-02", "eval-result.json")));
            eval = TextClassificationExperiment.Evaluate(new TextClassificationEvalSpec(checkpoint, TestFile: csv), context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(120, eval["examples"]);

            var p = TextClassificationExperiment.Predict(run, "it was superb", context);
            Assert.Equal(["neg", "pos"], p.ClassNames);
            Assert.Equal(1, p.Probabilities.Sum(), 6);
            string html = Path.Combine(dir, "e.html");
            var explained = TextClassificationExperiment.Explain(new TextExplainSpec(checkpoint, "the cast was superb", html), context);
            Assert.Equal(["the", "cast", "was", "superb"], explained.Tokens.Single());
            Assert.Contains(">superb</span>", File.ReadAllText(html));

            var bad = Assert.Throws<ArgumentException>(() => TextClassificationExperiment.Train(spec with { TrainFile = null }, trainer, context));
            Assert.Equal("Task csv needs TrainFile (a CSV with a header row naming the label and text columns)", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TextClassificationExperiment.Train(spec with { Fold = 4 }, trainer, context));
            Assert.Equal("Fold must be in 0..3; got 4", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TextClassificationExperiment.Train(spec with { Pretrained = new TextPretrainSpec("brown,brown") }, trainer, context));
            Assert.Contains("named twice", bad.Message);
        });
        Assert.Contains("run folder: " + run, text);
        Assert.Contains("fold 2/3: 80 train, 40 test", text);
        Assert.Contains("epoch 2/2", text);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void RefitTrainsAFreshModelOnTheWholeTrainingPartForTheChosenEpochsAtTheSameRates()
    {
        string dir = Directory.CreateTempSubdirectory("attn-textclsrefit-").FullName, run = Path.Combine(dir, "run");
        string csv = WriteCorpus(dir);
        string text = ExperimentHarness.Quiet(dir, context =>
        {
            var spec = new TextClassificationTrainSpec(Task: "csv", TrainFile: csv, Folds: 3, Fold: 1, ValidFraction: 0.25, Net: TinyNet, Refit: true);
            // A rate that falls every epoch, so each replayed epoch has its own rate.
            var trainer = new TrainerOptions
            {
                Epochs = 8, BatchSize = 16, LearningRate = 0.03, OutDir = run, Monitor = "loss", Patience = 3,
                Schedule = new LearningRateSchedule(ScheduleKind.Step, StepEpochs: 1, Gamma: 0.7),
            };
            var trained = TextClassificationExperiment.Train(spec, trainer, context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(true, trained["refit"]);
            Assert.Equal("80", trained["train_texts"]);   // the whole training part of the fold: 60 fitted + 20 validation
            string fold = Path.Combine(run, "fold-01"), refit = Path.Combine(fold, TextClassifierBundle.RefitFolder);
            Assert.Equal(Path.Combine(refit, Checkpoint.BestFile), trained["checkpoint"]);

            // The refit ran exactly the chosen epochs, each at the rate the choosing run used in it.
            var chosen = ReadMetrics(fold);
            int best = int.Parse((string)trained["tested_epochs"]);
            Assert.Equal(chosen.Where(m => m.Best).Last().Epoch, best);
            Assert.True(best >= 2, $"the choosing run's best epoch is {best}: too early to tell a replay from a constant rate");
            var refitted = ReadMetrics(refit);
            Assert.Equal(Enumerable.Range(1, best), refitted.Select(m => m.Epoch));
            Assert.Equal(chosen.Take(best).Select(m => Math.Round(m.Lr, 12)), refitted.Select(m => Math.Round(m.Lr, 12)));

            // What the folder resolves to is the refit model, trained on all 80 texts with the fold's test part untouched.
            var bundle = TextClassifierBundle.Load(run);
            Assert.True(bundle.Run.Refit);
            Assert.False(TextClassifierBundle.Load(Path.Combine(fold, Checkpoint.BestFile)).Run.Refit);   // the choosing model's checkpoint says it is not
            var eval = TextClassificationExperiment.Evaluate(new TextClassificationEvalSpec(run), context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(trained["accuracy_mean"], eval["test_accuracy"]);
            Assert.Equal(40, eval["examples"]);
            Assert.InRange(((Percent)trained["accuracy_mean_selected"]).Value, 0, 100);

            var bad = Assert.Throws<ArgumentException>(() => TextClassificationExperiment.Train(spec with { ValidFraction = 0 }, trainer with { OutDir = Path.Combine(dir, "bad") }, context));
            Assert.Equal("Refit needs a validation part (ValidFraction > 0) to choose the number of epochs", bad.Message);
        });
        Assert.Contains("refit: a fresh model on all 80 training texts (the 20 validation texts included)", text);
        Assert.Contains("refit on 80 texts for the", text);
        Directory.Delete(dir, recursive: true);
    }

    static List<(int Epoch, double Lr, bool Best)> ReadMetrics(string folder) =>
        File.ReadLines(Path.Combine(folder, Trainer<object>.MetricsFile))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!)
            .Select(o => ((int)o["epoch"]!, (double)o["lr"]!, (bool)o["best"]!)).ToList();
}
