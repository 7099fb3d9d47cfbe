using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

public class TaylorDemandTests
{
    /// <summary>
    /// A half-hourly series as forecast stores <c>taylor</c>: an integer vector (object + attributes bits) with the attributes
    /// tsp = c(start, end, 336), class = c("msts", "ts") and msts = c(48, 336), symbols written where first met.
    /// </summary>
    static byte[] TsBytes(int[] values, double start, bool asDouble = false)
    {
        var w = new Xdr().Header();
        w.Flags(asDouble ? 14 : 13, Xdr.ObjBit | Xdr.AttrBit).Int(values.Length);
        foreach (var v in values) if (asDouble) w.Double(v); else w.Int(v);
        w.Flags(2, Xdr.TagBit).Sym("tsp").Flags(14).Int(3).Double(start).Double(start + (values.Length - 1) / 336.0).Double(336);
        w.Flags(2, Xdr.TagBit).Sym("class").Strings("msts", "ts");
        w.Flags(2, Xdr.TagBit).Sym("msts").Flags(14).Int(2).Double(48).Double(336);
        w.Nil();
        return w.Bytes;
    }

    [Fact]
    public void TaylorReadsAHandWrittenTsObjectWithTspAndHalfHourLabels()
    {
        int[] values = [22262, 21756, 22247, 22759, 22549, 22313];
        var obj = RSerialization.Read(TsBytes(values, 1));
        Assert.Equal(["msts", "ts"], obj.Classes);
        var tsp = Assert.IsType<RDoubles>(obj.Attribute("tsp")).Values;
        Assert.Equal([1, 1 + 5 / 336.0, 336], tsp);
        Assert.Equal([48.0, 336], Assert.IsType<RDoubles>(obj.Attribute("msts")).Values);

        var s = TaylorDemand.FromObject(obj, "test taylor");
        Assert.Equal("taylor", s.Name);
        Assert.Equal("demand", s.TargetName);
        Assert.Equal(values.Select(v => (double)v), s.Target);
        Assert.Empty(s.DriverNames);
        Assert.Empty(s.Drivers);
        Assert.Equal(["2000-06-05T00:00", "2000-06-05T00:30", "2000-06-05T01:00", "2000-06-05T01:30", "2000-06-05T02:00", "2000-06-05T02:30"], s.Times);
    }

    [Fact]
    public void TaylorLabelsFollowTheTspStartAcrossMidnight()
    {
        // A double vector starting at the 48th half-hour of week 1 (23:30 on Monday) and one starting at week 2.
        var late = TaylorDemand.FromObject(RSerialization.Read(TsBytes([1, 2, 3], 1 + 47 / 336.0, asDouble: true)), "late");
        Assert.Equal(["2000-06-05T23:30", "2000-06-06T00:00", "2000-06-06T00:30"], late.Times);
        var week2 = TaylorDemand.FromObject(RSerialization.Read(TsBytes([1, 2], 2)), "week 2");
        Assert.Equal(["2000-06-12T00:00", "2000-06-12T00:30"], week2.Times);
    }

    [Fact]
    public void TaylorFromDatabaseReadsTwelveWeeks()
    {
        var values = Enumerable.Range(0, TaylorDemand.ExpectedLength).Select(i => 20000 + i % 336).ToArray();
        var ts = TsBytes(values, 1);
        byte[] stored = [.. RSerializationTests.Be(ts.Length), .. RSerializationTests.Zlib(ts)];
        var other = new Xdr().Header().Strings("gas").Bytes;
        byte[] storedOther = [.. RSerializationTests.Be(other.Length), .. RSerializationTests.Zlib(other)];
        var s = TaylorDemand.FromDatabase(RSerializationTests.WriteDb([storedOther, stored], ["gas", "taylor"], compressed: 1));
        Assert.Equal(4032, s.Length);
        Assert.Equal("2000-06-05T00:00", s.Times[0]);
        Assert.Equal("2000-08-27T23:30", s.Times[^1]);
        Assert.Equal(20335, s.Target[335]);
        Assert.Equal(20000, s.Target[336]);
    }

    [Fact]
    public void TaylorRefusesANonNumericObjectNamingIt()
    {
        var w = new Xdr().Header();
        w.Flags(16, Xdr.ObjBit | Xdr.AttrBit).Int(2).Char("a").Char("b");
        w.Flags(2, Xdr.TagBit).Sym("tsp").Flags(14).Int(3).Double(1).Double(1 + 1 / 336.0).Double(336);
        w.Flags(2, Xdr.TagBit).Sym("class").Strings("ts");
        w.Nil();
        var bytes = w.Bytes;
        byte[] stored = [.. RSerializationTests.Be(bytes.Length), .. RSerializationTests.Zlib(bytes)];
        var e = Assert.Throws<InvalidDataException>(() => TaylorDemand.FromDatabase(RSerializationTests.WriteDb([stored], ["taylor"], compressed: 1)));
        Assert.Contains("forecast's taylor is not a numeric vector", e.Message);
        Assert.Contains("character vector", e.Message);
    }

    [Fact]
    public void TaylorRefusesAVectorWithoutTsOrWithAWrongTsp()
    {
        var plain = new Xdr().Header().Flags(13).Int(2).Int(1).Int(2).Bytes;
        Assert.Contains("not a time series", Assert.Throws<InvalidDataException>(() => TaylorDemand.FromObject(RSerialization.Read(plain), "taylor")).Message);

        var obj = RSerialization.Read(TsBytes([1, 2, 3], 1));
        ((RDoubles)obj.Attribute("tsp")!).Values[1] = 2; // end one week later than three half-hours reach
        Assert.Contains("spans 337 steps but the vector has 3",
            Assert.Throws<InvalidDataException>(() => TaylorDemand.FromObject(obj, "taylor")).Message);

        var daily = RSerialization.Read(TsBytes([1, 2, 3], 1));
        ((RDoubles)daily.Attribute("tsp")!).Values[2] = 48;
        Assert.Contains("frequency 48", Assert.Throws<InvalidDataException>(() => TaylorDemand.FromObject(daily, "taylor")).Message);
    }

    [Fact]
    public void TaylorSourceIsInTheCatalog()
    {
        var d = Assert.Single(AttentionSharp.Data.DatasetCatalog.All, d => d.Name == "r-forecast");
        Assert.Equal(["Rdata.rdb", "Rdata.rdx"], d.Files.Select(f => f.Name));
    }
}
