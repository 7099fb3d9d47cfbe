using System.CommandLine;

namespace AttentionSharp.Bench;

/// <summary>Typed benchmark options with a default and a range checked by the parser (a bad value is a usage error, exit code 2).</summary>
static class BenchOptions
{
    /// <summary>An option <c>--name</c> with a default.</summary>
    public static Option<T> Of<T>(string name, T defaultValue, string description)
    {
        var o = new Option<T>("--" + name) { Description = description, DefaultValueFactory = _ => defaultValue };
        return o;
    }

    /// <summary>A number option that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T> Range<T>(string name, T defaultValue, T min, T max, string description) where T : IComparable<T>
    {
        var o = Of(name, defaultValue, description);
        o.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<T>();
            if (v.CompareTo(min) < 0 || v.CompareTo(max) > 0) r.AddError($"--{name} must be in {min}..{max}; got {v}");
        });
        return o;
    }

    /// <summary>Seconds of timing per measurement.</summary>
    public static Option<double> Seconds(double defaultValue) => Range("seconds", defaultValue, 0.01, 3600.0, "seconds of timing per measurement");

    /// <summary>Examples per batch.</summary>
    public static Option<int> Batch(int defaultValue) => Range("batch", defaultValue, 1, 65536, "examples per batch");

    /// <summary>A command whose action runs <paramref name="run"/> with the parse result.</summary>
    public static Command Verb(string name, string description, Func<ParseResult, int> run, params Symbol[] symbols)
    {
        var c = new Command(name, description);
        foreach (var s in symbols)
            switch (s)
            {
                case Option o: c.Options.Add(o); break;
                case Argument a: c.Arguments.Add(a); break;
            }
        c.SetAction(run);
        return c;
    }
}
