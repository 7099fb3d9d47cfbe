using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;

namespace AttentionSharp.Cli;

/// <summary>A wrong command line: unknown verb or option, bad or missing value. Printed without a stack trace, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What an option's value is: declared once in its <see cref="OptionSpec"/>, checked at parse time, read by the matching accessor of <see cref="ParsedArgs"/>.</summary>
public enum OptionKind
{
    /// <summary>Any text (or a flag); the verb checks it, if at all.</summary>
    Text,
    /// <summary>A 32-bit integer within a range (<see cref="ParsedArgs.Int"/>).</summary>
    Int,
    /// <summary>A 64-bit integer (<see cref="ParsedArgs.Long"/>).</summary>
    Long,
    /// <summary>A floating-point number within a range (<see cref="ParsedArgs.Double"/>).</summary>
    Number,
    /// <summary>One of a fixed list of words (<see cref="ParsedArgs.Choice"/>, or <see cref="ParsedArgs.Variant{T}"/> for the names of a library enum).</summary>
    Choice,
}

/// <summary>One option of a verb.</summary>
/// <param name="Name">Long name without dashes, e.g. <c>epochs</c>.</param>
/// <param name="Placeholder">Value placeholder (e.g. <c>N</c>), or null for a flag.</param>
/// <param name="Default">Default value shown in help and used when absent (null = none).</param>
/// <param name="Help">One-line description.</param>
/// <remarks>
/// The kind of value and its constraint are declared here, once, with <see cref="Ints(int, int)"/>, <see cref="Longs"/>,
/// <see cref="Numbers"/>, <see cref="OneOf"/> or <see cref="Variants{T}"/>, e.g.
/// <c>new OptionSpec("hidden", "N", "64", "LSTM units").Ints(1, 4096)</c>: the command tree refuses a bad value at parse
/// time with the message of <see cref="Check"/>, completes choices, and the verb reads the value with <c>a.Int("hidden")</c>.
/// </remarks>
public sealed record OptionSpec(string Name, string? Placeholder, string? Default, string Help)
{
    /// <summary>Whether the option takes no value.</summary>
    public bool IsFlag => Placeholder == null;

    /// <summary>The kind of value (<see cref="OptionKind.Text"/> unless declared).</summary>
    public OptionKind Kind { get; init; } = OptionKind.Text;
    /// <summary><see cref="OptionKind.Int"/>: smallest value.</summary>
    public int IntMin { get; init; } = int.MinValue;
    /// <summary><see cref="OptionKind.Int"/>: largest value (unless <see cref="IntMaxOption"/>).</summary>
    public int IntMax { get; init; } = int.MaxValue;
    /// <summary><see cref="OptionKind.Int"/>: the option of the same verb whose value is the largest value (e.g. <c>--fold</c> at most <c>--folds</c>).</summary>
    public string? IntMaxOption { get; init; }
    /// <summary><see cref="OptionKind.Number"/>: smallest value.</summary>
    public double NumberMin { get; init; } = double.MinValue;
    /// <summary><see cref="OptionKind.Number"/>: largest value.</summary>
    public double NumberMax { get; init; } = double.MaxValue;
    /// <summary><see cref="OptionKind.Choice"/>: the accepted words, in the order errors and completions list them.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];
    /// <summary>The library enum of <see cref="Variants{T}"/>, whose names are the <see cref="Choices"/>; null otherwise.</summary>
    public Type? VariantType { get; init; }

    OptionSpec Typed(OptionKind kind) => IsFlag
        ? throw new InvalidOperationException($"--{Name} is a flag; it takes no {kind} value")
        : this with { Kind = kind };

    /// <summary>An integer in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public OptionSpec Ints(int min = int.MinValue, int max = int.MaxValue) => Typed(OptionKind.Int) with { IntMin = min, IntMax = max };

    /// <summary>An integer from <paramref name="min"/> up to the value of the verb's option <paramref name="maxOption"/>.</summary>
    public OptionSpec Ints(int min, string maxOption) => Typed(OptionKind.Int) with { IntMin = min, IntMaxOption = maxOption };

    /// <summary>A 64-bit integer.</summary>
    public OptionSpec Longs() => Typed(OptionKind.Long);

