using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

public class RDatasetsTests
{
    /// <summary>A double vector of class ts with tsp = c(start, start + (n - 1) / frequency, frequency), as R writes AirPassengers.</summary>
    static byte[] TsBytes(double[] values, double start, double frequency, bool tsClass = true)
    {
        var w = new Xdr().Header();
        w.Flags(14, Xdr.ObjBit | Xdr.AttrBit).Int(values.Length);
        foreach (var v in values) w.Double(v);
        w.Flags(2, Xdr.TagBit).Sym("tsp").Flags(14).Int(3).Double(start).Double(start + (values.Length - 1) / frequency).Double(frequency);
        w.Flags(2, Xdr.TagBit).Sym("class").Strings(tsClass ? "ts" : "numeric_version");
        w.Nil();
        return w.Bytes;
    }

    [Theory]
    [InlineData(12, 1949.0, "1949-01", "1949-02", "1949-12", "1950-01")]
    [InlineData(4, 1960.75, "1960-Q4", "1961-Q1", "1961-Q2", "1961-Q3")]
    [InlineData(1, 1871.0, "1871", "1872", "1873", "1874")]
    [InlineData(2, 1.5, "1.5", "2", "2.5", "3")]
    public void LabelsFollowTheFrequency(double frequency, double start, string first, string second, string third, string fourth)
    {
        var values = frequency == 12 ? new double[13] : new double[4];
        var labels = RTimeSeries.From(RSerialization.Read(TsBytes(values, start, frequency)), "t").Labels();
        if (frequency == 12) Assert.Equal([first, second], labels[..2]);
        if (frequency == 12) Assert.Equal([third, fourth], labels[11..13]);
        else Assert.Equal([first, second, third, fourth], labels);
    }

    [Fact]
    public void ReadsANamedSeriesFromTheDatabaseAndRefusesOthers()
    {
        double[] passengers = [112, 118, 132, 129, 121, 135];
        var ts = TsBytes(passengers, 1949, 12);
        byte[] stored = [.. RSerializationTests.Be(ts.Length), .. RSerializationTests.Zlib(ts)];
        var text = new Xdr().Header().Strings("not a series").Bytes;
        byte[] storedText = [.. RSerializationTests.Be(text.Length), .. RSerializationTests.Zlib(text)];
        var notTs = TsBytes(passengers, 1949, 12, tsClass: false);
        byte[] storedNotTs = [.. RSerializationTests.Be(notTs.Length), .. RSerializationTests.Zlib(notTs)];
        string db = RSerializationTests.WriteDb([stored, storedText, storedNotTs], ["AirPassengers", "state.name", "plain"], compressed: 1);
        var s = RDatasets.FromDatabase(db, "AirPassengers");
        Assert.Equal("r:AirPassengers", s.Name);
        Assert.Equal(passengers, s.Target);
        Assert.Equal(["1949-01", "1949-02", "1949-03", "1949-04", "1949-05", "1949-06"], s.Times);
        Assert.Empty(s.Drivers);
        Assert.Contains("has no object 'Passengers'", Assert.Throws<ArgumentException>(() => RDatasets.FromDatabase(db, "Passengers")).Message);
        Assert.Contains("datasets' state.name is not a numeric vector (found character vector)", Assert.Throws<InvalidDataException>(() => RDatasets.FromDatabase(db, "state.name")).Message);
        Assert.Contains("not a time series", Assert.Throws<InvalidDataException>(() => RDatasets.FromDatabase(db, "plain")).Message);
    }
}
