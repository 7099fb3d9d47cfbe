using AttentionSharp.Cli;

namespace AttentionSharp.Tests.Cli;

public class ClassifyCommandsTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public void BadInputsGetClearMessages()
    {
        var (code, _, err) = Run("classify", "train", "--task", "imdb");
        Assert.Equal(2, code);
        Assert.Contains("--task must be one of polarity-docs, polarity-sentences, spam, csv; got 'imdb'", err);
        Assert.Contains("--model must be one of attn, mean, max, last, han; got 'cnn'", Run("classify", "train", "--model", "cnn").Err);
        Assert.Contains("--task csv needs --train FILE", Run("classify", "train", "--task", "csv", "--out", Path.Combine(Path.GetTempPath(), "nope-textcls")).Err);
        var refit = Run("classify", "train", "--refit", "--valid-fraction", "0", "--out", Path.Combine(Path.GetTempPath(), "nope-textcls-refit"));
        Assert.Equal(2, refit.Code);
        Assert.Contains("--refit needs --valid-fraction above 0", refit.Err);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "nope-textcls-refit")));
        Assert.Contains("needs the text to classify", Run("classify", "predict", "--checkpoint", "x.ckpt").Err);
        Assert.Contains("does not exist", Run("classify", "predict", "--checkpoint", "/nonexistent/x.ckpt", "good film").Err);
    }

    [Fact]
    public void CsvTaskTrainsPredictsAndExplainsEndToEnd()
    {
        string dir = Directory.CreateTempSubdirectory("classifycli").FullName;
        try
        {
            var rng = new Random(5);
            string[] filler = ["the", "a", "show", "was", "and", "it", "cast"];
            var lines = new List<string> { "text,label" };
            for (int i = 0; i < 240; i++)
            {
                var words = Enumerable.Range(0, 5).Select(_ => filler[rng.Next(filler.Length)]).ToList();
                words.Insert(rng.Next(6), i % 3 == 0 ? "superb" : i % 3 == 1 ? "awful" : "average");
                lines.Add($"\"{string.Join(' ', words)}, yes\",{(i % 3 == 0 ? "pos" : i % 3 == 1 ? "neg" : "mid")}");
            }
            File.WriteAllLines(Path.Combine(dir, "d.csv"), lines);
            string outDir = Path.Combine(dir, "run");
            var (code, output, err) = Run("classify", "train", "--task", "csv", "--train", Path.Combine(dir, "d.csv"), "--folds", "3", "--fold", "1",
                "--epochs", "6", "--lr", "0.01", "--embedding", "8", "--hidden", "8", "--attention-dim", "8", "--min-count", "1", "--out", outDir, "--no-progress");
            Assert.True(code == 0, err);
            Assert.Contains("RESULT task=csv model=attn", output);
            Assert.True(File.Exists(Path.Combine(outDir, "result.json")));
            string ckpt = Path.Combine(outDir, "fold-01");
            var eval = Run("classify", "eval", "--checkpoint", ckpt);
            Assert.True(eval.Code == 0, eval.Err);
            Assert.Contains("RESULT task=csv model=attn fold=1 folds=3 test_accuracy=", eval.Out);
            var predict = Run("classify", "predict", "--checkpoint", outDir, "it was superb"); // a CV run folder resolves to fold-01
            Assert.StartsWith("pos\t", predict.Out);
            string html = Path.Combine(dir, "e.html");
            var explain = Run("classify", "explain", "--checkpoint", ckpt, "--html", html, "the cast was superb");
            Assert.True(explain.Code == 0, explain.Err);
            foreach (var w in new[] { "the", "cast", "was", "superb" }) Assert.Matches($@"\d\.\d{{4}}  {w}\b", explain.Out);
            Assert.Contains(">superb</span>", File.ReadAllText(html));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void PretrainedSkipGramInitialisesFromEachFoldsTrainingTextsAndRecordsIt()
    {
        string dir = Directory.CreateTempSubdirectory("classifysg").FullName;
        try
        {
            var rng = new Random(6);
            string[] filler = ["the", "a", "show", "was", "and", "it", "cast"];
            var lines = new List<string> { "text,label" };
            for (int i = 0; i < 120; i++)
            {
                var words = Enumerable.Range(0, 5).Select(_ => filler[rng.Next(filler.Length)]).ToList();
                words.Insert(rng.Next(6), i % 2 == 0 ? "superb" : "awful");
                lines.Add($"{string.Join(' ', words)},{(i % 2 == 0 ? "pos" : "neg")}");
            }
            File.WriteAllLines(Path.Combine(dir, "d.csv"), lines);
            string outDir = Path.Combine(dir, "run"), data = Path.Combine(dir, "data");
            var (code, output, err) = Run("classify", "train", "--task", "csv", "--train", Path.Combine(dir, "d.csv"), "--folds", "3", "--fold", "2",
                "--epochs", "2", "--embedding", "8", "--hidden", "4", "--attention-dim", "4", "--min-count", "1", "--out", outDir, "--no-progress",
                "--pretrained", "skipgram", "--pretrain-text", "train", "--pretrain-epochs", "1", "--pretrain-min-count", "1", "--word-dropout", "0.1", "--data-dir", data);
            Assert.True(code == 0, err);
            Assert.Contains("RESULT task=csv model=attn", output);
            Assert.Contains("pretrained=skipgram", output);
            Assert.Matches(@"9 of 9 vocabulary words initialised from skipgram dim=8 .* text=train", output);
            Assert.Single(Directory.GetFiles(Path.Combine(data, "word-vectors")));
            var header = AttentionSharp.Training.Checkpoint.ReadHeader(AttentionSharp.Models.TextClassification.TextClassifierBundle.ResolvePath(Path.Combine(outDir, "fold-02")));
            Assert.Contains("text=train", header.Options!["Pretrained"]!.GetValue<string>());

            Assert.Contains("holds its test folds", Run("classify", "train", "--task", "polarity-sentences", "--pretrained", "skipgram", "--pretrain-text", "brown,polarity-sentences").Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
