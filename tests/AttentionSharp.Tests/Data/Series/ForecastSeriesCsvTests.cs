using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

public class ForecastSeriesCsvTests
{
    static string Write(string text)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("attn-csv-").FullName, "series.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsTimeTargetAndDrivers()
    {
        var s = SeriesCsv.Load(Write("day,y,a,b\n2020-01-01,1.5,10,x1\n2020-01-02,2,11,2e1\n2020-01-03,-3,12,0\n".Replace("x1", "7")), "day", "y");
        Assert.Equal(["2020-01-01", "2020-01-02", "2020-01-03"], s.Times);
        Assert.Equal([1.5, 2, -3], s.Target);
        Assert.Equal(["a", "b"], s.DriverNames);
        Assert.Equal([7.0, 20, 0], s.Drivers[1]);
        var only = SeriesCsv.Load(Write("t,y,a,b\n1,1,2,3\n2,1,2,3\n"), "t", "y", ["b"]);
        Assert.Equal(["b"], only.DriverNames);
    }

    [Theory]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-02,,2\n", "line 3: the target 'y' is empty")]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-02,NA,2\n", "line 3: the target 'y' is empty")]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-02,1,abc\n", "line 3: the driver 'a' is 'abc', not a number")]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-03,1,2\n2020-01-02,1,2\n", "line 4: time '2020-01-02' is not after the previous row's '2020-01-03'")]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-01,1,2\n", "line 3: time '2020-01-01' is not after")]
    [InlineData("day,y,a\n2020-01-01,1,2\n2020-01-02,1,2\n2020-01-03,1,2\n2020-01-06,1,2\n", "line 5: gap")]
    [InlineData("day,y,a\n2020-01-01,1,2\nsoon,1,2\n", "line 3: time 'soon' is neither a date nor a number")]
    [InlineData("day,y,a\n2020-01-01,1\n", "line 2: 2 cells, the header has 3")]
    [InlineData("day,z,a\n2020-01-01,1,2\n", "no target column 'y'")]
    public void BadCsvGetsAnErrorNamingTheLine(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => SeriesCsv.Load(Write(text), "day", "y"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void GapsAllowedWhenAsked()
    {
        var s = SeriesCsv.Load(Write("day,y\n2020-01-01,1\n2020-01-02,1\n2020-01-03,1\n2020-01-06,1\n"), "day", "y", allowGaps: true);
        Assert.Equal(4, s.Length);
        Assert.Empty(s.DriverNames);
    }

    [Fact]
    public void ChicagoShapedFrameBecomesASeries()
    {
        // date must run day by day: the hand-written frame's dates are 0, 31, 365, so it is rejected, naming the row.
        var df = RDataFrame.From(RSerialization.Read(RSerializationTests.DataFrameBytes()));
        var e = Assert.Throws<KeyNotFoundException>(() => ChicagoRidership.FromFrame(df, "t"));
        Assert.Contains("no column 'date'", e.Message);
    }
}
