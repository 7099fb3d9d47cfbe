using System.Text;
using AttentionSharp.Models.Tagging;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Tagging;

public class TagExperimentTests
{
    /// <summary>A CoNLL file: capitalised words after "from" or "to" are B-LOC, other names B-PER/I-PER, the rest O.</summary>
    static string MakeConll(string dir, string name, int sentences, int seed)
    {
        var rng = new Random(seed);
        string[] names = ["Anna", "Bob", "Carl", "Dora"], places = ["Paris", "Rome", "Oslo", "Lima"], words = ["went", "walked", "and", "then", "home"];
        var sb = new StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            string prev = "";
            for (int i = 0, n = rng.Next(4, 9); i < n; i++)
            {
                int r = rng.Next(10);
                var (w, tag) = prev is "from" or "to" ? (places[rng.Next(4)], "B-LOC")
                    : r < 3 ? (names[rng.Next(4)], names.Contains(prev) ? "I-PER" : "B-PER")
                    : r < 5 ? (rng.Next(2) == 0 ? "from" : "to", "O") : (words[rng.Next(words.Length)], "O");
                sb.Append(w).Append(' ').Append(tag).Append('\n');
                prev = w;
            }
            sb.Append('\n');
        }
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateAndTagFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string dir = Directory.CreateTempSubdirectory("attn-tagexp-").FullName, run = Path.Combine(dir, "run");
        string train = MakeConll(dir, "train.txt", 200, 1), dev = MakeConll(dir, "dev.txt", 40, 2), test = MakeConll(dir, "test.txt", 40, 3);
        string lines = ExperimentHarness.Quiet(dir, context =>
        {
            var spec = new TagTrainSpec(Task: "conll", Model: TaggerModel.Crf, TrainFile: train, DevFile: dev, TestFile: test, MinCount: 1, MinFeatureCount: 1);
            var trainer = new TrainerOptions { Epochs = 3, BatchSize = 16, LearningRate = 0.05, OutDir = run, Monitor = "error" };
            var trained = TagExperiment.Train(spec, trainer, context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal("conll", trained["task"]);
            Assert.Equal("crf", trained["model"]);
            Assert.Equal(4, trained["tags"]);
            Assert.Equal(200, trained["train_sentences"]);
            Assert.Equal(3, trained["epochs"]);
            Assert.True(((Percent)trained["span_f1"]).Value > 80, $"span_f1 {trained["span_f1"]}");
            Assert.True(File.Exists(Path.Combine(run, "result.json")));
            Assert.Equal(TagExperiment.Kind(TaggerModel.Crf), Checkpoint.ReadHeader(Path.Combine(run, Checkpoint.BestFile)).Kind);

            var eval = TagExperiment.Evaluate(new TagEvalSpec(run, BatchSize: 8), context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(trained["test_accuracy"], eval["test_accuracy"]);
            Assert.Equal(trained["span_f1"], eval["span_f1"]);
            Assert.Equal(40, eval["sentences"]);
            Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

            Assert.Equal(["B-PER", "O", "O", "B-LOC"], TagExperiment.Tag(run, TagExperiment.Tokenize("Anna went to Paris"), context));
            string tagged = Path.Combine(dir, "tagged.txt");
            var file = TagExperiment.TagFile(new TagFileSpec(run, test, tagged), context).Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(40, file["sentences"]);
            Assert.All(File.ReadAllLines(tagged).Where(l => l.Length > 0), l => Assert.Equal(3, l.Split('\t').Length));

            var bad = Assert.Throws<ArgumentException>(() => TagExperiment.Train(spec with { TrainFile = null }, trainer, context));
            Assert.Equal("Task conll needs TrainFile (and usually DevFile and TestFile)", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TagExperiment.Train(spec with { Task = "brown" }, trainer, context));
            Assert.Equal("TrainFile/DevFile/TestFile are for Task conll; Task brown uses the Brown corpus split", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TagExperiment.Evaluate(new TagEvalSpec(run, BatchSize: 0), context));
            Assert.Equal("BatchSize must be >= 1; got 0", bad.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("data: 200 training sentences", lines);
        Assert.Contains("epoch 3/3", lines);
        Directory.Delete(dir, recursive: true);
    }
}
