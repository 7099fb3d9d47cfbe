using AttentionSharp.Cli;

namespace AttentionSharp.Tests.Cli;

/// <summary>The command line as System.CommandLine parses it for attn's verbs (a grammar built from a test verb).</summary>
public class CommandTreeTests
{
    static readonly Verb Test = new(["fam", "go"], "a test verb",
        [new("epochs", "N", "10", "epochs"), new("lr", "X", null, "rate"), new("resume", null, null, "a flag")], "TEXT", _ => 0);

    static ParsedArgs Parse(params string[] words) => ParsedArgs.Parse(Test, words);

    [Fact]
    public void ValuesFlagsDefaultsAndPositionals()
    {
        var a = Parse("--epochs", "3", "--lr=0.5", "hello", "--resume", "world");
        Assert.Equal(3, a.Int("epochs"));
        Assert.Equal(0.5, a.Double("lr"));
        Assert.True(a.Flag("resume"));
        Assert.Equal(["hello", "world"], a.Positional);
        var b = Parse("--lr:0.25", "--resume=false");
        Assert.Equal(10, b.Int("epochs"));      // the default
        Assert.False(b.Has("epochs"));
        Assert.Equal(0.25, b.Double("lr"));
        Assert.False(b.Flag("resume"));
        Assert.Equal(-1.5, Parse("--lr", "-1.5").Double("lr"));                       // a negative number is a value
        Assert.Equal(["--epochs", "x"], Parse("--", "--epochs", "x").Positional);      // after --, everything is positional
    }

    [Theory]
    [InlineData(new[] { "--epoch", "3" }, "unknown option '--epoch' for 'attn fam go'; did you mean '--epochs'?")]
    [InlineData(new[] { "--lr" }, "option '--lr' needs a value (X)")]
    [InlineData(new[] { "--lr", "1", "--lr", "2" }, "option '--lr' is given twice")]
    [InlineData(new[] { "--frobnicate" }, "unknown option '--frobnicate' for 'attn fam go' (see 'attn fam go --help')")]
    public void WrongCommandLinesAreUsageErrorsThatSayWhatWasExpected(string[] words, string message)
    {
        var e = Assert.Throws<UsageException>(() => Parse(words));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void ResponseFilesExpandIntoArguments()
    {
        string rsp = Path.Combine(Directory.CreateTempSubdirectory("attn-rsp-").FullName, "args.rsp");
        File.WriteAllLines(rsp, ["--epochs 7", "--resume"]);
        var a = Parse("@" + rsp, "--lr", "0.1");
        Assert.Equal(7, a.Int("epochs"));
        Assert.True(a.Flag("resume"));
        Assert.Equal(0.1, a.Double("lr"));
    }

    [Fact]
    public void EveryRealVerbIsInTheTreeAndCompletionsListItsOptions()
    {
        foreach (var verb in App.Verbs)
            Assert.Same(verb, App.Tree.VerbOf(App.Tree.Parse(verb.Path)));
        var (code, output, _) = CliTests.Run("[suggest:18]", "ram train --glimp");
        Assert.Equal(0, code);
        Assert.Contains("--glimpses", output.Split('\n').Select(l => l.Trim()));
        var (familyCode, _, err) = CliTests.Run("ram", "fly");
        Assert.Equal(2, familyCode);
        Assert.Contains("'attn ram' needs one of: train, eval, probe, show; 'fly' is not one", err);
    }
}
