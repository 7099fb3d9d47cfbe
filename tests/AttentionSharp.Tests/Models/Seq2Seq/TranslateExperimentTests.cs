using AttentionSharp.Sequence;
using AttentionSharp.Models.Seq2Seq;
using AttentionSharp.Training;
using TorchSharp;

namespace AttentionSharp.Tests.Models.Seq2Seq;

public class TranslateExperimentTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateTranslateAndShowFromCodeWriteTheRunFolderAndNothingToTheConsole()
    {
        string dir = Directory.CreateTempSubdirectory("attn-translateexp-").FullName, run = Path.Combine(dir, "run");
        string lines = ExperimentHarness.Quiet(dir, context =>
        {
            var spec = new TranslateTrainSpec(Arch: "bahdanau", Task: "dates", Pairs: 100, Embedding: 8, Hidden: 8);
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 32, LearningRate = 2e-3, OutDir = run, Monitor = "loss" };
            var trained = TranslateExperiment.Train(spec, trainer, context);
            var items = trained.Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal("dates", items["task"]);
            Assert.Equal("bahdanau", items["arch"]);
            Assert.Equal("gru", items["cell"]);
            Assert.Equal("char", items["symbols"]);
            Assert.Equal(100, items["train_pairs"]);
            Assert.Equal(1, items["epochs"]);
            Assert.InRange((double)items["test_bleu"], 0, 100);
            Assert.Equal(Path.Combine(run, Checkpoint.BestFile), items["checkpoint"]);
            Assert.True(File.Exists(Path.Combine(run, "result.json")));
            Assert.Equal(TranslateExperiment.Kind, Checkpoint.ReadHeader(Path.Combine(run, Checkpoint.BestFile)).Kind);

            var eval = TranslateExperiment.Evaluate(new TranslateEvalSpec(run, Beam: 2, Split: "dev", Limit: 20, Errors: 1), context);
            var e = eval.Items.ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(2, e["beam"]);
            Assert.Equal("dev", e["split"]);
            Assert.Equal(20, e["sentences"]);
            Assert.True(File.Exists(Path.Combine(run, "eval-dev-beam2.json")));

            var translations = TranslateExperiment.Translate(run, ["12 march 2001", "1.2.2003"], context);
            Assert.Equal(2, translations.Count);

            string png = Path.Combine(dir, "align.png");
            var shown = TranslateExperiment.Show(new TranslateShowSpec(run, "12 march 2001", Output: png), context);
            Assert.Equal(Path.GetFullPath(png), shown.Items.Single(kv => kv.Key == "png").Value);
            Assert.Equal(13, shown.Items.Single(kv => kv.Key == "sources").Value);
            Assert.True(File.Exists(png));

            var bad = Assert.Throws<ArgumentException>(() => TranslateExperiment.Train(spec with { Merges = 10 }, trainer, context));
            Assert.Equal("Merges is for Subwords bpe", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TranslateExperiment.Train(spec with { Arch = "transformer", Cell = RnnCell.Lstm }, trainer, context));
            Assert.Equal("Cell applies to the recurrent architectures, not to Arch transformer", bad.Message);
            bad = Assert.Throws<ArgumentException>(() => TranslateExperiment.Train(spec, trainer with { OutDir = null }, context));
            Assert.Contains("OutDir", bad.Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("dates: 100 train", lines);
        Assert.Contains("epoch 1/1", lines);
        Assert.Contains("  source: ", lines);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void SpecDefaultsFollowTheTaskAndSymbols()
    {
        Assert.Equal(AttentionSharp.Data.Translation.VocabularyLevel.Char, new TranslateTrainSpec(Task: "dates").Level);
        Assert.Equal(AttentionSharp.Data.Translation.VocabularyLevel.Word, new TranslateTrainSpec(Task: "reverse").Level);
        Assert.Equal(AttentionSharp.Data.Translation.VocabularyLevel.Subword, new TranslateTrainSpec(Task: "de-en", Subwords: "bpe").Level);
        Assert.Equal(40, new TranslateTrainSpec(Task: "dates").ResolvedMaxLen);
        Assert.Equal(30, new TranslateTrainSpec(Task: "de-en").ResolvedMaxLen);
        Assert.Equal(60, new TranslateTrainSpec(Task: "de-en", Subwords: "bpe").ResolvedMaxLen);
        var data = new TranslateTrainSpec(Task: "reverse", Pairs: 300).Data(seed: 7);
        Assert.Equal(300, data.DateTrain);
        Assert.Equal(7, data.DataSeed);
        Assert.Equal("Task tsv needs TrainFile", Assert.Throws<ArgumentException>(() => new TranslateTrainSpec(Task: "tsv").Validate()).Message);
        Assert.Equal("ExtraPairs dictionary is for Task de-en; got Task dates",
            Assert.Throws<ArgumentException>(() => new TranslateTrainSpec(ExtraPairs: "dictionary").Validate()).Message);
    }
}
