using System.Globalization;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Data.Series;

/// <summary>
/// Daily weather observations at Seattle, 2012-01-01 .. 2015-12-31 (1,461 days; NOAA GHCN via vega-datasets'
/// <c>seattle-weather.csv</c>, Debian python3-vega-datasets 0.9): target <c>temp_max</c> (deg C), drivers
/// <c>precipitation</c> (mm), <c>temp_min</c> (deg C) and <c>wind</c> (m/s). The text column <c>weather</c> (sun, rain, ...) is left out.
/// These are observations, unlike vega's hourly <c>seattle-temps.csv</c> / <c>sf-temps.csv</c>, which are climate normals.
/// </summary>
public static class SeattleWeather
{
    /// <summary>The file in the package.</summary>
    public const string File = "seattle-weather.csv";

    /// <summary>Name of the target column.</summary>
    public const string Target = "temp_max";

    /// <summary>The dataset as the cache knows it (the file of Debian's python3-vega-datasets).</summary>
    public static DatasetSource Source { get; } = new("vega-weather", "Debian python3-vega-datasets 0.9: Seattle daily weather 2012-2015 (CSV)",
        [new DataFile(File, 47_838, "0c53271f5864c528f9898eedaa82245b")],
        [new DebianRoute("python3-vega-datasets", n => "usr/lib/python3/dist-packages/vega_datasets/_data/" + n)]);

    /// <summary>Obtains (once) and reads the series.</summary>
    public static TimeSeries Load(string cacheRoot, TextWriter log) =>
        Parse(CsvReader.ReadFile(Path.Combine(Source.Ensure(cacheRoot, log), File)), File);

    /// <summary>Reads the CSV records (header first): dates <c>yyyy/MM/dd</c> become ISO labels; every day must follow the one before.</summary>
    public static TimeSeries Parse(IReadOnlyList<string[]> records, string source)
    {
        var series = SeriesCsv.Parse(records, source, "date", Target, ["precipitation", "temp_min", "wind"]);
        var times = new string[series.Length];
        for (int t = 0; t < times.Length; t++)
        {
            if (!DateOnly.TryParseExact(series.Times[t], ["yyyy/MM/dd", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new InvalidDataException($"{source}, line {t + 2}: date '{series.Times[t]}' is not yyyy/MM/dd");
            times[t] = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        return series with { Name = "seattle-weather", Times = times };
    }
}
