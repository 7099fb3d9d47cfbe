namespace AttentionSharp.Data.Series;

/// <summary>
/// An R data frame (or tibble) read from R's serialization format: a list of equal-length column vectors with names.
/// Columns are numeric (double), integer, logical, factor (integer codes into <c>levels</c>), Date (days since
/// 1970-01-01), POSIXct (seconds since 1970-01-01 UTC) or character.
/// </summary>
public sealed class RDataFrame
{
    readonly RList _list;
    readonly string[] _names;

    RDataFrame(RList list, string[] names, int rows)
    {
        _list = list;
        _names = names;
        Rows = rows;
    }

    /// <summary>Column names in order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Reads a data frame from an R object; throws when it is not one or its columns differ in length.</summary>
    public static RDataFrame From(RObject obj, string what = "object")
    {
        if (obj is not RList list || !obj.Classes.Contains("data.frame"))
            throw new InvalidDataException($"{what} is not a data frame (class {string.Join("/", obj.Classes)}, {obj.GetType().Name})");
        var names = list.Names?.Select(n => n ?? "").ToArray() ?? throw new InvalidDataException($"{what}: the data frame has no column names");
        int rows = list.Items.Length == 0 ? 0 : Length(list.Items[0]);
        for (int i = 0; i < list.Items.Length; i++)
            if (Length(list.Items[i]) != rows)
                throw new InvalidDataException($"{what}: column '{names[i]}' has {Length(list.Items[i])} values, the first column {rows}");
        return new RDataFrame(list, names, rows);
    }

    static int Length(RObject o) => o switch
    {
        RDoubles d => d.Values.Length,
        RInts i => i.Values.Length,
        RLogicals l => l.Values.Length,
        RStrings s => s.Values.Length,
        RList l => l.Items.Length,
        _ => 0,
    };

    RObject Column(string name)
    {
        int i = Array.IndexOf(_names, name);
        if (i < 0) throw new KeyNotFoundException($"the data frame has no column '{name}'; it has {string.Join(", ", _names)}");
        return _list.Items[i];
    }

    /// <summary>The kind of column <paramref name="name"/>: numeric, integer, logical, factor, Date, POSIXct, character or other.</summary>
    public string KindOf(string name)
    {
        var c = Column(name);
        var cls = c.Classes;
        if (cls.Contains("factor")) return "factor";
        if (cls.Contains("Date")) return "Date";
        if (cls.Contains("POSIXct")) return "POSIXct";
        return c switch { RDoubles => "numeric", RInts => "integer", RLogicals => "logical", RStrings => "character", _ => "other" };
    }

    /// <summary>
    /// Column <paramref name="name"/> as numbers: numeric as is, integer and logical converted (NA -> NaN), factor as its 1-based
    /// codes, Date as days since 1970-01-01. Character columns throw.
    /// </summary>
    public double[] Numbers(string name) => Column(name) switch
    {
        RDoubles d => (double[])d.Values.Clone(),
        RInts i => i.Values.Select(v => v == RInts.NA ? double.NaN : v).ToArray(),
        RLogicals l => l.Values.Select(v => v == RInts.NA ? double.NaN : v).ToArray(),
        var o => throw new InvalidDataException($"column '{name}' is {KindOf(name)} ({o.GetType().Name}), not numeric"),
    };

    /// <summary>Column <paramref name="name"/> (Date, POSIXct) as dates; NA -> null.</summary>
    public DateOnly?[] Dates(string name)
    {
        string kind = KindOf(name);
        var v = Numbers(name);
        var epoch = new DateOnly(1970, 1, 1);
        return kind switch
        {
            "Date" => v.Select(d => double.IsNaN(d) ? (DateOnly?)null : epoch.AddDays((int)Math.Floor(d))).ToArray(),
            "POSIXct" => v.Select(s => double.IsNaN(s) ? (DateOnly?)null : epoch.AddDays((int)Math.Floor(s / 86400))).ToArray(),
            _ => throw new InvalidDataException($"column '{name}' is {kind}, not a Date"),
        };
    }

    /// <summary>Column <paramref name="name"/> as text: factor labels, character values, or numbers written invariantly; NA -> null.</summary>
    public string?[] Labels(string name)
    {
        var c = Column(name);
        if (KindOf(name) == "factor")
        {
            var levels = (c.Attribute("levels") as RStrings)?.Values ?? throw new InvalidDataException($"factor column '{name}' has no levels");
            return ((RInts)c).Values.Select(code => code == RInts.NA ? null
                : code >= 1 && code <= levels.Length ? levels[code - 1]
                : throw new InvalidDataException($"factor column '{name}' has code {code} outside its {levels.Length} levels")).ToArray();
        }
        if (c is RStrings s) return (string?[])s.Values.Clone();
        return Numbers(name).Select(v => double.IsNaN(v) ? null : v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
