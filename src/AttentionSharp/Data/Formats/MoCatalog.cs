using System.Text;

namespace AttentionSharp.Data;

/// <summary>One message of a gettext catalog: optional context, the original (msgid), its plural and the translations.</summary>
/// <param name="Context">The <c>msgctxt</c>, or null when the message has none.</param>
/// <param name="Id">The original text (<c>msgid</c>).</param>
/// <param name="IdPlural">The original plural (<c>msgid_plural</c>), or null for a singular message.</param>
/// <param name="Translations">The translations: one for a singular message, one per plural form otherwise.</param>
public sealed record MoMessage(string? Context, string Id, string? IdPlural, IReadOnlyList<string> Translations)
{
    /// <summary>The first translation (the singular form), empty when there is none.</summary>
    public string Translation => Translations.Count > 0 ? Translations[0] : "";
}

/// <summary>
/// Reader of GNU gettext binary message catalogs (<c>.mo</c> files, GNU gettext manual, "The Format of GNU MO Files"):
/// a header of 32-bit words <c>magic 0x950412de, revision, N, offset of the original table, offset of the translation table</c>
/// in the file's byte order (little or big endian, told by the magic), then two tables of N (length, offset) pairs pointing
/// at NUL-terminated strings. A key <c>context\x04msgid</c> carries a context; a plural key is <c>msgid\0msgid_plural</c> and its
/// translation holds the forms separated by NUL. Strings are decoded as UTF-8 (the charset every catalog read here declares).
/// </summary>
public static class MoCatalog
{
    /// <summary>The magic number as read in the file's own byte order.</summary>
    public const uint Magic = 0x950412de;

    /// <summary>Reads the catalog at <paramref name="path"/>; see <see cref="Parse(ReadOnlySpan{byte}, string)"/>.</summary>
    public static List<MoMessage> Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>
    /// Every message of the catalog in <paramref name="data"/>, in file order, the header entry (empty msgid) included.
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="name"/> for a file that is not a catalog, is
    /// truncated, or points outside itself.
    /// </summary>
    public static List<MoMessage> Parse(ReadOnlySpan<byte> data, string name = "catalog")
    {
        if (data.Length < 20)
            throw new InvalidDataException($"{name}: not a gettext .mo file: {data.Length} bytes, the header alone needs 20");
        bool little;
        if (ReadU32(data, 0, true) == Magic) little = true;
        else if (ReadU32(data, 0, false) == Magic) little = false;
        else throw new InvalidDataException($"{name}: not a gettext .mo file: magic 0x{ReadU32(data, 0, true):x8}, expected 0x{Magic:x8} in either byte order");
        uint revision = ReadU32(data, 4, little);
        if (revision >> 16 > 1)
            throw new InvalidDataException($"{name}: unsupported .mo major revision {revision >> 16}; expected 0 or 1");
        long count = ReadU32(data, 8, little), originals = ReadU32(data, 12, little), translations = ReadU32(data, 16, little);
        foreach (var (table, what) in new[] { (originals, "original"), (translations, "translation") })
            if (table + count * 8 > data.Length)
                throw new InvalidDataException($"{name}: truncated or corrupt: the {what} table of {count} entries at offset {table} ends at byte {table + count * 8}, past the end of the file ({data.Length} bytes)");
        var messages = new List<MoMessage>((int)count);
        for (int i = 0; i < count; i++)
        {
            string key = ReadString(data, (int)originals + 8 * i, little, name, i, "original");
            string value = ReadString(data, (int)translations + 8 * i, little, name, i, "translation");
            string? context = null;
            int ctx = key.IndexOf('\u0004');
            if (ctx >= 0) { context = key[..ctx]; key = key[(ctx + 1)..]; }
            string? plural = null;
            int nul = key.IndexOf('\0');
            if (nul >= 0) { plural = key[(nul + 1)..]; key = key[..nul]; }
            var forms = plural == null ? new[] { value } : value.Split('\0');
            messages.Add(new MoMessage(context, key, plural, forms));
        }
        return messages;
    }

    static uint ReadU32(ReadOnlySpan<byte> data, int offset, bool little) => little
        ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[offset..])
        : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);

    static string ReadString(ReadOnlySpan<byte> data, int entry, bool little, string name, int index, string what)
    {
        long length = ReadU32(data, entry, little), offset = ReadU32(data, entry + 4, little);
        if (offset + length > data.Length)
            throw new InvalidDataException($"{name}: truncated or corrupt: {what} string {index} ({length} bytes at offset {offset}) ends past the end of the file ({data.Length} bytes)");
        try
        {
            return Strict.GetString(data.Slice((int)offset, (int)length));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{name}: {what} string {index} at offset {offset} is not valid UTF-8 ({e.Message})");
        }
    }

    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
