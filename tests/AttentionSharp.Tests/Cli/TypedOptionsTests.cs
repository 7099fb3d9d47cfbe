using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using AttentionSharp.Cli;
using AttentionSharp.Models.Forecasting;
using AttentionSharp.Models.RecurrentAttention;

namespace AttentionSharp.Tests.Cli;

/// <summary>
/// Options are typed in their <see cref="OptionSpec"/> (<c>.Ints(1, 4096)</c>, <c>.Numbers(0, 0.99)</c>, <c>.OneOf(...)</c>,
/// <c>.Variants&lt;T&gt;()</c>): the command tree refuses a bad value at parse time, choice options complete their choices, and
/// the verbs read the value without repeating the range.
/// </summary>
public class TypedOptionsTests
{
    static string CommandsDir([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "AttentionSharp.Cli"));

    [Fact]
    public void EveryTypedOptionOfEveryVerbHasAValidDefault()
    {
        int typed = 0;
        foreach (var verb in App.Verbs)
        {
            string? DefaultOf(string name) => verb.Options.First(o => o.Name == name).Default;
            foreach (var spec in verb.Options.Where(o => o.Kind != OptionKind.Text))
            {
                typed++;
                Assert.False(spec.IsFlag, $"'attn {verb.Name}' --{spec.Name}: a flag with a value kind");
                if (spec.IntMaxOption != null)
                    Assert.True(verb.Options.Any(o => o.Name == spec.IntMaxOption && o.Kind == OptionKind.Int),
                        $"'attn {verb.Name}' --{spec.Name}: its upper bound --{spec.IntMaxOption} is not an integer option of the verb");
                if (spec.Default == null) continue;
                string? error = spec.Check(spec.Default, DefaultOf);
                Assert.True(error == null, $"'attn {verb.Name}' --{spec.Name} default '{spec.Default}': {error}");
            }
            // The same defaults given on the command line pass the tree's parse-time validation.
            var words = verb.Options.Where(o => o.Kind != OptionKind.Text && o.Default != null).SelectMany(o => new[] { "--" + o.Name, o.Default! });
            var parsed = App.Tree.Bind(App.Tree.Parse([.. verb.Path, .. words]));
            Assert.Same(verb, parsed.Verb);
        }
        Assert.True(typed > 150, $"only {typed} typed options");
    }

    static int _runs;

    static readonly Verb Guarded = new(["fam", "guarded"], "a verb that must never run in these tests",
    [
        new OptionSpec("epochs", "N", "10", "epochs").Ints(1, 100000),
        new OptionSpec("dropout", "X", "0.1", "dropout").Numbers(0, 0.99),
        new OptionSpec("positions", "KIND", "sinusoidal", "position embeddings").OneOf("sinusoidal", "learned"),
        new OptionSpec("core", "NAME", null, "core network").Variants<RamCore>(),
        new OptionSpec("seed", "N", "1", "seed").Longs(),
        new OptionSpec("folds", "K", "10", "folds").Ints(1, 100),
        new OptionSpec("fold", "N", "0", "one fold").Ints(0, maxOption: "folds"),
    ], null, _ => { Interlocked.Increment(ref _runs); throw new InvalidOperationException("the verb ran"); });

    [Theory]
    [InlineData(new[] { "--epochs", "0" }, "--epochs must be in 1..100000; got 0")]
    [InlineData(new[] { "--epochs", "ten" }, "--epochs expects an integer; got 'ten'")]
    [InlineData(new[] { "--dropout", "x" }, "--dropout expects a number; got 'x'")]
    [InlineData(new[] { "--dropout=NaN" }, "--dropout expects a number; got 'NaN'")]
    [InlineData(new[] { "--positions", "y" }, "--positions must be one of sinusoidal, learned; got 'y'")]
    [InlineData(new[] { "--core", "gru" }, "--core must be one of rnn, lstm; got 'gru'")]
    [InlineData(new[] { "--seed", "1.5" }, "--seed expects an integer; got '1.5'")]
    [InlineData(new[] { "--fold", "11" }, "--fold must be in 0..10; got 11")]
    [InlineData(new[] { "--folds", "5", "--fold", "6" }, "--fold must be in 0..5; got 6")]
    public void ABadValueIsRefusedAtParseTimeBeforeTheVerbRuns(string[] words, string message)
    {
        var tree = new CommandTree([Guarded]);
        var e = Assert.Throws<UsageException>(() => tree.Bind(tree.Parse([.. Guarded.Path, .. words])));
        Assert.Equal(message, e.Message);
        Assert.Equal(0, Volatile.Read(ref _runs));
    }

