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

    /// <summary>Parses <paramref name="args"/> (the words after the verb).</summary>
    public static ParsedArgs Parse(Verb verb, IReadOnlyList<string> args)
    {
        var specs = verb.Options.ToDictionary(o => o.Name);
        var values = new Dictionary<string, string?>();
        var positional = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--") { positional.AddRange(args.Skip(i + 1)); break; }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                if (a.StartsWith('-') && a.Length > 1 && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw new UsageException($"unknown option '{a}' for 'attn {verb.Name}'; options are written --name (see 'attn {verb.Name} --help')");
                positional.Add(a);
                continue;
            }
            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (!specs.TryGetValue(name, out var spec))
            {
                var near = Closest(name, specs.Keys);
                throw new UsageException($"unknown option '--{name}' for 'attn {verb.Name}'" + (near != null ? $"; did you mean '--{near}'?" : "") +
                                         $" (see 'attn {verb.Name} --help')");
            }
            if (values.ContainsKey(name)) throw new UsageException($"option '--{name}' is given twice");
            if (spec.IsFlag)
            {
                if (inline != null) throw new UsageException($"option '--{name}' is a flag and takes no value; got '{inline}'");
                values[name] = "true";
            }
            else
            {
                string? v = inline;
                if (v == null)
                {
                    if (i + 1 >= args.Count) throw new UsageException($"option '--{name}' needs a value ({spec.Placeholder})");
                    v = args[++i];
                }
                values[name] = v;
            }
        }
        if (verb.Positional == null && positional.Count > 0)
            throw new UsageException($"'attn {verb.Name}' takes no positional arguments; got '{positional[0]}' (see 'attn {verb.Name} --help')");
        return new ParsedArgs(verb, values, positional);
    }

    static string? Closest(string name, IEnumerable<string> known)
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
}
