using System.Buffers.Binary;
using AttentionSharp.Data;

namespace AttentionSharp.Tests.Data.Formats;

/// <summary>The gettext .mo reader on Fixtures/Gettext/tiny-{le,be}.mo (msgfmt output of tiny.de.po, both byte orders).</summary>
public class MoCatalogTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Gettext", name);

    [Theory]
    [InlineData("tiny-le.mo")]
    [InlineData("tiny-be.mo")]
    public void ReadsEveryMessageInBothByteOrders(string file)
    {
        var m = MoCatalog.Read(Fixture(file));
        // msgfmt sorts by key and leaves the untranslated message out: header, plural, Cannot..., OK, _Open, menu\x04Save...
        Assert.Equal(6, m.Count);
        Assert.Equal("", m[0].Id);
        Assert.Contains("charset=UTF-8", m[0].Translation);

        var plural = m.Single(x => x.IdPlural != null);
        Assert.Equal("%d file deleted", plural.Id);
        Assert.Equal("%d files deleted", plural.IdPlural);
        Assert.Equal(["%d Datei gelöscht", "%d Dateien gelöscht"], plural.Translations);

        var withContext = m.Single(x => x.Context != null);
        Assert.Equal("menu", withContext.Context);
        Assert.Equal("Save ~As...", withContext.Id);
        Assert.Equal("Speichern ~unter...", withContext.Translation);

        var open = m.Single(x => x.Id == "_Open");
        Assert.Null(open.Context);
        Assert.Null(open.IdPlural);
        Assert.Equal("Ö_ffnen", open.Translation);
        Assert.Equal("»%s« kann nicht geöffnet werden: %s", m.Single(x => x.Id.StartsWith("Cannot")).Translation);
        Assert.DoesNotContain(m, x => x.Id == "Untranslated");
    }

    [Fact]
    public void BothByteOrdersGiveTheSameCatalog()
    {
        var le = MoCatalog.Read(Fixture("tiny-le.mo"));
        var be = MoCatalog.Read(Fixture("tiny-be.mo"));
        Assert.Equal(le.Select(x => (x.Context, x.Id, x.IdPlural, string.Join("|", x.Translations))),
                     be.Select(x => (x.Context, x.Id, x.IdPlural, string.Join("|", x.Translations))));
    }

    [Fact]
    public void BadMagicIsAClearError()
    {
        var data = File.ReadAllBytes(Fixture("tiny-le.mo"));
        data[0] = 0x00;
        var e = Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(data, "x.mo"));
        Assert.Contains("x.mo: not a gettext .mo file: magic", e.Message);
    }

    [Fact]
    public void ShortFileIsAClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(new byte[12], "short.mo"));
        Assert.Contains("12 bytes, the header alone needs 20", e.Message);
    }

    [Fact]
    public void TruncatedFileNamesTheStringThatRunsPastTheEnd()
    {
        var data = File.ReadAllBytes(Fixture("tiny-le.mo"));
        var cut = data.AsSpan(0, data.Length - 30).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(cut, "cut.mo"));
        Assert.Contains("cut.mo: truncated or corrupt", e.Message);
        Assert.Contains("past the end of the file", e.Message);
    }

    [Fact]
    public void TableOutsideTheFileIsAClearError()
    {
        var data = File.ReadAllBytes(Fixture("tiny-le.mo"));
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), 100_000);   // translation table offset
        var e = Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(data, "t.mo"));
        Assert.Contains("translation table of 6 entries at offset 100000", e.Message);
    }

    [Fact]
    public void UnsupportedRevisionAndInvalidUtf8AreClearErrors()
    {
        var data = File.ReadAllBytes(Fixture("tiny-le.mo"));
        var revised = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(revised.AsSpan(4), 5u << 16);
        Assert.Contains("major revision 5", Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(revised, "r.mo")).Message);

        // point string 1 of the translation table at the 0xde 0x12 0x04 0x95 magic: not UTF-8
        var bad = (byte[])data.Clone();
        uint table = BinaryPrimitives.ReadUInt32LittleEndian(bad.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan((int)table + 8), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan((int)table + 12), 0);
        Assert.Contains("is not valid UTF-8", Assert.Throws<InvalidDataException>(() => MoCatalog.Parse(bad, "u.mo")).Message);
    }
}
