using AttentionSharp.Models.RecurrentAttention;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.RecurrentAttention;

public class RamExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndShowFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-ramexp-").FullName, "run");
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var spec = new RamTrainSpec(Task: "mnist", Glimpses: 2, Samples: 2);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 50, MaxBatchesPerEpoch = 3, OutDir = run, Monitor = "error" };
            var trained = RamExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            foreach (var key in new[] { "task", "model", "glimpses", "test_policy", "test_error", "test_error_m2", "best_epoch", "epochs", "checkpoint", "png" })
                Assert.Contains(key, keys);
            Assert.True(File.Exists(Path.Combine(run, Checkpoint.BestFile)));
            Assert.True(File.Exists(Path.Combine(run, "result.json")));
            Assert.True(File.Exists(Path.Combine(run, "glimpses.png")));

            var eval = RamExperiment.Evaluate(new RamEvalSpec(run, Samples: 1, TestPolicy: RamTestPolicy.Sample), context);
            Assert.Equal("sample", eval.Items.Single(kv => kv.Key == "test_policy").Value);
            Assert.Equal(10000, eval.Items.Single(kv => kv.Key == "examples").Value);
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            string png = Path.Combine(run, "four.png");
            var shown = RamExperiment.Show(new RamShowSpec(run, Count: 4, Output: png), context);
            Assert.Equal(4, shown.Items.Single(kv => kv.Key == "images").Value);
            Assert.True(File.Exists(png));

            var e = Assert.Throws<ArgumentException>(() => RamExperiment.Train(spec with { Glimpses = 0 }, trainer, context));
            Assert.Equal("Glimpses must be >= 1; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => RamExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", e.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("epoch 1/1", lines);
        Directory.Delete(data, recursive: true);
    }
}