    [Fact]
    public void ARealVerbRefusesABadValueWithItsOwnWordsAndExitCode2()
    {
        string never = Path.Combine(Path.GetTempPath(), "attn-never-" + Guid.NewGuid());
        var r = CliTests.Run("translate", "train", "--positions", "y", "--out", never);
        Assert.Equal(2, r.Code);
        Assert.Equal("error: --positions must be one of sinusoidal, learned; got 'y'", r.Err.Trim());
        Assert.False(Directory.Exists(never));
        var e = Assert.Throws<UsageException>(() => App.Tree.Bind(App.Tree.Parse(["baseline", "train", "--epochs", "0"])));
        Assert.Equal("--epochs must be in 1..2147483647; got 0", e.Message);
        e = Assert.Throws<UsageException>(() => App.Tree.Bind(App.Tree.Parse(["classify", "train", "--folds", "5", "--fold", "-1"])));
        Assert.Equal("--fold must be in 0..5; got -1", e.Message);
    }

    [Fact]
    public void GoodValuesAreReadWithoutRangesAndAWrongReadIsAProgrammingError()
    {
        var a = ParsedArgs.Parse(Guarded, ["--epochs", "7", "--dropout", "0.5", "--positions", "learned", "--core", "lstm", "--seed", "12345678901", "--fold", "3"]);
        Assert.Equal(7, a.Int("epochs"));
        Assert.Equal(0.5, a.Double("dropout"));
        Assert.Equal("learned", a.Choice("positions"));
        Assert.Equal(RamCore.Lstm, a.Variant<RamCore>("core"));
        Assert.Equal(12345678901L, a.Long("seed"));
        Assert.Equal(3, a.Int("fold"));
        Assert.Throws<InvalidOperationException>(() => a.Double("epochs"));
        Assert.Throws<InvalidOperationException>(() => a.Int("positions"));
        Assert.Throws<InvalidOperationException>(() => a.Variant<RamCore>("positions"));
        Assert.Throws<InvalidOperationException>(() => a.Variant<RamReward>("core"));
        Assert.Throws<InvalidOperationException>(() => a.Int("no-such-option"));
        Assert.Throws<InvalidOperationException>(() => new OptionSpec("resume", null, null, "a flag").Ints());
    }

    [Fact]
    public void ChoiceOptionsCompleteTheirChoicesAndHelpShowsThem()
    {
        string line = "forecast train --model ";
        var (code, output, _) = CliTests.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, code);
        var suggested = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.Equal(AttentionSharp.Training.Variant.Names<ForecastModel>().Order(), suggested.Order());

        // Help names the choices and a two-sided range once, unless its own words already do.
        var help = new Verb(["fam", "help"], "help", [new OptionSpec("kind", "K", "a", "what to do").OneOf("a", "b"),
            new OptionSpec("mode", "M", "x", "x or y").OneOf("x", "y"), new OptionSpec("p", "X", "0.5", "a share").Numbers(0, 1)], null, _ => 0).Help();
        Assert.Contains("what to do (one of: a, b; default: a)", help);
        Assert.Contains("x or y (default: x)", help);
        Assert.Contains("a share (in [0, 1]; default: 0.5)", help);
    }

    [Fact]
    public void EveryTypedReadInTheCommandsIsDeclaredWithThatType()
    {
        // a.Int("name"), a.Long(...), a.Double(...), a.Choice(...), a.Variant<T>(...) in each verb file, checked against the
        // specs of the verbs that file defines (SharedOptions and App read options of every verb).
        var read = new Regex(@"\b(?:a|parsed)\.(Int|Long|Double|Choice|Variant<(\w+)>)\(""([a-z0-9-]+)""\)");
        var files = Directory.GetFiles(Path.Combine(CommandsDir(), "Commands"), "*.cs").Append(Path.Combine(CommandsDir(), "App.cs")).ToList();
        Assert.True(files.Count > 10, CommandsDir());
        int reads = 0;
        foreach (var file in files)
        {
            string owner = Path.GetFileNameWithoutExtension(file);
            var verbs = owner is "SharedOptions" or "App" ? App.Verbs : App.Verbs.Where(v => TopLevel(v.Run.Method.DeclaringType!).Name == owner).ToList();
            foreach (Match m in read.Matches(File.ReadAllText(file)))
            {
                reads++;
                string name = m.Groups[3].Value;
                var kind = m.Groups[1].Value switch
                {
                    "Int" => OptionKind.Int, "Long" => OptionKind.Long, "Double" => OptionKind.Number, _ => OptionKind.Choice,
                };
                var declaring = verbs.Select(v => (v, Spec: v.Options.FirstOrDefault(o => o.Name == name))).Where(t => t.Spec != null).ToList();
                Assert.True(declaring.Count > 0, $"{owner}.cs reads --{name}, which none of its verbs declares");
                foreach (var (verb, spec) in declaring)
                {
                    Assert.True(spec!.Kind == kind, $"{owner}.cs reads --{name} as {kind}; 'attn {verb.Name}' declares it {spec.Kind}");
                    if (m.Groups[2].Success)
                        Assert.True(spec.VariantType?.Name == m.Groups[2].Value, $"{owner}.cs reads --{name} as Variant<{m.Groups[2].Value}>; 'attn {verb.Name}' declares {spec.VariantType?.Name ?? "no variant"}");
                }
            }
        }
        Assert.True(reads > 150, $"only {reads} typed reads found");
    }

    static Type TopLevel(Type t)
    {
        while (t.DeclaringType != null) t = t.DeclaringType;
        return t;
    }
}
