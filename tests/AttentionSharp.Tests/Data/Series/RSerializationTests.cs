using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using AttentionSharp.Data.Series;

namespace AttentionSharp.Tests.Data.Series;

/// <summary>Writes R's XDR serialization by hand, item by item, so each test's bytes can be checked against R Internals.</summary>
sealed class Xdr
{
    public const int ObjBit = 1 << 8, AttrBit = 1 << 9, TagBit = 1 << 10;
    readonly List<byte> _b = [];

    public byte[] Bytes => [.. _b];

    public Xdr Header(int version = 3)
    {
        _b.AddRange("X\n"u8.ToArray());
        Int(version).Int(0x040201).Int(0x030500);
        if (version == 3) { Int(5); _b.AddRange("UTF-8"u8.ToArray()); }
        return this;
    }

    public Xdr Int(int v) { var s = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(s, v); _b.AddRange(s); return this; }
    public Xdr Double(double v) { var s = new byte[8]; BinaryPrimitives.WriteDoubleBigEndian(s, v); _b.AddRange(s); return this; }
    public Xdr Flags(int type, int bits = 0, int levels = 0) => Int(type | bits | (levels << 12));
    /// <summary>A CHARSXP marked ASCII (levels 64), or NA_STRING.</summary>
    public Xdr Char(string? s)
    {
        if (s == null) return Flags(9).Int(-1);
        var bytes = Encoding.UTF8.GetBytes(s);
        Flags(9, 0, 64).Int(bytes.Length);
        _b.AddRange(bytes);
        return this;
    }
    public Xdr Sym(string name) => Flags(1).Char(name);
    public Xdr Ref(int index) => Int((index << 8) | 255);
    public Xdr Strings(params string?[] v) { Flags(16).Int(v.Length); foreach (var s in v) Char(s); return this; }
    public Xdr Nil() => Int(254);
}

public class RSerializationTests
{
    // R's NA_real_: a NaN whose low word is 1954.
    static readonly double NaReal = BitConverter.Int64BitsToDouble(0x7FF00000000007A2);

