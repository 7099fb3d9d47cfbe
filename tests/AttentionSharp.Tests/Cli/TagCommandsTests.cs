using System.Text;
using System.Text.Json.Nodes;
using AttentionSharp.Cli;
using AttentionSharp.Cli.Commands;

namespace AttentionSharp.Tests.Cli;

public class TagCommandsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("attn-tag-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>A user-style CoNLL file: capitalised words after "from" or "to" are LOC, other capitalised words PER (B/I), the rest O.</summary>
    string MakeConll(string name, int sentences, int seed)
    {
        var rng = new Random(seed);
        string[] names = ["Anna", "Bob", "Carl", "Dora"], places = ["Paris", "Rome", "Oslo", "Lima"], words = ["went", "walked", "and", "then", "home", "quickly"];
        var sb = new StringBuilder("-DOCSTART- O\n\n");
        for (int s = 0; s < sentences; s++)
        {
            int n = rng.Next(4, 9);
            string prev = "";
            for (int i = 0; i < n; i++)
            {
                int r = rng.Next(10);
                string w, tag;
                if (prev is "from" or "to") { w = places[rng.Next(4)]; tag = "B-LOC"; }
                else if (r < 3) { w = names[rng.Next(4)]; tag = prev.Length > 0 && char.IsUpper(prev[0]) && names.Contains(prev) ? "I-PER" : "B-PER"; }
                else if (r < 5) { w = rng.Next(2) == 0 ? "from" : "to"; tag = "O"; }
                else { w = words[rng.Next(words.Length)]; tag = "O"; }
                sb.Append(w).Append(' ').Append(tag).Append('\n');
                prev = w;
            }
            sb.Append('\n');
        }
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public void TrainEvalAndRunOnUserConllFiles()
    {
        string train = MakeConll("train.txt", 300, 1), dev = MakeConll("dev.txt", 60, 2), test = MakeConll("test.txt", 60, 3);
        string run = Path.Combine(_dir, "run");
        var (code, output, err) = Run("tag", "train", "--task", "conll", "--model", "crf", "--train", train, "--dev", dev, "--test", test,
            "--epochs", "4", "--batch-size", "16", "--lr", "0.05", "--schedule", "constant", "--min-feature-count", "1", "--min-count", "1",
            "--out", run, "--no-progress");
        Assert.True(code == 0, err);
        var result = output.Split('\n').Single(l => l.StartsWith("RESULT "));
        Assert.Contains("span_f1=", result);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        Assert.True(json["span_f1"]!.GetValue<double>() > 95, result);
        Assert.True(json["test_accuracy"]!.GetValue<double>() > 95, result);

        (code, output, err) = Run("tag", "eval", "--checkpoint", run);
        Assert.True(code == 0, err);
        Assert.Contains("RESULT task=conll model=crf test_accuracy=", output);
        Assert.True(File.Exists(Path.Combine(run, "eval-result.json")));

        (code, output, err) = Run("tag", "run", "--checkpoint", run, "Anna went to Paris .");
        Assert.True(code == 0, err);
        Assert.StartsWith("Anna/B-PER went/O to/O Paris/B-LOC", output.Trim());

        string tagged = Path.Combine(_dir, "tagged.txt");
        (code, _, err) = Run("tag", "run", "--checkpoint", run, "--conll", test, "--out", tagged);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(tagged).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.Equal(3, l.Split('\t').Length));
        Assert.True(lines.Count(l => l.Split('\t')[1] == l.Split('\t')[2]) > 0.95 * lines.Count);

        // Unknown tags at test time: a clear error naming the tag and line, exit code 1.
        string unknown = Path.Combine(_dir, "unknown.txt");
        File.WriteAllText(unknown, "Anna B-PER\nvisited O\nIBM B-ORG\n");
        (code, _, err) = Run("tag", "eval", "--checkpoint", run, "--test", unknown);
        Assert.Equal(1, code);
        Assert.Contains("line 3: tag 'B-ORG' is not in the model's tag set", err);
    }

    [Fact]
    public void BadCommandLinesAreUsageErrors()
    {
        var (code, _, err) = Run("tag", "train", "--task", "conll", "--model", "crf");
        Assert.Equal(2, code);
        Assert.Contains("--train FILE", err);
        (code, _, err) = Run("tag", "train", "--task", "brown", "--train", "x.txt");
        Assert.Equal(2, code);
        Assert.Contains("--task conll", err);
        (code, _, err) = Run("tag", "train", "--model", "hmm");
        Assert.Equal(2, code);
        Assert.Contains("crf, bilstm-crf, bilstm-crf-attn", err);
        string bad = Path.Combine(_dir, "bad.txt");
        File.WriteAllText(bad, "Anna NNP B-PER\nwent O\n");
        (code, _, err) = Run("tag", "train", "--task", "conll", "--train", bad, "--out", Path.Combine(_dir, "r2"), "--no-progress");
        Assert.Equal(1, code);
        Assert.Contains("misaligned columns", err);
    }

    [Fact]
    public void TokenizerKeepsBrownStyleWords()
    {
        Assert.Equal(["The", "quick", "brown", "fox", "doesn't", "jump", ",", "U.S.", "well-known", "``", "x", "''", "."],
            TagCommands.Tokenize("The quick brown fox doesn't jump, U.S. well-known ``x''."));
    }
}
