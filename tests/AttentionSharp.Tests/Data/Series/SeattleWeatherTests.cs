using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

public class SeattleWeatherTests
{
    [Fact]
    public void ReadsTheTargetAndNumericDriversWithIsoDates()
    {
        var rows = new List<string[]>
        {
            new[] { "date", "precipitation", "temp_max", "temp_min", "wind", "weather" },
            new[] { "2012/01/01", "0.0", "12.8", "5.0", "4.7", "drizzle" },
            new[] { "2012/01/02", "10.9", "10.6", "2.8", "4.5", "rain" },
            new[] { "2012/01/03", "0.8", "11.7", "7.2", "2.3", "rain" },
        };
        var s = SeattleWeather.Parse(rows, "w.csv");
        Assert.Equal("seattle-weather", s.Name);
        Assert.Equal(["2012-01-01", "2012-01-02", "2012-01-03"], s.Times);
        Assert.Equal("temp_max", s.TargetName);
        Assert.Equal([12.8, 10.6, 11.7], s.Target);
        Assert.Equal(["precipitation", "temp_min", "wind"], s.DriverNames);
        Assert.Equal([5.0, 2.8, 7.2], s.Drivers[1]);
    }

    [Fact]
    public void AMissingDayIsAClearError()
    {
        var rows = new List<string[]>
        {
            new[] { "date", "precipitation", "temp_max", "temp_min", "wind", "weather" },
            new[] { "2012/01/01", "0.0", "12.8", "5.0", "4.7", "drizzle" },
            new[] { "2012/01/02", "10.9", "10.6", "2.8", "4.5", "rain" },
            new[] { "2012/01/05", "0.8", "11.7", "7.2", "2.3", "rain" },
        };
        var e = Assert.Throws<InvalidDataException>(() => SeattleWeather.Parse(rows, "w.csv"));
        Assert.Contains("w.csv, line 4", e.Message);
    }
}
