using System.Globalization;

namespace AttentionSharp.Data.Series;

/// <summary>
/// The Chicago L-train ridership data frame of the R package modeldata (Kuhn and Johnson, "Feature Engineering and
/// Selection", 2019), from Debian's <c>r-cran-modeldata</c> 1.1.0: 5,698 days (2001-01-22 .. 2016-08-28), the target
/// <c>ridership</c> (entries at Clark/Lake, thousands), ridership at 20 other stations (the package documents these as
/// lagged 14 days), weather (temperature, dew point, humidity, pressure, wind, rain/snow/cloud/storm) and home/away game
/// days of five Chicago teams. Read from the package's lazy-load database with <see cref="RLazyLoadDb"/>.
/// </summary>
public static class ChicagoRidership
{
    /// <summary>Name of the target column.</summary>
    public const string Target = "ridership";

    /// <summary>The dataset as the cache knows it (<c>apt-get download r-cran-modeldata</c>; the files are modeldata's <c>data/Rdata.*</c>).</summary>
    public static DatasetSource Source { get; } = RLazyLoadDb.PackageSource("r-modeldata",
        "R package modeldata's data sets (Debian r-cran-modeldata 1.1.0): Chicago daily L ridership 2001-2016 and 35 others",
        "r-cran-modeldata", "usr/lib/R/site-library/modeldata/data", (4_140_200, "aa8ceab82a4fdb5d0ed2a365b07b3f79"), (1556, "81cf04c4d7aef8189e5b70e15de2b45f"), "Chicago");

    /// <summary>Obtains (once) and reads the Chicago data frame as a series: target <see cref="Target"/>, every other numeric column a driver.</summary>
    public static TimeSeries Load(string cacheRoot, TextWriter log)
    {
        string folder = Source.Ensure(cacheRoot, log);
        return FromDatabase(Path.Combine(folder, "Rdata"));
    }

    /// <summary>Reads the Chicago data frame from the lazy-load database <paramref name="basePath"/> (without extension).</summary>
    public static TimeSeries FromDatabase(string basePath)
    {
        var frame = RDataFrame.From(RLazyLoadDb.Open(basePath).Read("Chicago"), "modeldata's Chicago");
        return FromFrame(frame, "chicago");
    }

    /// <summary>
    /// A series from a data frame with a <c>date</c> column and the target: logical and factor columns become 0/1 codes
    /// (factors with two levels only), numeric and integer columns as they are; other columns are left out.
    /// Throws when a day is missing or repeated, or a value is NA.
    /// </summary>
    public static TimeSeries FromFrame(RDataFrame frame, string name)
    {
        var dates = frame.Dates("date");
        var times = new string[dates.Length];
        for (int t = 0; t < dates.Length; t++)
        {
            var d = dates[t] ?? throw new InvalidDataException($"{name}: date is NA in row {t + 1}");
            if (t > 0 && d.DayNumber != dates[t - 1]!.Value.DayNumber + 1)
                throw new InvalidDataException($"{name}: row {t + 1} is {d:yyyy-MM-dd}, not the day after {dates[t - 1]:yyyy-MM-dd}");
            times[t] = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        var driverNames = new List<string>();
        var drivers = new List<double[]>();
        foreach (var col in frame.Names)
        {
            if (col is "date" or Target) continue;
            string kind = frame.KindOf(col);
            if (kind is "numeric" or "integer" or "logical")
            {
                driverNames.Add(col);
                drivers.Add(frame.Numbers(col));
            }
            else if (kind == "factor")
            {
                var labels = frame.Labels(col);
                var levels = labels.Where(l => l != null).Distinct().Order(StringComparer.Ordinal).ToArray();
                if (levels.Length > 2) continue;
                driverNames.Add(col);
                drivers.Add(labels.Select(l => l == null ? double.NaN : Array.IndexOf(levels, l) == levels.Length - 1 && levels.Length == 2 ? 1.0 : 0.0).ToArray());
            }
        }
        var series = new TimeSeries(name, times, Target, frame.Numbers(Target), [.. driverNames], [.. drivers]);
        series.Validate();
        return series;
    }
}
