using AttentionSharp.Data;
using AttentionSharp.Models.Segmentation;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Segmentation;

public class SegmentExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndShowFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string data = CliTests.FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-segexp-").FullName, "run");
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var spec = new SegmentTrainSpec(Task: "digits", Model: SegmentationModel.AttentionUNet, BaseFilters: 4, Depth: 2, Canvas: 32, MinDigits: 1, MaxDigits: 1,
                TrainSize: 32, ValidSize: 8, TestSize: 8);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 16, OutDir = run, Monitor = "dice_error" };
            var trained = SegmentExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            Assert.Equal(["task", "model", "test_dice", .. Enumerable.Range(0, 10).Select(c => $"dice_{c}"), "dice_background",
                "best_epoch", "epochs", "parameters", "seconds", "train_seconds_total", "checkpoint"], keys);
            Assert.Equal("attention-unet", trained.Items.Single(kv => kv.Key == "model").Value);
            Assert.True(File.Exists(Path.Combine(run, Checkpoint.BestFile)));
            Assert.True(File.Exists(Path.Combine(run, "result.json")));

            var (_, loaded, model) = SegmentExperiment.Load(run, torch.CPU);
            Assert.Equal(new SegmentRun("digits", new MultiDigitOptions(32, 1, 1), 1, 32, 8, 8,
                new SegmentationOptions(Model: SegmentationModel.AttentionUNet, Classes: 11, BaseFilters: 4, Depth: 2)), loaded);
            Assert.Equal([1], model.GatedLevels);

            var eval = SegmentExperiment.Evaluate(new SegmentEvalSpec(run, BatchSize: 4), context);
            Assert.Equal(8, eval.Items.Single(kv => kv.Key == "examples").Value);
            Assert.Equal(trained.Items.Single(kv => kv.Key == "test_dice").Value, eval.Items.Single(kv => kv.Key == "test_dice").Value);
            Assert.InRange((double)eval.Items.Single(kv => kv.Key == "dice_background").Value, 0, 1);
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            string png = Path.Combine(run, "two.png");
            var shown = SegmentExperiment.Show(new SegmentShowSpec(run, png, Count: 2), context);
            Assert.Equal(2, shown.Items.Single(kv => kv.Key == "examples").Value);
            Assert.Equal(1, shown.Items.Single(kv => kv.Key == "gates").Value);
            Assert.True(new FileInfo(png).Length > 500);

            var e = Assert.Throws<ArgumentException>(() => SegmentExperiment.Train(spec with { Canvas = 34 }, trainer, context));
            Assert.Equal("Canvas must be a multiple of 2^Depth = 4; got 34", e.Message);
            e = Assert.Throws<ArgumentException>(() => SegmentExperiment.Train(spec with { Task = "brain", Depth = 5 }, trainer, context));
            Assert.Equal("brain slices are padded to a multiple of 16: Depth must be at most 4; got 5", e.Message);
            e = Assert.Throws<ArgumentException>(() => SegmentExperiment.Train(spec with { TrainSize = 0 }, trainer, context));
            Assert.Equal("TrainSize must be >= 1; got 0", e.Message);
            e = Assert.Throws<ArgumentException>(() => SegmentExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", e.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("attention-unet: ", lines);
        Assert.Contains("gated levels [1]", lines);
        Assert.Contains("epoch 1/1", lines);
        Directory.Delete(data, recursive: true);
    }
}