    /// <summary>
    /// data.frame(x = c(1.5, NA, -2), n = c(1L, NA, 3L), f = factor(c("b", "a", NA)), d = as.Date(c(0, 31, 365))), written as
    /// R 3.5+ writes it: symbols enter the reference table in the order met (levels 1, class 2, names 3, row.names 4).
    /// </summary>
    internal static byte[] DataFrameBytes(int version = 3)
    {
        var w = new Xdr().Header(version);
        w.Flags(19, Xdr.ObjBit | Xdr.AttrBit).Int(4);
        w.Flags(14).Int(3).Double(1.5).Double(NaReal).Double(-2);
        w.Flags(13).Int(3).Int(1).Int(int.MinValue).Int(3);
        w.Flags(13, Xdr.ObjBit | Xdr.AttrBit).Int(3).Int(2).Int(1).Int(int.MinValue);
        w.Flags(2, Xdr.TagBit).Sym("levels").Strings("a", "b");
        w.Flags(2, Xdr.TagBit).Sym("class").Strings("factor");
        w.Nil();
        w.Flags(14, Xdr.ObjBit | Xdr.AttrBit).Int(3).Double(0).Double(31).Double(365);
        w.Flags(2, Xdr.TagBit).Ref(2).Strings("Date");
        w.Nil();
        w.Flags(2, Xdr.TagBit).Sym("names").Strings("x", "n", "f", "d");
        w.Flags(2, Xdr.TagBit).Ref(2).Strings("tbl_df", "tbl", "data.frame");
        w.Flags(2, Xdr.TagBit).Sym("row.names").Flags(13).Int(2).Int(int.MinValue).Int(-3);
        w.Nil();
        return w.Bytes;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsAHandWrittenDataFrame(int version)
    {
        var obj = RSerialization.Read(DataFrameBytes(version));
        Assert.Equal(["tbl_df", "tbl", "data.frame"], obj.Classes);
        var df = RDataFrame.From(obj);
        Assert.Equal(3, df.Rows);
        Assert.Equal(["x", "n", "f", "d"], df.Names);
        Assert.Equal(["numeric", "integer", "factor", "Date"], df.Names.Select(df.KindOf));
        var x = df.Numbers("x");
        Assert.Equal(1.5, x[0]);
        Assert.True(double.IsNaN(x[1]));
        Assert.Equal(-2, x[2]);
        var n = df.Numbers("n");
        Assert.Equal(1, n[0]);
        Assert.True(double.IsNaN(n[1]));
        Assert.Equal(3, n[2]);
        Assert.Equal(new string?[] { "b", "a", null }, df.Labels("f"));
        Assert.Equal([new DateOnly(1970, 1, 1), new DateOnly(1970, 2, 1), new DateOnly(1971, 1, 1)], df.Dates("d"));
        var rowNames = (RInts)obj.Attribute("row.names")!;
        Assert.Equal([int.MinValue, -3], rowNames.Values);
    }

    [Fact]
    public void ExpandsCompactIntegerSequences()
    {
        // ALTREP compact_intseq 5:8 -> info pairlist (class symbol, package symbol, type), state c(n, first, step), no attributes.
        var w = new Xdr().Header();
        w.Flags(238);
        w.Flags(2).Sym("compact_intseq").Flags(2).Sym("base").Flags(2).Flags(13).Int(1).Int(13).Nil();
        w.Flags(14).Int(3).Double(4).Double(5).Double(1);
        w.Nil();
        var v = Assert.IsType<RInts>(RSerialization.Read(w.Bytes));
        Assert.Equal([5, 6, 7, 8], v.Values);
    }

    [Fact]
    public void ReadsNamedListsAndStringNA()
    {
        var w = new Xdr().Header(2);
        w.Flags(19, Xdr.AttrBit).Int(2).Strings("a", null).Flags(10).Int(2).Int(1).Int(0);
        w.Flags(2, Xdr.TagBit).Sym("names").Strings("s", "flag").Nil();
        var list = Assert.IsType<RList>(RSerialization.Read(w.Bytes));
        Assert.Equal(new string?[] { "a", null }, ((RStrings)list["s"]!).Values);
        Assert.Equal([1, 0], ((RLogicals)list["flag"]!).Values);
    }

    [Theory]
    [InlineData("A\n", "ASCII")]
    [InlineData("B\n", "native binary")]
    [InlineData("PK", "not R serialized data")]
    public void RejectsOtherFormatsClearly(string start, string message)
    {
        var bytes = Encoding.ASCII.GetBytes(start + "\0\0\0\u0003");
        var e = Assert.Throws<InvalidDataException>(() => RSerialization.Read(bytes));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TruncatedDataSaysSo()
    {
        var bytes = DataFrameBytes();
        var e = Assert.Throws<InvalidDataException>(() => RSerialization.Read(bytes[..(bytes.Length / 2)]));
        Assert.Contains("truncated", e.Message);
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    internal static byte[] Zlib(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal)) z.Write(data);
        return ms.ToArray();
    }

    internal static byte[] Be(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); return b; }

    /// <summary>An index: list(variables = list(NAME = c(offset, length), ...), references = list(), compressed = COMP).</summary>
    internal static byte[] Index(IReadOnlyList<(string Name, int Offset, int Length)> vars, int compressed)
    {
        var w = new Xdr().Header(2);
        w.Flags(19, Xdr.AttrBit).Int(3);
        w.Flags(19, Xdr.AttrBit).Int(vars.Count);
        foreach (var v in vars) w.Flags(13).Int(2).Int(v.Offset).Int(v.Length);
        w.Flags(2, Xdr.TagBit).Sym("names").Strings([.. vars.Select(v => v.Name)]).Nil();
        w.Flags(19).Int(0);
        if (compressed == 1) w.Flags(10).Int(1).Int(1); else w.Flags(14).Int(1).Double(compressed);
        w.Flags(2, Xdr.TagBit).Ref(1).Strings("variables", "references", "compressed").Nil();
        return w.Bytes;
    }

