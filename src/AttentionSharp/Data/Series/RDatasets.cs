using System.Globalization;

namespace AttentionSharp.Data.Series;

/// <summary>An R <c>ts</c> object read as numbers: its values and its <c>tsp</c> (start, end, frequency).</summary>
/// <param name="Values">The values (integers become doubles, NA becomes NaN).</param>
/// <param name="Start">Time of the first value, in the series' own units (years for monthly data, weeks for taylor).</param>
/// <param name="End">Time of the last value.</param>
/// <param name="Frequency">Values per unit of time (12: monthly, 4: quarterly, 1: yearly).</param>
public sealed record RTimeSeries(double[] Values, double Start, double End, double Frequency)
{
    /// <summary>
    /// Reads a univariate <c>ts</c>: a numeric (integer or double) vector of class <c>ts</c> with a <c>tsp</c> attribute whose
    /// span agrees with its length. Throws <see cref="InvalidDataException"/> naming <paramref name="what"/> otherwise.
    /// </summary>
    public static RTimeSeries From(RObject obj, string what)
    {
        double[] values = obj switch
        {
            RDoubles d => d.Values,
            RInts i => i.Values.Select(x => x == RInts.NA ? double.NaN : x).ToArray(),
            _ => throw new InvalidDataException($"{what} is not a numeric vector (found {Describe(obj)}); expected a univariate ts"),
        };
        if (!obj.Classes.Contains("ts"))
            throw new InvalidDataException($"{what} is a numeric vector but not a time series ({Describe(obj)}); expected class ts");
        if (obj.Attribute("dim") != null) throw new InvalidDataException($"{what} is a multivariate ts (it has a dim attribute); expected one series");
        if (obj.Attribute("tsp") is not RDoubles { Values.Length: 3 } tspObj)
            throw new InvalidDataException($"{what} has no tsp attribute c(start, end, frequency)");
        var tsp = tspObj.Values;
        var ts = new RTimeSeries(values, tsp[0], tsp[1], tsp[2]);
        double steps = (ts.End - ts.Start) * ts.Frequency + 1;
        if (!(ts.Frequency > 0) || Math.Abs(steps - values.Length) > 1e-5 * Math.Max(1, values.Length))
            throw new InvalidDataException($"{what}: tsp c({F(ts.Start)}, {F(ts.End)}, {F(ts.Frequency)}) spans {steps:0.###} steps but the vector has {values.Length}");
        return ts;
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A short description of an R object's type and class, for errors.</summary>
    public static string Describe(RObject obj)
    {
        var classes = obj.Classes;
        string kind = obj switch
        {
            RStrings => "character vector",
            RLogicals => "logical vector",
            RList => "list",
            RInts => "integer vector",
            RDoubles => "double vector",
            RNull => "NULL",
            _ => obj.GetType().Name,
        };
        return classes.Count == 0 ? kind : $"{kind} of class {string.Join("/", classes)}";
    }

    /// <summary>
    /// Labels of the steps: yearly <c>1871</c>, quarterly <c>1960-Q1</c>, monthly <c>1949-01</c> (times on the calendar grid of the
    /// frequency); other frequencies the time itself (<c>1.25</c>).
    /// </summary>
    public string[] Labels()
    {
        var labels = new string[Values.Length];
        long first = (long)Math.Round(Start * Frequency);
        bool grid = Frequency is 1 or 4 or 12 && Math.Abs(Start * Frequency - first) < 1e-6;
        for (int t = 0; t < labels.Length; t++)
        {
            long k = first + t;
            labels[t] = !grid ? F(Math.Round(Start + t / Frequency, 6))
                : Frequency switch
                {
                    1 => k.ToString(CultureInfo.InvariantCulture),
                    4 => $"{Math.Floor(k / 4.0):0}-Q{(k % 4 + 4) % 4 + 1}",
                    _ => $"{Math.Floor(k / 12.0):0}-{(k % 12 + 12) % 12 + 1:00}",
                };
        }
        return labels;
    }
}

/// <summary>
/// The classic univariate series of R's own <c>datasets</c> package (Debian r-base-core 4.2.2), e.g. <c>AirPassengers</c>
/// (monthly airline passengers 1949-1960, Box and Jenkins), <c>co2</c> (Mauna Loa monthly CO2 1959-1997), <c>sunspots</c>
/// (monthly 1749-1983), <c>nottem</c>, <c>UKgas</c> (quarterly), <c>Nile</c> and <c>lynx</c> (yearly); <c>attn forecast train
/// --data r:NAME</c>. Read from the package's lazy-load database with <see cref="RLazyLoadDb"/>; no drivers.
/// </summary>
public static class RDatasets
{
    /// <summary>The dataset as the cache knows it (<c>apt-get download r-base-core</c>; the files are datasets' <c>data/Rdata.*</c>).</summary>
    public static DatasetSource Source { get; } = RLazyLoadDb.PackageSource("r-datasets",
        "R's datasets package (Debian r-base-core 4.2.2): AirPassengers, co2, sunspots, Nile, lynx, UKgas and the other classic series",
        "r-base-core", "usr/lib/R/library/datasets/data", (115_010, "2f910ad9b1ca6e0c13f6416831308a22"), (3_569, "1358730a48a1d6f846ddd6902b6d6ef8"), "AirPassengers");

    /// <summary>Obtains (once) the package's data and reads the univariate ts <paramref name="name"/> (case as in R).</summary>
    public static TimeSeries Load(string name, string cacheRoot, TextWriter log) =>
        FromDatabase(Path.Combine(Source.Ensure(cacheRoot, log), "Rdata"), name);

    /// <summary>Reads the univariate ts <paramref name="name"/> from the lazy-load database <paramref name="basePath"/>; target <c>value</c>, no drivers.</summary>
    public static TimeSeries FromDatabase(string basePath, string name)
    {
        var db = RLazyLoadDb.Open(basePath);
        if (!db.Names.Contains(name))
            throw new ArgumentException($"R's datasets has no object '{name}'; univariate series include AirPassengers, co2, sunspots, nottem, UKgas, Nile, lynx");
        var ts = RTimeSeries.From(db.Read(name), $"datasets' {name}");
        var series = new TimeSeries("r:" + name, ts.Labels(), "value", ts.Values, [], []);
        series.Validate();
        return series;
    }
}
