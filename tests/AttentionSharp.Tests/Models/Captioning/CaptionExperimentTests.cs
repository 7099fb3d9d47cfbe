using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Tests.Data.Captioning;
using AttentionSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.Captioning;

public class CaptionExperimentTests
{
    /// <summary>
    /// A data root with fake MNIST and Fashion-MNIST of the real files' sizes (as <see cref="CliTests.FixtureMnist"/>): image i
    /// has label i % 10 and is a constant square whose brightness depends on its dataset and label.
    /// </summary>
    internal static string FixtureSources()
    {
        string root = Directory.CreateTempSubdirectory("attn-caption-data-").FullName;
        foreach (var (name, offset) in new[] { ("mnist", 100), ("fashion-mnist", 20) })
        {
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            void WriteSplit(string prefix, int n)
            {
                var labels = new byte[n];
                var pixels = new byte[n * 784];
                for (int i = 0; i < n; i++)
                {
                    labels[i] = (byte)(i % 10);
                    for (int y = 6; y < 22; y++) for (int x = 6; x < 22; x++) pixels[i * 784 + y * 28 + x] = (byte)(offset + 8 * (i % 10));
                }
                File.WriteAllBytes(Path.Combine(folder, prefix + "-images-idx3-ubyte"), IdxReader.Encode([n, 28, 28], pixels));
                File.WriteAllBytes(Path.Combine(folder, prefix + "-labels-idx1-ubyte"), IdxReader.Encode([n], labels));
            }
            WriteSplit("train", 60000);
            WriteSplit("t10k", 10000);
        }
        Assert.True(DatasetCatalog.Mnist.IsCached(root) && DatasetCatalog.FashionMnist.IsCached(root));
        return root;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ATinyModelLearnsAOneObjectCaptionInSeconds()
    {
        // About 10 s on one free core (25 s beside a training run). One object per 32x32 scene, from 20 classes of distinct block patterns; captions "a 0" / "there is a 0" / "one 0" ...
        var d = CaptionScenesTests.Patterns(items: false, 2);
        var f = CaptionScenesTests.Patterns(items: true, 2);
        var options = new SceneOptions(Canvas: 32, MinObjects: 1, MaxObjects: 1, HeldOut: 0);
        var vocab = CaptionScenes.Vocabulary();
        var set = CaptionScenes.Build(d, f, options, 200, 1, new HashSet<SceneRelation>(), [], false, vocab);
        manual_seed(1);
        var model = new ShowAttendTell(new CaptionOptions(vocab.Count, CaptionAttention.Soft, ImageSize: 32, Features: 16, Embedding: 16, Hidden: 32, AttentionHidden: 16, MaxLength: 5));
        var task = new CaptionTask(model);
        var optimizer = new AttentionSharp.Training.Optimizers.Adam(model.parameters(), lr: 0.003);
        var rng = new Random(1);
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            var idx = Enumerable.Range(0, 32).Select(_ => rng.Next(set.Count)).ToArray();
            optimizer.zero_grad();
            task.TrainStep(set.GetBatch(idx)).Loss.backward();
            optimizer.step();
        }
        var scores = CaptionExperiment.ScoreSet(model, set, beam: 1);
        Assert.True(scores.ExactMatch >= 0.9, $"exact match {scores.ExactMatch:P1} after 300 steps");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateShowAndCaptionFromCodeAndTheCli()
    {
        string data = FixtureSources();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-caption-").FullName, "run");
        var spec = new CaptionTrainSpec(new CaptionDataSpec(MinObjects: 2, MaxObjects: 3, TrainSize: 64, ValidSize: 16, TestSize: 16), CaptionAttention.Hard,
            Features: 8, Embedding: 8, Hidden: 16, AttentionHidden: 8, Beam: 2);
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 16, OutDir = run, Monitor = "caption_error" };
            var trained = CaptionExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            string[] scores(string p) => [$"{p}exact", $"{p}bleu1", $"{p}bleu2", $"{p}bleu3", $"{p}bleu4", $"{p}object_acc", $"{p}relation_acc", $"{p}grounding", $"{p}grounding_other_object", $"{p}grounding_near_miss", $"{p}grounding_prev_step", $"{p}grounding_word_or_prev", $"{p}grounding_mass", $"{p}grounding_obj1", $"{p}grounding_obj2", $"{p}grounding_obj3"];
            Assert.Equal(["data", "attention", "encoder", "objects", "beam", "train_references", "start", "attend_from", .. scores("test_"), .. scores("comp_"),
                "parameters", "best_epoch", "epochs", "seconds", "train_seconds_total", "checkpoint", "png"], keys);
            Assert.True(File.Exists(Path.Combine(run, "attention.png")));
            var (_, loaded, model) = CaptionExperiment.Load(run, CPU);
            Assert.Equal(spec.Options(CaptionScenes.Vocabulary().Count), loaded.Net);
            Assert.Equal(CaptionScenes.Vocabulary().Words, loaded.Words);

            var eval = CaptionExperiment.Evaluate(new CaptionEvalSpec(run, Beam: 2), context);
            Assert.Equal(trained.Items.Single(kv => kv.Key == "test_bleu4").Value, eval.Items.Single(kv => kv.Key == "test_bleu4").Value);
            Assert.Equal(16, eval.Items.Single(kv => kv.Key == "test_images").Value);

            string png = Path.Combine(run, "comp.png");
            var shown = CaptionExperiment.Show(new CaptionShowSpec(run, Count: 2, Split: "compositional", Output: png), context);
            Assert.Equal(2, shown.Items.Single(kv => kv.Key == "images").Value);
            Assert.True(new FileInfo(png).Length > 1000);

            Assert.Contains("OutDir", Assert.Throws<ArgumentException>(() => CaptionExperiment.Train(spec, trainer with { OutDir = null }, context)).Message);
            Assert.Equal("TrainSize must be >= 1; got 0", Assert.Throws<ArgumentException>(() =>
                CaptionExperiment.Train(spec with { Data = spec.Data with { TrainSize = 0 } }, trainer, context)).Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("REINFORCE with moving-average baseline", lines);
        Assert.Contains("epoch 1/1", lines);

        // The CLI: caption a user PNG of the model's size, and a clear error for a PNG of another size.
        string image = Path.Combine(run, "scene.png");
        CaptionFolder.WritePng(image, new byte[64 * 64], 64, 64);
        var ok = CliTests.Run("caption", "run", "--checkpoint", run, "--image", image, "--beam", "1", "--data-dir", data);
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Matches(@"(?m)^caption: ", ok.Out);
        Assert.Matches(@"(?m)^RESULT caption=\S* words=\d+ log_prob=\S+ png=\S+scene\.attention\.png", ok.Out);
        string small = Path.Combine(run, "small.png");
        CaptionFolder.WritePng(small, new byte[32 * 32], 32, 32);
        var bad = CliTests.Run("caption", "run", "--checkpoint", run, "--image", small, "--data-dir", data);
        Assert.Equal(1, bad.Code);
        Assert.Contains("is 32x32 pixels; the model needs 64x64", bad.Err);
        var eval2 = CliTests.Run("caption", "eval", "--checkpoint", run, "--beam", "1", "--data-dir", data);
        Assert.True(eval2.Code == 0, eval2.Err);
        Assert.Matches(@"(?m)^RESULT data=scenes attention=hard encoder=cnn objects=2-3 beam=1 train_references=cycle start=image attend_from=previous test_exact=\d+\.\d\d% ", eval2.Out);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public void TheCliRejectsBadObjectsAndAnEmptyCaptionsFile()
    {
        var r = CliTests.Run("caption", "train", "--objects", "2-5", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("--objects must satisfy 1 <= MIN <= MAX <= 3; got '2-5'", r.Err);
        r = CliTests.Run("caption", "train", "--train-references", "best", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("--train-references", r.Err);
        Assert.Contains("cycle, first, min-loss", r.Err);
        string dir = Directory.CreateTempSubdirectory("attn-captions-").FullName;
        string file = Path.Combine(dir, "captions.jsonl");
        File.WriteAllText(file, "");
        r = CliTests.Run("caption", "train", "--data", file, "--out", Path.Combine(dir, "run"), "--no-progress");
        Assert.Equal(1, r.Code);
        Assert.Contains("is empty: expected one JSON line per image", r.Err);
        Directory.Delete(dir, true);
    }
}