    internal static string WriteDb(byte[][] stored, string[] names, int compressed)
    {
        string dir = Directory.CreateTempSubdirectory("attn-rdb-").FullName;
        var rdb = new MemoryStream();
        var vars = new List<(string, int, int)>();
        for (int i = 0; i < stored.Length; i++)
        {
            vars.Add((names[i], (int)rdb.Position, stored[i].Length));
            rdb.Write(stored[i]);
        }
        File.WriteAllBytes(Path.Combine(dir, "Rdata.rdb"), rdb.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "Rdata.rdx"), Gzip(Index(vars, compressed)));
        return Path.Combine(dir, "Rdata");
    }

    [Fact]
    public void ReadsAZlibLazyLoadDatabase()
    {
        var df = DataFrameBytes();
        var list = new Xdr().Header().Strings("only").Bytes;
        byte[] Stored(byte[] b) => [.. Be(b.Length), .. Zlib(b)];
        var db = RLazyLoadDb.Open(WriteDb([Stored(list), Stored(df)], ["words", "frame"], compressed: 1));
        Assert.Equal(["frame", "words"], db.Names.Order());
        Assert.Equal(new string?[] { "only" }, ((RStrings)db.Read("words")).Values);
        Assert.Equal(3, RDataFrame.From(db.Read("frame")).Rows);
        var e = Assert.Throws<KeyNotFoundException>(() => db.Read("nope"));
        Assert.Contains("frame, words", e.Message);
    }

    [Fact]
    public void ReadsTypedObjectsOfAnXzDatabase()
    {
        var df = DataFrameBytes();
        // '0': stored; 'Z' with one uncompressed LZMA2 chunk (control 1 = dictionary reset, size - 1 big-endian), then the end byte 0.
        byte[] stored = [.. Be(df.Length), (byte)'0', .. df];
        byte[] lzma2 = [.. Be(df.Length), (byte)'Z', 1, (byte)((df.Length - 1) >> 8), (byte)((df.Length - 1) & 0xFF), .. df, 0];
        byte[] zlib = [.. Be(df.Length), (byte)'1', .. Zlib(df)];
        var db = RLazyLoadDb.Open(WriteDb([stored, lzma2, zlib], ["a", "b", "c"], compressed: 3));
        foreach (var name in new[] { "a", "b", "c" })
            Assert.Equal([1.5, double.NaN, -2], RDataFrame.From(db.Read(name)).Numbers("x"));
    }

    /// <summary>Raw LZMA2 (preset 9) of a 413-byte text, written by liblzma (Python's lzma module, FORMAT_RAW), as R's xz compression writes it.</summary>
    internal const string Lzma2Fixture =
        "e0019c00645d002c028afb15c6d13f5ab1426d5ee0fa4de840aab17977779a8d3349e4116ea6ed7d24dcf203776900d98879a4766dc058c1e885ee52e32056ec" +
        "eb66830977435fe421e6cbf7d1f523f2ea5778d04222d92ee7929f2722c22cf045272df9b7666daf27b59900";

    static byte[] FixturePlain()
    {
        var b = new List<byte>("X\n"u8.ToArray());
        for (int i = 0; i < 6; i++) b.AddRange("the quick brown fox jumps over the lazy dog; "u8.ToArray());
        for (int i = 0; i < 3; i++) b.AddRange(Enumerable.Range(0, 40).Select(x => (byte)x));
        b.AddRange("abcabcabcabcabcabcxyz"u8.ToArray());
        return [.. b];
    }

    [Fact]
    public void DecodesLzma2FromLiblzma()
    {
        var plain = FixturePlain();
        Assert.Equal(413, plain.Length);
        Assert.Equal(plain, Lzma2Decoder.Decode(Convert.FromHexString(Lzma2Fixture), 0, plain.Length));
    }

    [Fact]
    public void Lzma2LengthMismatchIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Lzma2Decoder.Decode(Convert.FromHexString(Lzma2Fixture), 0, 500));
        Assert.Contains("413", e.Message);
        var truncated = Convert.FromHexString(Lzma2Fixture)[..60];
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Lzma2Decoder.Decode(truncated, 0, 413)).Message);
    }
}
