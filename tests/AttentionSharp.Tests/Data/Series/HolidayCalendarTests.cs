using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

public class HolidayCalendarTests
{
    static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void HolidaysOf2016CheckedOnACalendar()
    {
        // 2016 (weekdays checked with `date -d`): New Year Fri Jan 1, MLK Mon Jan 18, Presidents Mon Feb 15, Memorial Mon May 30
        // (May 31 is a Tuesday), Independence Mon Jul 4, Labor Mon Sep 5, Columbus Mon Oct 10, Veterans Fri Nov 11,
        // Thanksgiving Thu Nov 24, Christmas Sun Dec 25 observed Mon Dec 26.
        var expected = new (string Name, string Date, string Observed)[]
        {
            ("New Year's Day", "2016-01-01", "2016-01-01"), ("Martin Luther King Jr. Day", "2016-01-18", "2016-01-18"),
            ("Washington's Birthday", "2016-02-15", "2016-02-15"), ("Memorial Day", "2016-05-30", "2016-05-30"),
            ("Independence Day", "2016-07-04", "2016-07-04"), ("Labor Day", "2016-09-05", "2016-09-05"),
            ("Columbus Day", "2016-10-10", "2016-10-10"), ("Veterans Day", "2016-11-11", "2016-11-11"),
            ("Thanksgiving Day", "2016-11-24", "2016-11-24"), ("Christmas Day", "2016-12-25", "2016-12-26"),
        };
        var got = UsFederalHolidays.Of(2016);
        Assert.Equal(expected.Select(e => (e.Name, D(e.Date), D(e.Observed))), got);
    }

    [Theory]
    [InlineData("2015-07-04", "2015-07-03")]  // Saturday -> Friday
    [InlineData("2010-12-25", "2010-12-24")]  // Saturday -> Friday (also Christmas Eve)
    [InlineData("2011-01-01", "2010-12-31")]  // New Year on a Saturday: observed on New Year's Eve of the year before
    [InlineData("2012-11-11", "2012-11-12")]  // Sunday -> Monday
    [InlineData("2017-01-01", "2017-01-02")]  // Sunday -> Monday
    [InlineData("2021-06-19", "2021-06-18")]  // Juneteenth, first year, a Saturday
    public void FixedHolidaysOnWeekendsAreObservedOnTheNearestWeekday(string date, string observed)
    {
        Assert.Equal(D(observed), UsFederalHolidays.Observe(D(date)));
        Assert.True(UsFederalHolidays.IsHoliday(D(date)));
        Assert.True(UsFederalHolidays.IsHoliday(D(observed)));
    }

    [Fact]
    public void FloatingRulesAndNonHolidays()
    {
        Assert.Equal(D("2013-11-28"), UsFederalHolidays.Thanksgiving(2013));           // Nov 1 2013 was a Friday: latest possible
        Assert.Equal(D("2018-11-22"), UsFederalHolidays.Thanksgiving(2018));           // Nov 1 2018 a Thursday: earliest possible
        Assert.Equal(D("2015-05-25"), UsFederalHolidays.LastWeekday(2015, 5, DayOfWeek.Monday));
        Assert.Equal(D("2014-09-01"), UsFederalHolidays.NthWeekday(2014, 9, DayOfWeek.Monday, 1)); // Sep 1 2014 a Monday
        Assert.Equal("Labor Day", UsFederalHolidays.HolidayName(D("2014-09-01")));
        Assert.Null(UsFederalHolidays.HolidayName(D("1985-01-21")));                   // before MLK Day existed
        Assert.Equal("Martin Luther King Jr. Day", UsFederalHolidays.HolidayName(D("1986-01-20")));
        Assert.Null(UsFederalHolidays.HolidayName(D("2020-06-19")));                   // before Juneteenth
        foreach (var d in new[] { "2016-01-04", "2016-07-05", "2016-11-25", "2016-12-24", "2016-12-27", "2015-12-31" })
            Assert.False(UsFederalHolidays.IsHoliday(D(d)), d);
    }

    [Fact]
    public void CalendarFeaturesOfADay()
    {
        // 2015-11-27: the Friday after Thanksgiving (Nov 26).
        var f = CalendarFeatures.Of(D("2015-11-27"));
        Assert.Equal([0, 0, 0, 0, 1, 0, 0, 0, 1, 0], f);
        // 2016-12-24 a Saturday, Christmas Eve, not a holiday (Christmas is observed on Monday the 26th).
        Assert.Equal([0, 0, 0, 0, 0, 1, 0, 0, 0, 1], CalendarFeatures.Of(D("2016-12-24")));
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 1, 0, 0], CalendarFeatures.Of(D("2016-12-26")));
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1, 0, 0], CalendarFeatures.Of(D("2016-12-25")));  // the actual date, a Sunday
        Assert.Equal(CalendarFeatures.Count, CalendarFeatures.Names.Length);
        Assert.Equal(D("2016-03-01"), CalendarFeatures.ParseDate("2016-03-01"));
        Assert.Equal(D("2016-03-01"), CalendarFeatures.ParseDate("2016-03-01T13:30"));
        Assert.Null(CalendarFeatures.ParseDate("12.5"));
        Assert.Null(CalendarFeatures.ParseDate("2016-03-01x"));
        Assert.Null(CalendarFeatures.ForTimes(["2016-03-01", "s00001"]));
        var all = CalendarFeatures.ForTimes(["2016-03-01", "2016-03-02"])!;
        Assert.Equal(20, all.Length);
        Assert.Equal(1, all[1]);                          // Tuesday
        Assert.Equal(1, all[CalendarFeatures.Count + 2]); // Wednesday
    }
}