    /// <summary>A number (not NaN) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public OptionSpec Numbers(double min = double.MinValue, double max = double.MaxValue) => Typed(OptionKind.Number) with { NumberMin = min, NumberMax = max };

    /// <summary>One of <paramref name="choices"/>.</summary>
    public OptionSpec OneOf(params string[] choices) => choices.Length == 0
        ? throw new ArgumentException($"--{Name}: no choices", nameof(choices))
        : Typed(OptionKind.Choice) with { Choices = [.. choices], VariantType = null };

    /// <summary>The name of a member of the library enum <typeparamref name="T"/> (<see cref="AttentionSharp.Training.Variant.Names{T}"/>).</summary>
    public OptionSpec Variants<T>() where T : struct, Enum =>
        OneOf(AttentionSharp.Training.Variant.Names<T>()) with { VariantType = typeof(T) };

    /// <summary>
    /// Checks a value of this option; returns the usage error (the words the verbs always used), or null when it is good.
    /// <paramref name="valueOf"/> gives another option's value (or default) of the same verb, for <see cref="IntMaxOption"/>.
    /// </summary>
    public string? Check(string value, Func<string, string?>? valueOf = null)
    {
        switch (Kind)
        {
            case OptionKind.Int:
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)) return $"--{Name} expects an integer; got '{value}'";
                int max = IntMaxOption != null && int.TryParse(valueOf?.Invoke(IntMaxOption), NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) ? m : IntMax;
                return i < IntMin || i > max ? $"--{Name} must be in {IntMin}..{max}; got {i}" : null;
            case OptionKind.Long:
                return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"--{Name} expects an integer; got '{value}'";
            case OptionKind.Number:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || double.IsNaN(d)) return $"--{Name} expects a number; got '{value}'";
                return d < NumberMin || d > NumberMax ? $"--{Name} must be in [{NumberMin}, {NumberMax}]; got {d}" : null;
            case OptionKind.Choice:
                return Choices.Contains(value) ? null : $"--{Name} must be one of {string.Join(", ", Choices)}; got '{value}'";
            default:
                return null;
        }
    }

    /// <summary>The help line's text: <see cref="Help"/>, the choices when the help (or placeholder) does not name them all, a range bounded on both sides, the default.</summary>
    public string HelpText()
    {
        var notes = new List<string>();
        if (Kind == OptionKind.Choice && !Choices.All(c => System.Text.RegularExpressions.Regex.IsMatch($"{Placeholder} {Help}", $@"(?<![\w-]){System.Text.RegularExpressions.Regex.Escape(c)}(?![\w-])")))
            notes.Add("one of: " + string.Join(", ", Choices));
        if (Kind == OptionKind.Int && IntMin != int.MinValue && (IntMaxOption != null || IntMax != int.MaxValue))
            notes.Add($"in {IntMin}..{(IntMaxOption != null ? "--" + IntMaxOption : IntMax.ToString(CultureInfo.InvariantCulture))}");
        if (Kind == OptionKind.Number && NumberMin != double.MinValue && NumberMax != double.MaxValue)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"in [{NumberMin}, {NumberMax}]"));
        if (Default != null) notes.Add($"default: {Default}");
        return notes.Count == 0 ? Help : $"{Help} ({string.Join("; ", notes)})";
    }
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
            sb.AppendLine($"  {left.PadRight(width)} {o.HelpText()}");
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
        return Spec(name).Default;
    }

    /// <summary>The option's value, which must be present.</summary>
    public string Required(string name) => String(name) ?? throw new UsageException($"'attn {Verb.Name}' needs --{name}");

    /// <summary>A flag's state.</summary>
    public bool Flag(string name) => String(name) == "true";

    /// <summary>The option's declaration; an option the verb does not declare is a programming error.</summary>
    public OptionSpec Spec(string name) =>
        Verb.Options.FirstOrDefault(o => o.Name == name) ?? throw new InvalidOperationException($"verb '{Verb.Name}' has no option '{name}'");

    /// <summary>
    /// The option's value, checked against its declaration. Reading an option as a kind other than the one it declares is a
    /// programming error (<see cref="InvalidOperationException"/>); an undeclared (<see cref="OptionKind.Text"/>) value option
    /// may be read as a number without a range.
    /// </summary>
    string Typed(string name, OptionKind kind)
    {
        var spec = Spec(name);
        if (spec.Kind != kind && !(spec.Kind == OptionKind.Text && kind != OptionKind.Choice && !spec.IsFlag))
            throw new InvalidOperationException($"'attn {Verb.Name}' declares --{name} as {spec.Kind}{(spec.IsFlag ? " (a flag)" : "")}; it is read as {kind}");
        var s = Required(name);
        var error = (spec.Kind == kind ? spec : spec with { Kind = kind }).Check(s, String);
        return error == null ? s : throw new UsageException(error);
    }

    /// <summary>An integer option, within the range its spec declares (<see cref="OptionSpec.Ints(int, int)"/>).</summary>
    public int Int(string name) => int.Parse(Typed(name, OptionKind.Int), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A 64-bit integer option (<see cref="OptionSpec.Longs"/>).</summary>
    public long Long(string name) => long.Parse(Typed(name, OptionKind.Long), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A floating-point option, within the range its spec declares (<see cref="OptionSpec.Numbers"/>).</summary>
    public double Double(string name) => double.Parse(Typed(name, OptionKind.Number), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>An option restricted to the choices its spec declares (<see cref="OptionSpec.OneOf"/>, <see cref="OptionSpec.Variants{T}"/>).</summary>
    public string Choice(string name) => Typed(name, OptionKind.Choice);

    /// <summary>A model variant (an enum of the library) by its name; the spec must declare <see cref="OptionSpec.Variants{T}"/> of the same enum.</summary>
    public T Variant<T>(string name) where T : struct, Enum
    {
        if (Spec(name).VariantType != typeof(T))
            throw new InvalidOperationException($"'attn {Verb.Name}' does not declare --{name} as Variants<{typeof(T).Name}>()");
        return AttentionSharp.Training.Variant.Parse<T>(Choice(name), name);
    }
}

/// <summary>
/// The grammar of <c>attn</c> as a System.CommandLine command tree, built once from the verbs' option specs: one
/// subcommand per verb word (<c>ram</c> -> <c>train</c>), one option per <see cref="OptionSpec"/> (a flag is an
/// <c>Option&lt;bool&gt;</c>, a value option an <c>Option&lt;string&gt;</c>; a typed one carries a validator made from its
/// spec, <see cref="OptionSpec.Check"/>, so a bad value is refused before the verb runs, with the words the verbs always
/// used, and a choice option completes its choices). System.CommandLine gives the tokenizer (<c>--name value</c>,
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
    readonly HashSet<Option> _typed = [];

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
                if (spec.Kind != OptionKind.Text)
                {
                    option.Validators.Add(r =>
                    {
                        if (r.Tokens.Count != 1) return;   // a missing or repeated value: Bind says so
                        var error = spec.Check(r.Tokens[0].Value, other => GivenOrDefault(r, verb, options, other));
                        if (error != null) r.AddError(error);
                    });
                    _typed.Add(option);
                }
                if (spec.Choices.Count > 0) option.CompletionSources.Add([.. spec.Choices]);
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
        // The parser's own errors first, then the values refused by their option's spec, in the verbs' own words.
        var error = result.Errors.FirstOrDefault(e => !IsValueError(e)) ?? result.Errors.FirstOrDefault();
        if (error != null)
            throw new UsageException(IsValueError(error) ? error.Message : $"{error.Message.TrimEnd('.')} (see 'attn {verb.Name} --help')");
        return ParsedArgs.Create(verb, values, positional);
    }

    bool IsValueError(ParseError error) => error.SymbolResult is OptionResult r && _typed.Contains(r.Option);

    /// <summary>The value given for the verb's option <paramref name="name"/> in the parse of <paramref name="result"/>, else its default.</summary>
    static string? GivenOrDefault(SymbolResult result, Verb verb, Dictionary<string, Option> options, string name) =>
        options.TryGetValue(name, out var option) && result.GetResult(option) is OptionResult { Implicit: false, Tokens.Count: > 0 } given
            ? given.Tokens[0].Value
            : verb.Options.FirstOrDefault(o => o.Name == name)?.Default;

    static List<string> Path(Command command)
    {
        var path = new List<string>();
        for (Symbol? s = command; s is Command c && s is not RootCommand; s = s.Parents.FirstOrDefault()) path.Insert(0, c.Name);
        return path;
    }
}
