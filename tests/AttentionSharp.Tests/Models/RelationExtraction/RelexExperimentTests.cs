using System.Globalization;
using AttentionSharp.Data.Relations;
using AttentionSharp.Models.RelationExtraction;
using AttentionSharp.Tests.Cli;
using AttentionSharp.Tests.Data.Relations;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Models.RelationExtraction;

public class RelexExperimentTests
{
    /// <summary>A small benchmark from the test knowledge base, written as OpenNRE files (the format a user's NYT10 comes in).</summary>
    static (string Train, string Test, string Relations) WriteFiles()
    {
        var d = DistantSupervisionBenchmark.Generate(DistantSupervisionBenchmarkTests.TinyKb(), new DistantSupervisionOptions(Rho: 0.5, FactsPerRelation: 40, MaxBagSize: 4));
        string dir = Directory.CreateTempSubdirectory("attn-relex-").FullName;
        string train = Path.Combine(dir, "train.txt"), test = Path.Combine(dir, "test.txt"), rel = Path.Combine(dir, "rel2id.json");
        OpenNreFormat.Write(train, d.Train.Concat(d.Valid));
        OpenNreFormat.Write(test, d.Test);
        File.WriteAllText(rel, d.Relations.ToRel2IdJson());
        return (train, test, rel);
    }

    static double Value(RunResult r, string key) => Convert.ToDouble(r.Items.First(kv => kv.Key == key).Value, CultureInfo.InvariantCulture);

    [Fact]
    public void HeldOutEvaluationMatchesAHandWorkedRanking()
    {
        // Two relations besides NA; bag 0 holds relation 1, bag 1 is NA, bag 2 holds 1 and 2. Ranking: (0,1) .9 right,
        // (1,2) .8 wrong, (2,2) .7 right, (1,1) .3 wrong, (2,1) .2 right, (0,2) .1 wrong; 3 facts.
        double[][] scores = [[0.5, 0.9, 0.1], [0.9, 0.3, 0.8], [0.1, 0.2, 0.7]];
        IReadOnlyCollection<int>[] labels = [new[] { 1 }, new[] { 0 }, new[] { 1, 2 }];
        var r = HeldOutEvaluation.Evaluate(scores, labels);
        Assert.Equal(3, r.Facts);
        double[] p = [1, 0.5, 2 / 3.0, 0.5, 0.6, 0.5], rc = [1 / 3.0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1];
        for (int i = 0; i < 6; i++) { Assert.Equal(p[i], r.Precision[i], 12); Assert.Equal(rc[i], r.Recall[i], 12); }
        double auc = 0;
        for (int i = 1; i < 6; i++) auc += (rc[i] - rc[i - 1]) * (p[i] + p[i - 1]) / 2;
        Assert.Equal(auc, r.Auc, 12);
        Assert.Equal(0.75, r.MaxF1, 12);                     // rank 5: P 0.6, R 1
        Assert.Equal(0.5, r.P100, 12);                       // fewer than 100 predictions: precision of all of them
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TrainEvaluateShowAndRunFromCode()
    {
        var (train, test, rel) = WriteFiles();
        string outDir = Path.Combine(Directory.CreateTempSubdirectory("attn-relex-run-").FullName, "run");
        var spec = new RelexTrainSpec(new RelexDataSpec("files", Train: train, Test: test, Relations: rel), RelexEncoder.Pcnn, RelexAggregator.Att, Filters: 16, WordDim: 16, PositionDim: 3);
        var trainer = new TrainerOptions { Epochs = 3, BatchSize = 16, LearningRate = 3e-3, OutDir = outDir, Seed = 2 };
        RunResult result = null!;
        string log = ExperimentHarness.Quiet(Path.Combine(outDir, "..", "data"), c => result = RelexExperiment.Train(spec, trainer, c));
        Assert.Contains("PCNN+ATT", log);
        foreach (var key in new[] { "auc", "p100", "p_mean", "max_f1", "gold_auc", "gold_p_mean", "top_weight_expresses" })
            Assert.Contains(result.Items, kv => kv.Key == key);
        Assert.InRange(Value(result, "auc"), 0, 1);
        Assert.True(Value(result, "facts") > 10, result.ToLine());
        foreach (var f in new[] { "pr-curve.png", "pr-curve.csv", "result.json", "best.ckpt", "last.ckpt" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);

        var context = ExperimentContext.Cpu();
        var eval = RelexExperiment.Evaluate(new RelexEvalSpec(outDir), context);
        Assert.Equal(Value(result, "auc"), Value(eval, "auc"), 6);
        Assert.Equal(Value(result, "gold_p_mean"), Value(eval, "gold_p_mean"), 6);

        string html = Path.Combine(outDir, "bag.html");
        var show = RelexExperiment.Show(new RelexShowSpec(outDir, Bag: 0, Html: html), context);
        Assert.Contains("(selective attention):", show.Text);
        Assert.Contains("weight  gold", show.Text);
        Assert.True(File.Exists(html));

        string mine = Path.Combine(outDir, "mine.txt");
        File.WriteAllText(mine, """
            {"text": "Zurich is a city in Switzerland.", "h": {"name": "Zurich", "pos": [0, 6]}, "t": {"name": "Switzerland", "pos": [20, 31]}}
            {"text": "Reporters travelled from Zurich to Switzerland last week.", "h": {"name": "Zurich", "pos": [25, 31]}, "t": {"name": "Switzerland", "pos": [35, 46]}}
            """);
        var mineView = RelexExperiment.Run(new RelexRunSpec(outDir, mine), context);
        Assert.Equal(1, Value(mineView.Result, "bags"));
        Assert.Contains("[zurich] is a city in [switzerland]", mineView.Text);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void CliTrainResumeEvalShowAndBadInput()
    {
        var (train, test, rel) = WriteFiles();
        string outDir = Path.Combine(Directory.CreateTempSubdirectory("attn-relex-cli-").FullName, "run");
        string[] common = ["--data", "files", "--train", train, "--test", test, "--relations", rel, "--filters", "8", "--word-dim", "8", "--aggregator", "one",
            "--encoder", "cnn", "--out", outDir, "--no-progress", "--threads", "1"];
        var (code, output, err) = CliTests.Run(["relex", "train", .. common, "--epochs", "1"]);
        Assert.True(code == 0, err);
        Assert.Contains("RESULT data=files encoder=cnn aggregator=one", output);
        var resumed = CliTests.Run(["relex", "train", .. common, "--epochs", "2", "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resumed from", resumed.Out);
        Assert.Contains(" epochs=2 ", resumed.Out);
        var eval = CliTests.Run("relex", "eval", "--checkpoint", outDir);
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Contains(" test_bags_scored=", eval.Out);
        var show = CliTests.Run("relex", "show", "--checkpoint", outDir, "--bag", "1");
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("(best sentence):", show.Out);

        string bad = Path.Combine(outDir, "bad.txt");
        File.WriteAllText(bad, File.ReadLines(train).First() + "\n{\"token\": [\"a\"], \"h\": {\"name\": \"a\", \"pos\": [0, 1]}, \"t\": {\"name\": \"b\", \"pos\": [1, 2]}, \"relation\": \"NA\"}\n");
        var (badCode, _, badErr) = CliTests.Run("relex", "eval", "--checkpoint", outDir, "--test-file", bad);
        Assert.Equal(1, badCode);
        Assert.Contains("bad.txt line 2: entity t span [1, 2) is outside the sentence of 1 tokens", badErr);
    }
}
