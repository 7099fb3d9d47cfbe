using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;

namespace AttentionSharp.Cli;

/// <summary>A wrong command line: unknown verb or option, bad or missing value. Printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>One option of a verb.</summary>
/// <param name="Name">Long name without dashes, e.g. <c>epochs</c>.</param>
/// <param name="Placeholder">Value placeholder (e.g. <c>N</c>), or null for a flag.</param>
/// <param name="Default">Default value shown in help and used when absent (null = none).</param>
/// <param name="Help">One-line description.</param>
public sealed record OptionSpec(string Name, string? Placeholder, string? Default, string Help)
{
    /// <summary>Whether the option takes no value.</summary>
    public bool IsFlag => Placeholder == null;
}

/// <summary>A verb such as <c>baseline train</c>: its options and what it runs.</summary>
/// <param name="Path">Words that name it, e.g. <c>["baseline", "train"]</c>.</param>
/// <param name="Summary">One line for <c>attn --help</c>.</param>
/// <param name="Options">Its options (the shared ones included).</param>
/// <param name="Positional">Placeholder of positional arguments (e.g. <c>TEXT</c>), or null when none are accepted.</param>
/// <param name="Run">Runs the verb; returns the exit code.</param>
public sealed record Verb(string[] Path, string Summary, IReadOnlyList<OptionSpec> Options, string? Positional, Func<ParsedArgs, int> Run)
{
    /// <summary>The verb's words joined by spaces.</summary>
    public string Name => string.Join(' ', Path);

    /// <summary>The verb's help text: usage and every option with its default.</summary>
    public string Help()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"attn {Name} — {Summary}");
        sb.AppendLine();
        sb.AppendLine($"usage: attn {Name} [options]" + (Positional != null ? $" {Positional}" : ""));
        sb.AppendLine();
        sb.AppendLine("options:");
        int width = Options.Max(o => o.Name.Length + (o.Placeholder?.Length + 1 ?? 0)) + 4;
        foreach (var o in Options.Append(new OptionSpec("help", null, null, "show this help")))
        {
            string left = "--" + o.Name + (o.IsFlag ? "" : " " + o.Placeholder);
            sb.AppendLine($"  {left.PadRight(width)} {o.Help}" + (o.Default != null ? $" (default: {o.Default})" : ""));
        }
        return sb.ToString();
    }
}

/// <summary>The parsed command line of one verb, with typed accessors that name the option in their errors.</summary>
public sealed class ParsedArgs
{
    readonly Dictionary<string, string?> _values;

    ParsedArgs(Verb verb, Dictionary<string, string?> values, List<string> positional)
    {
        Verb = verb; _values = values; Positional = positional;
    }

    /// <summary>The verb.</summary>
    public Verb Verb { get; }
    /// <summary>Positional arguments.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="args"/> (the words after the verb) with the verb's grammar alone.</summary>
    public static ParsedArgs Parse(Verb verb, IReadOnlyList<string> args)
    {
        var tree = new CommandTree([verb]);
        return tree.Bind(tree.Parse([.. verb.Path, .. args]));
    }

    /// <summary>Builds the arguments of <paramref name="verb"/> from option values given on the command line.</summary>
    internal static ParsedArgs Create(Verb verb, Dictionary<string, string?> values, List<string> positional) => new(verb, values, positional);

    /// <summary>The known option nearest to <paramref name="name"/> by edit distance, when close enough to suggest.</summary>
    internal static string? Closest(string name, IEnumerable<string> known)
    {
        static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
        return known.Select(k => (k, Distance(name, k))).Where(t => t.Item2 <= Math.Max(2, name.Length / 3)).OrderBy(t => t.Item2).Select(t => t.k).FirstOrDefault();
    }

    /// <summary>Whether the option was given on the command line.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The option's value, or its default; null when neither.</summary>
    public string? String(string name)
    {
        if (_values.TryGetValue(name, out var v)) return v;
        var spec = Verb.Options.FirstOrDefault(o => o.Name == name) ?? throw new InvalidOperationException($"verb '{Verb.Name}' has no option '{name}'");
        return spec.Default;
    }

