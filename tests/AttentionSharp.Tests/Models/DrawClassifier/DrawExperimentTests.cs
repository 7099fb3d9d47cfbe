using AttentionSharp.Models.DrawClassifier;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.DrawClassifier;

public class DrawExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndShowFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-drawexp-").FullName, "run");
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var spec = new DrawTrainSpec(Task: "mnist", Glimpses: 2, Grid: 6, Hidden: 16, GlimpseHidden: 16);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 50, MaxBatchesPerEpoch = 5, OutDir = run, Monitor = "error" };
            var trained = DrawExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            Assert.Equal(["task", "model", "glimpses", "grid", "fresh_canvases", "test_error", "best_epoch", "epochs", "seconds", "train_seconds_total", "checkpoint", "png"], keys);
            Assert.Equal(6, trained.Items.Single(kv => kv.Key == "grid").Value);
            Assert.True(File.Exists(Path.Combine(run, Checkpoint.BestFile)));
            Assert.True(File.Exists(Path.Combine(run, "result.json")));
            Assert.True(File.Exists(Path.Combine(run, "draw.png")));

            var (_, loaded, _) = DrawExperiment.Load(run, torch.CPU);
            Assert.Equal(new DrawRun("mnist", new DrawClassifierOptions(28, 28, 10, Glimpses: 2, Grid: 6, Hidden: 16, GlimpseHidden: 16)), loaded);

            var eval = DrawExperiment.Evaluate(new DrawEvalSpec(run), context);
            Assert.Equal(2, eval.Items.Single(kv => kv.Key == "glimpses").Value);
            Assert.Equal(10000, eval.Items.Single(kv => kv.Key == "examples").Value);
            Assert.InRange(Assert.IsType<Percent>(eval.Items.Single(kv => kv.Key == "test_error").Value).Value, 0, 100);
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            var shown = DrawExperiment.Show(new DrawShowSpec(run, Count: 3, First: 2, Output: run), context);
            Assert.Equal(3, shown.Items.Single(kv => kv.Key == "images").Value);
            Assert.Equal(Path.Combine(run, "draw.png"), shown.Items.Single(kv => kv.Key == "png").Value);

            var e = Assert.Throws<ArgumentException>(() => DrawExperiment.Train(spec with { Glimpses = 0 }, trainer, context));
            Assert.Equal("Glimpses must be >= 1; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => DrawExperiment.Show(new DrawShowSpec(run, Count: 8, First: 9995), context));
            Assert.Equal("First 9995 + Count 8 exceeds the 10000 test images", e.Message);
            e = Assert.Throws<ArgumentException>(() => DrawExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", e.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("DRAW-read classifier on mnist: 28x28, 2 reads of 6x6, LSTM 16", lines);
        Assert.Contains("epoch 1/1", lines);
        Directory.Delete(data, recursive: true);
    }
}
