using AttentionSharp.Data;
using AttentionSharp.Data.Captioning;
using AttentionSharp.Models.Captioning;
using AttentionSharp.Models.QuestionAnswering;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Tests.Data.Captioning;
using AttentionSharp.Tests.Models.Captioning;
using AttentionSharp.Training;
using static TorchSharp.torch;

namespace AttentionSharp.Tests.Models.QuestionAnswering;

public class VqaExperimentTests
{
    [Fact]
    public void ThePriorAnswersEachQuestionTextWithItsMostFrequentTrainingAnswer()
    {
        var (d, f) = CaptionScenesTests.Sources();
        var scenes = CaptionScenes.Build(d.Train, f.Train, new SceneOptions(MinObjects: 1, MaxObjects: 1), 60, 2, new HashSet<SceneRelation>(), [], false,
            CaptionScenes.Vocabulary());
        var train = new QuestionDataset(scenes, 3, seed: 4);
        var prior = new QuestionPrior(train, epochs: 3);
        // One object a scene: "what is left of the X" never has an answer, so the prior says nothing; the counts decide the rest.
        var relate = new SceneQuestion(QuestionKind.Relate, ["what", "is", "left", "of", "the", "7"], "nothing", -1, null);
        Assert.Equal("nothing", prior.Answer(relate));
        var counts = new Dictionary<string, int>();
        for (int e = 1; e <= 3; e++)
            for (int s = 0; s < train.Count; s++)
                foreach (var q in train.QuestionsOf(s, e).Where(q => q.Text == "where is the 3 ?")) counts[q.Answer] = counts.GetValueOrDefault(q.Answer) + 1;
        if (counts.Count > 0)
        {
            var where = new SceneQuestion(QuestionKind.Where, ["where", "is", "the", "3"], "centre", 0, null);
            Assert.Equal(counts[prior.Answer(where)], counts.Values.Max());
        }
        // A question text never seen in training gets its kind's most frequent answer.
        Assert.Contains(prior.Answer(new SceneQuestion(QuestionKind.Exist, ["is", "there", "a", "dress", "dress"], "no", -1, null)), new[] { "yes", "no" });
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ATinyModelLearnsToAnswerWhereTheObjectIs()
    {
        // About 10 s on one core: one object per 32x32 scene; "where is the X" needs the image, the prior is 1/9 at best.
        var d = CaptionScenesTests.Patterns(items: false, 2);
        var f = CaptionScenesTests.Patterns(items: true, 2);
        var scenes = CaptionScenes.Build(d, f, new SceneOptions(Canvas: 32, MinObjects: 1, MaxObjects: 1, HeldOut: 0, Jitter: 0), 300, 1,
            new HashSet<SceneRelation>(), [], false, CaptionScenes.Vocabulary());
        var set = new QuestionDataset(scenes, 3, seed: 1);
        manual_seed(1);
        var model = new StackedAttentionNetwork(new VqaOptions(SceneQuestions.Vocabulary().Count, SceneQuestions.Answers.Length, ImageSize: 32, Features: 16,
            Embedding: 16, Hidden: 32, AttentionHidden: 16, Hops: 1));
        var task = new VqaTask(model);
        var optimizer = new AttentionSharp.Training.Optimizers.Adam(model.parameters(), lr: 0.003);
        var rng = new Random(1);
        for (int step = 0; step < 400; step++)
        {
            using var scope = NewDisposeScope();
            set.BeginEpoch(1 + step / 10);
            model.train();
            optimizer.zero_grad();
            task.TrainStep(set.GetBatch(Enumerable.Range(0, 16).Select(_ => rng.Next(set.Count)).ToArray())).Loss.backward();
            optimizer.step();
        }
        var scores = VqaExperiment.ScoreSet(model, set, new QuestionPrior(set), new HashSet<SceneRelation>());
        Assert.True(scores.ByKind[QuestionKind.Where] >= 0.9, $"where accuracy {scores.ByKind[QuestionKind.Where]:P1} after 400 steps");
        Assert.True(scores.GroundingByKind[QuestionKind.Where] >= 0.8, $"grounding of where questions {scores.GroundingByKind[QuestionKind.Where]:P1}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateShowAndAskFromCodeAndTheCli()
    {
        string data = CaptionExperimentTests.FixtureSources();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-vqa-").FullName, "run");
        var spec = new VqaTrainSpec(new CaptionDataSpec(MinObjects: 2, MaxObjects: 3, TrainSize: 48, ValidSize: 16, TestSize: 16), VqaAttention.Stacked,
            Features: 8, Embedding: 8, Hidden: 16, AttentionHidden: 8, Hops: 2);
        string lines = ExperimentHarness.Quiet(data, context =>
        {
            var trainer = new TrainerOptions { Epochs = 1, BatchSize = 16, OutDir = run, Monitor = "error" };
            var trained = VqaExperiment.Train(spec, trainer, context);
            var keys = trained.Items.Select(kv => kv.Key).ToArray();
            Assert.Equal(["data", "attention", "hops", "objects", "test_acc", "test_exist_acc", "test_relate_acc", "test_where_acc"], keys[..8]);
            Assert.Contains("comp_heldout_relate_acc", keys);
            Assert.Contains("test_grounding", keys);
            Assert.Contains("test_where_grounding", keys);
            Assert.Contains("test_prior_acc", keys);
            Assert.True(File.Exists(Path.Combine(run, "attention.png")));
            var (_, loaded, _) = VqaExperiment.Load(run, CPU);
            Assert.Equal(spec.Options(), loaded.Net);

            var eval = VqaExperiment.Evaluate(run, context);
            Assert.Equal(trained.Items.Single(kv => kv.Key == "test_acc").Value, eval.Items.Single(kv => kv.Key == "test_acc").Value);
            Assert.Equal(48, eval.Items.Single(kv => kv.Key == "test_questions").Value);

            string png = Path.Combine(run, "comp.png");
            var shown = VqaExperiment.Show(new VqaShowSpec(run, Count: 4, Split: "compositional", Output: png), context);
            Assert.Equal(4, shown.Items.Single(kv => kv.Key == "questions").Value);
            Assert.True(new FileInfo(png).Length > 1000);

            Assert.Equal("Data must be 'scenes': questions are asked and answered from the generated scenes' objects; got 'caps.jsonl'",
                Assert.Throws<ArgumentException>(() => VqaExperiment.Train(spec with { Data = spec.Data with { Data = "caps.jsonl" } }, trainer, context)).Message);
            Assert.Equal("PerScene must be >= 1; got 0", Assert.Throws<ArgumentException>(() => VqaExperiment.Train(spec with { PerScene = 0 }, trainer, context)).Message);
        });
        Assert.Contains("run folder: " + run, lines);
        Assert.Contains("stacked attention, 2 layer(s)", lines);

        string image = Path.Combine(run, "scene.png");
        CaptionFolder.WritePng(image, new byte[64 * 64], 64, 64);
        var ok = CliTests.Run("vqa", "run", "--checkpoint", run, "--image", image, "--question", "What is left of the 7?", "--data-dir", data);
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Matches(@"(?m)^answer: \S+$", ok.Out);
        Assert.Matches(@"(?m)^RESULT answer=\S+ probability=\S+ next=\S+ png=\S+scene\.vqa\.png$", ok.Out);
        var unknown = CliTests.Run("vqa", "run", "--checkpoint", run, "--image", image, "--question", "what colour is the 7", "--data-dir", data);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("unknown word 'colour'", unknown.Err);
        string small = Path.Combine(run, "small.png");
        CaptionFolder.WritePng(small, new byte[32 * 32], 32, 32);
        var bad = CliTests.Run("vqa", "run", "--checkpoint", run, "--image", small, "--question", "is there a 7", "--data-dir", data);
        Assert.Equal(1, bad.Code);
        Assert.Contains("is 32x32 pixels; the model needs 64x64", bad.Err);
        var eval2 = CliTests.Run("vqa", "eval", "--checkpoint", run, "--data-dir", data);
        Assert.True(eval2.Code == 0, eval2.Err);
        Assert.Matches(@"(?m)^RESULT data=scenes attention=stacked hops=2 objects=2-3 test_acc=\d+\.\d\d% ", eval2.Out);
        var wrongKind = CliTests.Run("caption", "eval", "--checkpoint", run, "--data-dir", data);
        Assert.Equal(1, wrongKind.Code);
        Assert.Contains("use 'attn vqa ...' for it", wrongKind.Err);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public void AQuestionsFileIsAnsweredLineByLineAsSingleQuestionsAreAndBadLinesNameTheirLine()
    {
        // The committed 24x24 SAN fixture (Fixtures/Checkpoints/vqa-san2.ckpt): the file's answers must be those of one
        // question at a time (Ask), whatever the batch; accuracy counts only lines that give an answer.
        string checkpoint = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints", "vqa-san2.ckpt");
        string dir = Directory.CreateTempSubdirectory("attn-vqa-file-").FullName;
        var rng = new Random(5);
        foreach (var name in new[] { "a.png", "b.png" })
        {
            var pixels = new byte[24 * 24];
            rng.NextBytes(pixels);
            CaptionFolder.WritePng(Path.Combine(dir, name), pixels, 24, 24);
        }
        File.WriteAllLines(Path.Combine(dir, "q.jsonl"),
        [
            "{\"image\": \"a.png\", \"question\": \"is there a 7?\", \"answer\": \"yes\"}",
            "",
            "{\"image\": \"b.png\", \"question\": \"What is left of the 7?\"}",
            "{\"image\": \"a.png\", \"question\": \"where is the 3\", \"answer\": \"NO\"}",
        ]);
        var context = ExperimentContext.Cpu();
        var result = VqaExperiment.AnswerFile(new VqaFileSpec(checkpoint, Path.Combine(dir, "q.jsonl")), context);
        Assert.Equal(3, Convert.ToInt32(result.Items.First(kv => kv.Key == "questions").Value));
        Assert.Equal(2, Convert.ToInt32(result.Items.First(kv => kv.Key == "images").Value));
        Assert.Equal(2, Convert.ToInt32(result.Items.First(kv => kv.Key == "with_answers").Value));
        var lines = File.ReadAllLines(Path.Combine(dir, "q.answers.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToArray();
        Assert.Equal([1, 3, 4], lines.Select(l => (int)l["line"]!));
        int right = 0;
        foreach (var (l, image, question) in lines.Zip([("a.png", "is there a 7?"), ("b.png", "What is left of the 7?"), ("a.png", "where is the 3")], (l, x) => (l, x.Item1, x.Item2)))
        {
            var (single, _) = VqaExperiment.Ask(new VqaAskSpec(checkpoint, Path.Combine(dir, image), question, Path.Combine(dir, "ask.png")), context);
            Assert.Equal(single, (string)l["predicted"]!);
            if (l["answer"] is { } given && (string)given! == single) right++;
        }
        Assert.Null(lines[1]["answer"]);
        Assert.Equal("no", (string)lines[2]["answer"]!);   // answers are compared in lower case
        Assert.Equal(100.0 * right / 2, ((Percent)result.Items.First(kv => kv.Key == "accuracy").Value).Value, 6);

        void Bad(string line, string expected)
        {
            File.WriteAllLines(Path.Combine(dir, "bad.jsonl"), ["{\"image\": \"a.png\", \"question\": \"is there a 7\"}", line]);
            var e = Assert.ThrowsAny<Exception>(() => VqaExperiment.AnswerFile(new VqaFileSpec(checkpoint, Path.Combine(dir, "bad.jsonl")), context));
            Assert.Contains(expected, e.Message);
            Assert.False(File.Exists(Path.Combine(dir, "bad.answers.jsonl")));
        }
        Bad("{\"image\": \"a.png\"", "bad.jsonl, line 2: not JSON");
        Bad("{\"image\": \"a.png\"}", "line 2: no \"question\"");
        Bad("{\"image\": \"a.png\", \"question\": \"what colour is the 7\"}", "line 2: unknown word 'colour'");
        Bad("{\"image\": \"a.png\", \"question\": \"is there a 7\", \"answer\": \"maybe\"}", "line 2: answer 'maybe' is not one the model can give");
        Bad("{\"image\": \"c.png\", \"question\": \"is there a 7\"}", "line 2: no image");
        Bad("[1, 2]", "line 2: expected a JSON object");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void TheCliRejectsACaptionsFileAndAnOddHiddenSize()
    {
        var r = CliTests.Run("vqa", "train", "--data", "caps.jsonl", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("--data must be scenes for vqa", r.Err);
        r = CliTests.Run("vqa", "train", "--hidden", "33", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("--hidden must be even", r.Err);
        r = CliTests.Run("vqa", "train", "--attention", "soft", "--no-progress");
        Assert.Equal(2, r.Code);
        Assert.Contains("--attention must be one of stacked, none, flat; got 'soft'", r.Err);
    }
}
