using AttentionSharp.Models.TextClassification;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.TextClassification;

public class TextClassificationExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluatePredictAndExplainFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string dir = Directory.CreateTempSubdirectory("attn-textclsexp-").FullName, run = Path.Combine(dir, "run");
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
        string text = ExperimentHarness.Quiet(dir, context =>
        {
            var net = new TextClassifierOptions(Embedding: 8, Hidden: 8, AttentionDim: 8, MinCount: 1);
            var spec = new TextClassificationTrainSpec(Task: "csv", TrainFile: csv, Folds: 3, Fold: 2, Net: net);
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
}