    /// <summary>The option's value, which must be present.</summary>
    public string Required(string name) => String(name) ?? throw new UsageException($"'attn {Verb.Name}' needs --{name}");

    /// <summary>A flag's state.</summary>
    public bool Flag(string name) => String(name) == "true";

    /// <summary>An integer option within [min, max].</summary>
    public int Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Required(name);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"--{name} expects an integer; got '{s}'");
        if (v < min || v > max) throw new UsageException($"--{name} must be in {min}..{max}; got {v}");
        return v;
    }

    /// <summary>A 64-bit integer option.</summary>
    public long Long(string name)
    {
        var s = Required(name);
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            ? v : throw new UsageException($"--{name} expects an integer; got '{s}'");
    }

    /// <summary>A floating-point option within [min, max].</summary>
    public double Double(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        var s = Required(name);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
            throw new UsageException($"--{name} expects a number; got '{s}'");
        if (v < min || v > max) throw new UsageException($"--{name} must be in [{min}, {max}]; got {v}");
        return v;
    }

    /// <summary>An option restricted to a set of choices.</summary>
    public string Choice(string name, params string[] choices)
    {
        var s = Required(name);
        return choices.Contains(s) ? s : throw new UsageException($"--{name} must be one of {string.Join(", ", choices)}; got '{s}'");
    }

    /// <summary>A model variant (an enum of the library) by its name (<see cref="AttentionSharp.Training.Variant"/>).</summary>
    public T Variant<T>(string name) where T : struct, Enum =>
        AttentionSharp.Training.Variant.Parse<T>(Choice(name, AttentionSharp.Training.Variant.Names<T>()), name);
}

/// <summary>
/// The grammar of <c>attn</c> as a System.CommandLine command tree, built once from the verbs' option specs: one
/// subcommand per verb word (<c>ram</c> -> <c>train</c>), one option per <see cref="OptionSpec"/> (a flag is an
/// <c>Option&lt;bool&gt;</c>, a value option an <c>Option&lt;string&gt;</c> whose typed reading and range checks stay in
/// <see cref="ParsedArgs"/>, where the verb reads it). System.CommandLine gives the tokenizer (<c>--name value</c>,
/// <c>--name=value</c>, <c>--name:value</c>, <c>--</c>), response files (<c>attn @args.rsp</c>, one or more tokens per
/// line), and shell completions (<c>attn [suggest:N] "partial command line"</c>, what <c>dotnet-suggest</c> calls). Its parse
/// errors are turned into the project's <see cref="UsageException"/> messages (exit code 2), which name the verb and
/// suggest the nearest option.
/// </summary>
public sealed class CommandTree
{
    readonly Dictionary<Command, Verb> _verbs = new();
    readonly Dictionary<Verb, Dictionary<string, Option>> _options = new();
    readonly Dictionary<Verb, Argument<string[]>> _positional = new();

    /// <summary>The root command (<c>attn</c>).</summary>
    public RootCommand Root { get; } = new("attn — AttentionSharp: attention mechanisms and attention models on TorchSharp");

    /// <summary>Builds the tree of <paramref name="verbs"/>.</summary>
    public CommandTree(IEnumerable<Verb> verbs)
    {
        foreach (var verb in verbs)
        {
            Command parent = Root;
            foreach (var word in verb.Path)
            {
                var next = parent.Subcommands.FirstOrDefault(c => c.Name == word);
                if (next == null) { next = new Command(word); parent.Subcommands.Add(next); }
                parent = next;
            }
            if (_verbs.ContainsKey(parent)) throw new InvalidOperationException($"verb 'attn {verb.Name}' is registered twice");
            parent.Description = verb.Summary;
            _verbs[parent] = verb;
            var options = new Dictionary<string, Option>();
            foreach (var spec in verb.Options)
            {
                Option option = spec.IsFlag
                    ? new Option<bool>("--" + spec.Name) { Description = spec.Help, Arity = ArgumentArity.ZeroOrOne }
                    : new Option<string>("--" + spec.Name) { Description = spec.Help, HelpName = spec.Placeholder, Arity = ArgumentArity.ExactlyOne };
                parent.Options.Add(option);
                options[spec.Name] = option;
            }
            _options[verb] = options;
            if (verb.Positional != null)
            {
                var argument = new Argument<string[]>(verb.Positional) { Arity = ArgumentArity.ZeroOrMore };
                parent.Arguments.Add(argument);
                _positional[verb] = argument;
            }
        }
    }

