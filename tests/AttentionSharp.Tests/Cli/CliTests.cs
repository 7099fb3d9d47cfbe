using AttentionSharp.Cli;
using AttentionSharp.Data;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Cli;

public class CliTests
{
    /// <summary>Runs the CLI; what the verbs print comes back in Out and Err (App.Run points the console at its writers).</summary>
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = App.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void VerbOutputGoesToTheGivenWritersAndTheConsoleIsRestored()
    {
        var (consoleOut, consoleErr) = (Console.Out, Console.Error);
        var (code, output, err) = Run("info");
        Assert.True(code == 0, err);
        Assert.Matches(@"(?m)^torchsharp:", output.ToLowerInvariant());   // printed by the verb with Console.WriteLine
        Assert.Same(consoleOut, Console.Out);
        Assert.Same(consoleErr, Console.Error);

        var (badCode, badOut, badErr) = Run("translate", "eval", "--checkpoint", "/nonexistent-attn-run");
        Assert.Equal(1, badCode);
        Assert.Equal("", badOut);
        Assert.Contains("error:", badErr);
        Assert.Same(consoleOut, Console.Out);
    }

    [Fact]
    public void UnknownVerbIsAUsageErrorWithoutStackTrace()
    {
        var (code, _, err) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void EveryVerbHasUniqueOptionsAndRendersHelp()
    {
        foreach (var verb in App.Verbs)
        {
            var dupes = verb.Options.GroupBy(o => o.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(dupes.Count == 0, $"'attn {verb.Name}' declares {string.Join(", ", dupes)} twice");
            Assert.Contains($"usage: attn {verb.Name}", verb.Help());
        }
        Assert.Equal(App.Verbs.Count, App.Verbs.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void UnknownOptionSuggestsTheClosest()
    {
        var (code, _, err) = Run("baseline", "train", "--epoch", "3");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--epoch'", err);
        Assert.Contains("did you mean '--epochs'", err);
    }

    [Fact]
    public void BadValuesNameTheOption()
    {
        Assert.Contains("--epochs expects an integer; got 'ten'", Run("baseline", "train", "--epochs", "ten").Err);
        Assert.Contains("--model must be one of fc, conv; got 'rnn'", Run("baseline", "train", "--model", "rnn").Err);
        Assert.Contains("option '--lr' needs a value", Run("baseline", "train", "--lr").Err);
        Assert.Contains("--resume needs --out", Run("baseline", "train", "--resume").Err);
        Assert.Contains("unknown device 'tpu'", Run("baseline", "train", "--device", "tpu").Err);
    }

    [Fact]
    public void FamilyWithoutSubverbListsSubverbs()
    {
        var (code, _, err) = Run("baseline");
        Assert.Equal(2, code);
        Assert.Contains("needs one of: train, eval", err);
    }

    [Fact]
    public void HelpListsEveryOptionWithDefaults()
    {
        var (code, output, _) = Run("baseline", "train", "--help");
        Assert.Equal(0, code);
        foreach (var opt in new[] { "--epochs N", "--batch-size N", "--lr X", "--seed N", "--device NAME", "--data-dir DIR", "--out DIR", "--resume", "--no-progress", "--verbose" })
            Assert.Contains(opt, output);
        Assert.Contains("(default: 20)", output);
        var general = Run("--help");
        Assert.Equal(0, general.Code);
        Assert.Contains("baseline train", general.Out);
        Assert.Contains("data get", general.Out);
    }

    [Fact]
    public void EvalOfCorruptCheckpointIsAClearError()
    {
        string dir = Directory.CreateTempSubdirectory("attn-cli-").FullName;
        string path = Path.Combine(dir, "best.ckpt");
        File.WriteAllText(path, "ATTNCKPT but then garbage");
        var (code, _, err) = Run("baseline", "eval", "--checkpoint", path);
        Assert.Equal(1, code);
        Assert.Contains("truncated", err);
        Assert.DoesNotContain("   at ", err);
        var (code2, _, err2) = Run("baseline", "eval", "--checkpoint", dir + "/missing.ckpt", "--verbose");
        Assert.Equal(1, code2);
        Assert.Contains("does not exist", err2);
        Assert.Contains("   at ", err2); // --verbose shows the stack trace
    }

    [Fact]
    public void DataGetOfUnknownDatasetListsKnownOnes()
    {
        var (code, _, err) = Run("data", "get", "imagenet", "--data-dir", Path.GetTempPath());
        Assert.Equal(1, code);
        Assert.Contains("unknown dataset 'imagenet'; known: mnist, fashion-mnist", err);
    }

    [Fact]
    public void ResultLineFormatsPercentsAndNumbers()
    {
        var r = new RunResult().Add("task", "mnist").Add("test_error", new Percent(1.6234)).Add("epochs", 10).Add("loss", 0.123456);
        Assert.Equal("RESULT task=mnist test_error=1.62% epochs=10 loss=0.1235", r.ToLine());
        Assert.Contains("\"test_error\": 1.6234", r.ToJson());
        Assert.Throws<ArgumentException>(() => r.Add("bad key", 1));
    }

    /// <summary>A synthetic MNIST-format cache with the real file sizes (so the catalog accepts it): no network.</summary>
    internal static string FixtureMnist()
    {
        string root = Directory.CreateTempSubdirectory("attn-cli-data-").FullName;
        string folder = Path.Combine(root, "mnist");
        Directory.CreateDirectory(folder);
        var rng = new Random(5);
        void WriteSplit(string prefix, int n)
        {
            var labels = new byte[n];
            var pixels = new byte[n * 28 * 28];
            for (int i = 0; i < n; i++)
            {
                labels[i] = (byte)rng.Next(2);
                for (int p = 0; p < 28 * 28; p++) pixels[i * 784 + p] = (byte)((p % 28 < 14) == (labels[i] == 1) ? 200 : rng.Next(60));
            }
            File.WriteAllBytes(Path.Combine(folder, prefix + "-images-idx3-ubyte"), IdxReader.Encode([n, 28, 28], pixels));
            File.WriteAllBytes(Path.Combine(folder, prefix + "-labels-idx1-ubyte"), IdxReader.Encode([n], labels));
        }
        WriteSplit("train", 60000);
        WriteSplit("t10k", 10000);
        Assert.True(DatasetCatalog.Mnist.IsCached(root));
        return root;
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void BaselineTrainResumeAndEvalEndToEnd()
    {
        string data = FixtureMnist();
        string run = Path.Combine(Directory.CreateTempSubdirectory("attn-cli-run-").FullName, "run");
        string[] common = ["--task", "mnist", "--model", "fc", "--batch-size", "100", "--max-batches", "10", "--data-dir", data, "--out", run, "--no-progress"];

        var first = Run(["baseline", "train", "--epochs", "1", "--hidden", "32", .. common]);
        Assert.True(first.Code == 0, first.Err);
        Assert.Matches(@"(?m)^epoch 1/1 lr=", first.Out);
        Assert.Matches(@"(?m)^RESULT task=mnist model=fc fresh_canvases=false test_error=\d+\.\d\d% best_epoch=1 epochs=1 ", first.Out);

        var again = Run(["baseline", "train", "--epochs", "1", "--hidden", "32", .. common]);
        Assert.Equal(1, again.Code);
        Assert.Contains("already holds a checkpoint", again.Err);

        var resumed = Run(["baseline", "train", "--epochs", "2", "--hidden", "32", "--resume", .. common]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resumed from", resumed.Out);
        Assert.Matches(@"(?m)^epoch 2/2 ", resumed.Out);
        Assert.DoesNotMatch(@"(?m)^epoch 1/2 ", resumed.Out);
        Assert.Contains("epochs=2", resumed.Out);
        Assert.True(File.Exists(Path.Combine(run, "result.json")));

        var mismatch = Run(["baseline", "train", "--epochs", "3", "--resume", "--hidden", "64", .. common]);
        Assert.Equal(1, mismatch.Code);
        Assert.Contains("trained with other options", mismatch.Err);

        var eval = Run("baseline", "eval", "--checkpoint", run, "--data-dir", data);
        Assert.True(eval.Code == 0, eval.Err);
        Assert.Matches(@"(?m)^RESULT task=mnist model=fc test_error=\d+\.\d\d% test_loss=\S+ examples=10000 ", eval.Out);
        // A two-class synthetic task with an obvious rule: the fc net must have learned it.
        var error = double.Parse(System.Text.RegularExpressions.Regex.Match(eval.Out, @"test_error=(\d+\.\d+)%").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(error < 5, $"test error {error}% on the synthetic halves task");
    }
}

public class NativeErrorRetryTests
{
    static Verb Failing(string[] path, int failures, List<int> calls) => new(path, "test verb", [], null, _ =>
    {
        calls.Add(calls.Count + 1);
        if (calls.Count <= failures) throw new System.Runtime.InteropServices.ExternalException("Expected false to be true, but got false.\nException raised from toDouble");
        return 0;
    });

    [Fact]
    public void AVerbThatDoesNotTrainIsRunOnceMoreAfterANativeError()
    {
        var calls = new List<int>();
        var err = new StringWriter();
        var verb = Failing(["x", "eval"], 1, calls);
        Assert.Equal(0, App.RunVerb(verb, ParsedArgs.Parse(verb, []), err));
        Assert.Equal(2, calls.Count);
        Assert.Contains("warning: native error in 'x eval' (Expected false to be true, but got false.); running it once more", err.ToString());

        // Only once: a second failure reaches the caller.
        calls.Clear();
        var twice = Failing(["x", "show"], 2, calls);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => App.RunVerb(twice, ParsedArgs.Parse(twice, []), new StringWriter()));
        Assert.Equal(2, calls.Count);

        // Training verbs are not repeated here (the trainer restarts the failed epoch itself).
        calls.Clear();
        var train = Failing(["x", "train"], 1, calls);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => App.RunVerb(train, ParsedArgs.Parse(train, []), new StringWriter()));
        Assert.Single(calls);
    }
}
