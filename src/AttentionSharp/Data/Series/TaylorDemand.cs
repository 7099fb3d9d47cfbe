using System.Globalization;

namespace AttentionSharp.Data.Series;

/// <summary>
/// Taylor's half-hourly electricity demand series of the R package forecast (object <c>taylor</c>; J. W. Taylor, "Short-term
/// electricity demand forecasting using double seasonal exponential smoothing", J. Oper. Res. Soc. 54, 2003), from Debian's
/// <c>r-cran-forecast</c> 8.20: England and Wales demand in megawatts, 4,032 half-hours = 12 weeks x 336, Monday 5 June 2000
/// 00:00 .. Sunday 27 August 2000 23:30. Read from the package's lazy-load database with <see cref="RLazyLoadDb"/> as a
/// <see cref="TimeSeries"/> with target <see cref="Target"/> and no drivers.
/// </summary>
/// <remarks>
/// The object is an integer vector (R's <c>is.numeric</c> holds; a double vector is accepted too) of class
/// <c>c("msts", "ts")</c> with the attributes <c>tsp</c> and <c>msts = c(48, 336)</c> (the daily and weekly periods).
/// <c>tsp</c> is <c>c(start, end, frequency)</c> in the series' own time unit, here weeks: in forecast 8.20 it holds
/// <c>c(1, 12.99702, 336)</c>, i.e. start at week 1, end at 1 + 4031/336, 336 half-hours per week. The calendar date is
/// not in the object (only in its documentation): week 1's first half-hour is Monday 5 June 2000 00:00 (local time), so
/// the step at time <c>w</c> (weeks) is <c>(w - 1) * 336</c> half-hours after it.
/// </remarks>
public static class TaylorDemand
{
    /// <summary>Name of the target (demand in MW).</summary>
    public const string Target = "demand";

    /// <summary>Name of the series and of the R object.</summary>
    public const string ObjectName = "taylor";

    /// <summary>Half-hours in the series as forecast ships it (12 weeks).</summary>
    public const int ExpectedLength = 4032;

    /// <summary>Half-hours per week: the ts frequency.</summary>
    public const int Frequency = 336;

    /// <summary>Time of the first half-hour of week 1 (local time; the labels carry no zone).</summary>
    public static DateTime Week1Start { get; } = new(2000, 6, 5, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>The dataset as the cache knows it (<c>apt-get download r-cran-forecast</c>; the files are forecast's <c>data/Rdata.*</c>).</summary>
    public static DatasetSource Source { get; } = RLazyLoadDb.PackageSource("r-forecast",
        "R package forecast's data sets (Debian r-cran-forecast 8.20): Taylor's half-hourly England and Wales electricity demand, June-August 2000, and 4 others",
        "r-cran-forecast", "usr/lib/R/site-library/forecast/data", (15_611, "7b24c084d8bb357924dcb231d2588bc2"), (333, "a376e3a4b1eb45e406ac02c0c1dcb9ec"), ObjectName);

    /// <summary>Obtains (once) and reads the <c>taylor</c> series.</summary>
    public static TimeSeries Load(string cacheRoot, TextWriter log)
    {
        string folder = Source.Ensure(cacheRoot, log);
        return FromDatabase(Path.Combine(folder, "Rdata"));
    }

    /// <summary>Reads <c>taylor</c> from the lazy-load database <paramref name="basePath"/> (without extension); throws unless it has <see cref="ExpectedLength"/> half-hours.</summary>
    public static TimeSeries FromDatabase(string basePath)
    {
        var series = FromObject(RLazyLoadDb.Open(basePath).Read(ObjectName), $"forecast's {ObjectName}");
        if (series.Length != ExpectedLength)
            throw new InvalidDataException($"forecast's {ObjectName} has {series.Length} half-hours, not the {ExpectedLength} (12 weeks) expected");
        return series;
    }

    /// <summary>
    /// A series from a half-hourly <c>ts</c> object as forecast stores <c>taylor</c>: a numeric (integer or double) vector of
    /// class <c>ts</c> (or <c>msts</c>, <c>ts</c>) whose <c>tsp</c> has frequency <see cref="Frequency"/>, a start on a half-hour
    /// and an end that agrees with the length; <c>msts</c>, when present, must be <c>c(48, 336)</c>. Time labels are ISO local
    /// times (<c>2000-06-05T00:00</c>, <c>2000-06-05T00:30</c>, ...). Throws <see cref="InvalidDataException"/> naming
    /// <paramref name="what"/> otherwise, or when a value is NA.
    /// </summary>
    public static TimeSeries FromObject(RObject obj, string what)
    {
        if (obj is not (RDoubles or RInts))
            throw new InvalidDataException($"{what} is not a numeric vector (found {RTimeSeries.Describe(obj)}); expected a half-hourly ts of demand");
        if (obj.Classes.Contains("ts") && obj.Attribute("tsp") is RDoubles { Values: [_, _, var f] } && f != Frequency)
            throw new InvalidDataException($"{what} has frequency {f.ToString(CultureInfo.InvariantCulture)}, not {Frequency} half-hours per week");
        var ts = RTimeSeries.From(obj, what);
        var values = ts.Values;
        double start = ts.Start;
        if (obj.Attribute("msts") is { } msts && !(msts is RDoubles { Values: [48, 336] } || msts is RInts { Values: [48, 336] }))
            throw new InvalidDataException($"{what} has seasonal periods (msts) other than c(48, 336)");
        double firstStep = (start - 1) * Frequency;
        long offset = (long)Math.Round(firstStep);
        if (Math.Abs(firstStep - offset) > 1e-5)
            throw new InvalidDataException($"{what} starts at {start.ToString("R", CultureInfo.InvariantCulture)} weeks, not on a half-hour");
        var times = new string[values.Length];
        for (int t = 0; t < times.Length; t++)
            times[t] = Week1Start.AddMinutes(30 * (offset + t)).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var series = new TimeSeries(ObjectName, times, Target, values, [], []);
        series.Validate();
        return series;
    }
}
