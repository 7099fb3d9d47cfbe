using System.Globalization;

namespace AttentionSharp.Data.Series;

/// <summary>
/// US federal holidays (5 U.S.C. 6103) computed from their rules, with the observed-day shifts of federal employees
/// (a holiday on a Saturday is observed on the Friday before, on a Sunday on the Monday after).
/// </summary>
public static class UsFederalHolidays
{
    /// <summary>The holidays of <paramref name="year"/> as (name, actual date, observed date), in calendar order of the actual date.</summary>
    /// <remarks>Martin Luther King Jr. Day from 1986, Juneteenth from 2021; the Monday rules (Presidents, Memorial, Columbus) as
    /// in force since 1971, Veterans Day on November 11 (it was the fourth Monday of October 1971-1977: not modelled).</remarks>
    public static IReadOnlyList<(string Name, DateOnly Date, DateOnly Observed)> Of(int year)
    {
        var list = new List<(string, DateOnly, DateOnly)>();
        void Fixed(string name, int month, int day) { var d = new DateOnly(year, month, day); list.Add((name, d, Observe(d))); }
        void Floating(string name, DateOnly d) => list.Add((name, d, d));
        Fixed("New Year's Day", 1, 1);
        if (year >= 1986) Floating("Martin Luther King Jr. Day", NthWeekday(year, 1, DayOfWeek.Monday, 3));
        Floating("Washington's Birthday", NthWeekday(year, 2, DayOfWeek.Monday, 3));
        Floating("Memorial Day", LastWeekday(year, 5, DayOfWeek.Monday));
        if (year >= 2021) Fixed("Juneteenth", 6, 19);
        Fixed("Independence Day", 7, 4);
        Floating("Labor Day", NthWeekday(year, 9, DayOfWeek.Monday, 1));
        Floating("Columbus Day", NthWeekday(year, 10, DayOfWeek.Monday, 2));
        Fixed("Veterans Day", 11, 11);
        Floating("Thanksgiving Day", Thanksgiving(year));
        Fixed("Christmas Day", 12, 25);
        return list;
    }

    /// <summary>The day off for a fixed-date holiday: Saturday -> Friday before, Sunday -> Monday after.</summary>
    public static DateOnly Observe(DateOnly d) => d.DayOfWeek switch
    {
        DayOfWeek.Saturday => d.AddDays(-1),
        DayOfWeek.Sunday => d.AddDays(1),
        _ => d,
    };

    /// <summary>The <paramref name="n"/>-th (1-based) <paramref name="day"/> of the month.</summary>
    public static DateOnly NthWeekday(int year, int month, DayOfWeek day, int n)
    {
        var first = new DateOnly(year, month, 1);
        int offset = ((int)day - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }

    /// <summary>The last <paramref name="day"/> of the month.</summary>
    public static DateOnly LastWeekday(int year, int month, DayOfWeek day)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)day + 7) % 7));
    }

    /// <summary>The fourth Thursday of November.</summary>
    public static DateOnly Thanksgiving(int year) => NthWeekday(year, 11, DayOfWeek.Thursday, 4);

    /// <summary>
    /// Whether <paramref name="d"/> is a federal holiday: its actual date or its observed day off (New Year's Day on a Saturday
    /// is observed on December 31 of the year before, which this includes).
    /// </summary>
    public static bool IsHoliday(DateOnly d) => HolidayName(d) != null;

    /// <summary>The name of the holiday on <paramref name="d"/> (actual or observed date), or null.</summary>
    public static string? HolidayName(DateOnly d)
    {
        foreach (int y in (int[])[d.Year, d.Year + 1])
            foreach (var (name, date, observed) in Of(y))
                if (date == d || observed == d) return name;
        return null;
    }
}

/// <summary>
/// Calendar features of a day, known in advance (so a forecast may use those of the day it forecasts): day of week one-hot
/// (Monday .. Sunday, 7 columns), US federal holiday (actual or observed date), the day after Thanksgiving, Christmas Eve.
/// </summary>
public static class CalendarFeatures
{
    /// <summary>Column names, in order.</summary>
    public static readonly string[] Names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday", "day_after_thanksgiving", "christmas_eve"];

    /// <summary>Number of columns.</summary>
    public static int Count => Names.Length;

    /// <summary>The features of one day.</summary>
    public static double[] Of(DateOnly d)
    {
        var f = new double[Count];
        f[((int)d.DayOfWeek + 6) % 7] = 1;  // Monday = 0
        if (UsFederalHolidays.IsHoliday(d)) f[7] = 1;
        if (d == UsFederalHolidays.Thanksgiving(d.Year).AddDays(1)) f[8] = 1;
        if (d.Month == 12 && d.Day == 24) f[9] = 1;
        return f;
    }

    /// <summary>The date of a time label <c>yyyy-MM-dd</c> (optionally followed by a time part), or null.</summary>
    public static DateOnly? ParseDate(string label) =>
        label.Length >= 10 && DateOnly.TryParseExact(label.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            && (label.Length == 10 || label[10] is 'T' or ' ') ? d : null;

    /// <summary>The features of every step, step-major <c>[t * Count + c]</c>, or null when a time label is not a date.</summary>
    public static double[]? ForTimes(string[] times)
    {
        var f = new double[times.Length * Count];
        for (int t = 0; t < times.Length; t++)
        {
            if (ParseDate(times[t]) is not { } d) return null;
            Of(d).CopyTo(f, t * Count);
        }
        return f;
    }
}
