using AttentionSharp.Models.SpatialTransformers;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.SpatialTransformers;

public class StnExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndShowFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-stnexp-").FullName, "run");
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var spec = new StnTrainSpec(Task: "rts", Model: StnModel.Cnn, DataSeed: 3);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 32, MaxBatchesPerEpoch = 3, OutDir = run, Monitor = "error" };
            var trained = StnExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            Assert.Equal(["task", "model", "test_error", "best_epoch", "epochs", "seconds", "train_seconds_total", "checkpoint"], keys);
            Assert.Equal("cnn", trained.Items.Single(kv => kv.Key == "model").Value);
            Assert.True(File.Exists(Path.Combine(run, Checkpoint.BestFile)));
            Assert.True(File.Exists(Path.Combine(run, "result.json")));

            var (_, loaded, _) = StnExperiment.Load(run, torch.CPU);
            Assert.Equal(new StnRun("rts", 3, new StnOptions(Model: StnModel.Cnn, Height: 42, Width: 42)), loaded);

            var eval = StnExperiment.Evaluate(new StnEvalSpec(run), context);
            Assert.Equal("rts", eval.Items.Single(kv => kv.Key == "task").Value);
            Assert.Equal(10000, eval.Items.Single(kv => kv.Key == "examples").Value);
            var error = Assert.IsType<Percent>(eval.Items.Single(kv => kv.Key == "test_error").Value);
            Assert.InRange(error.Value, 0, 100);
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            string png = Path.Combine(run, "four.png");
            var shown = StnExperiment.Show(new StnShowSpec(run, png, Count: 4), context);
            Assert.Equal(4, shown.Items.Single(kv => kv.Key == "examples").Value);
            Assert.InRange((int)shown.Items.Single(kv => kv.Key == "correct").Value, 0, 4);
            Assert.True(new FileInfo(png).Length > 500);

            var e = Assert.Throws<ArgumentException>(() => StnExperiment.Train(spec with { Task = "svhn" }, trainer, context));
            Assert.Equal("Task must be one of rts, cluttered60; got 'svhn'", e.Message);
            e = Assert.Throws<ArgumentException>(() => StnExperiment.Show(new StnShowSpec(run, png, Count: 0), context));
            Assert.Equal("Count must be in 1..64; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => StnExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", e.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("epoch 1/1", lines);
        Directory.Delete(data, recursive: true);
    }
}