    /// <summary>Tokenizes and parses a whole command line (verb words included).</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args, new ParserConfiguration { EnablePosixBundling = false });

    /// <summary>The verb a parse reached, or null when it stopped at a family word or the root.</summary>
    public Verb? VerbOf(ParseResult result) => _verbs.GetValueOrDefault(result.CommandResult.Command);

    /// <summary>The verb a parse reached, with its arguments; throws a <see cref="UsageException"/> for a wrong command line.</summary>
    public ParsedArgs Bind(ParseResult result)
    {
        var command = result.CommandResult.Command;
        if (!_verbs.TryGetValue(command, out var verb))
        {
            var words = result.Tokens.Where(t => t.Type == TokenType.Argument).Select(t => t.Value).ToList();
            if (command == Root)
                throw new UsageException(words.Count == 0 ? "no command given (see 'attn --help')"
                    : $"unknown command '{words[0]}'; known: {string.Join(", ", _verbs.Values.Select(v => v.Path[0]).Distinct())} (see 'attn --help')");
            var path = Path(command);
            var under = _verbs.Values.Where(v => v.Path.Length > path.Count && v.Path.Take(path.Count).SequenceEqual(path)).Select(v => v.Path[path.Count]).Distinct();
            throw new UsageException($"'attn {string.Join(' ', path)}' needs one of: {string.Join(", ", under)}" + (words.Count > 0 ? $"; '{words[0]}' is not one" : ""));
        }
        var options = _options[verb];
        var values = new Dictionary<string, string?>();
        foreach (var (name, option) in options)
        {
            var r = result.GetResult(option);
            if (r == null || r.Implicit) continue;
            if (r.IdentifierTokenCount > 1) throw new UsageException($"option '--{name}' is given twice");
            if (option is Option<bool> flag)
            {
                if (r.Errors.Any()) throw new UsageException($"option '--{name}' is a flag: give it alone, or as --{name}=true or --{name}=false; got '{string.Join(' ', r.Tokens.Select(t => t.Value))}'");
                values[name] = result.GetValue(flag) ? "true" : "false";
            }
            else
            {
                if (r.Tokens.Count == 0) throw new UsageException($"option '--{name}' needs a value ({verb.Options.First(o => o.Name == name).Placeholder})");
                values[name] = r.Tokens[0].Value;
            }
        }
        var positional = new List<string>();
        if (_positional.TryGetValue(verb, out var argument)) positional.AddRange(result.GetValue(argument) ?? []);
        bool afterDoubleDash = result.Tokens.Any(t => t.Type == TokenType.DoubleDash);
        foreach (var token in result.UnmatchedTokens.Concat(afterDoubleDash ? [] : positional))
            if (token.StartsWith('-') && token.Length > 1 && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                string name = token.TrimStart('-').Split('=', ':')[0];
                var near = ParsedArgs.Closest(name, options.Keys);
                throw new UsageException($"unknown option '--{name}' for 'attn {verb.Name}'" + (near != null ? $"; did you mean '--{near}'?" : "") +
                                         $" (see 'attn {verb.Name} --help')");
            }
        if (result.UnmatchedTokens.Count > 0)
            throw new UsageException($"'attn {verb.Name}' takes no positional arguments; got '{result.UnmatchedTokens[0]}' (see 'attn {verb.Name} --help')");
        var error = result.Errors.FirstOrDefault();
        if (error != null) throw new UsageException($"{error.Message.TrimEnd('.')} (see 'attn {verb.Name} --help')");
        return ParsedArgs.Create(verb, values, positional);
    }

    static List<string> Path(Command command)
    {
        var path = new List<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = s.Parents.FirstOrDefault()) path.Insert(0, c.Name);
        return path;
    }
}
