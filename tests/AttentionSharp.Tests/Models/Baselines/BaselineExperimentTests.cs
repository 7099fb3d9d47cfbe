using AttentionSharp.Models.Baselines;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Baselines;

public class BaselineExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainAndEvaluateFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-baselineexp-").FullName, "run");
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var spec = new BaselineTrainSpec(Task: "mnist", Model: BaselineModel.Fc, Hidden: 32);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 100, MaxBatchesPerEpoch = 10, OutDir = run, Monitor = "error" };
            var trained = BaselineExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            Assert.Equal(["task", "model", "fresh_canvases", "test_error", "best_epoch", "epochs", "seconds", "train_seconds_total", "checkpoint"], keys);
            Assert.Equal("fc", trained.Items.Single(kv => kv.Key == "model").Value);
            Assert.Equal(1, trained.Items.Single(kv => kv.Key == "epochs").Value);
            Assert.True(File.Exists(Path.Combine(run, Checkpoint.BestFile)));
            Assert.True(File.Exists(Path.Combine(run, "result.json")));

            var eval = BaselineExperiment.Evaluate(new BaselineEvalSpec(run), context);
            Assert.Equal(10000, eval.Items.Single(kv => kv.Key == "examples").Value);
            var error = Assert.IsType<Percent>(eval.Items.Single(kv => kv.Key == "test_error").Value);
            Assert.True(error.Value < 5, $"test error {error.Value}% on the synthetic halves task");
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            var (_, loaded, _) = BaselineExperiment.Load(run, torch.CPU);
            Assert.Equal(new BaselineOptions(Model: BaselineModel.Fc, Hidden: 32, Height: 28, Width: 28, Classes: 10), loaded.Net);

            var e = Assert.Throws<ArgumentException>(() => BaselineExperiment.Train(spec with { Hidden = 0 }, trainer, context));
            Assert.Equal("Hidden must be >= 1; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => BaselineExperiment.Train(spec with { Model = (BaselineModel)7 }, trainer, context));
            Assert.Equal("Model must be one of fc, conv; got 7", e.Message);
            e = Assert.Throws<ArgumentException>(() => BaselineExperiment.Evaluate(new BaselineEvalSpec(run, BatchSize: 0), context));
            Assert.Equal("BatchSize must be >= 1; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => BaselineExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", e.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("epoch 1/1", lines);
        Directory.Delete(data, recursive: true);
    }
}
