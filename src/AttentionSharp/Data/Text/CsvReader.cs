using System.Text;

namespace AttentionSharp.Data.Text;

/// <summary>Reads comma-separated values (RFC 4180): quoted fields may hold commas, line breaks and doubled quotes <c>""</c>; a UTF-8 byte-order mark is skipped.</summary>
public static class CsvReader
{
    /// <summary>All records of <paramref name="path"/> (UTF-8); throws <see cref="InvalidDataException"/> naming the line of a malformed record.</summary>
    public static List<string[]> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist", path);
        using var reader = new StreamReader(path, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true);
        try { return Read(reader, path); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"'{path}' is not valid UTF-8: {e.Message}"); }
    }

    /// <summary>All records read from <paramref name="reader"/>; blank lines are skipped; <paramref name="source"/> names the input in errors.</summary>
    public static List<string[]> Read(TextReader reader, string source = "CSV input")
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false, quoted = false, any = false;
        int line = 1, recordLine = 1;
        int c;
        void EndField() { fields.Add(field.ToString()); field.Clear(); quoted = false; }
        void EndRecord()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0)) records.Add(fields.ToArray());
            fields.Clear(); any = false;
        }
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (ch == '\uFEFF' && records.Count == 0 && !any && field.Length == 0) continue;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else { if (ch == '\n') line++; field.Append(ch); }
                continue;
            }
            switch (ch)
            {
                case '"':
                    if (field.Length > 0 || quoted)
                        throw new InvalidDataException($"{source}, line {line}: a quote inside an unquoted field; expected the field to be quoted with \"\" for quotes inside");
                    inQuotes = true; quoted = true; any = true;
                    break;
                case ',':
                    EndField(); any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord(); line++; recordLine = line;
                    break;
                default:
                    if (quoted) throw new InvalidDataException($"{source}, line {line}: text after a closing quote; expected ',' or the end of the record");
                    field.Append(ch); any = true;
                    break;
            }
        }
        if (inQuotes) throw new InvalidDataException($"{source}: the quoted field that starts on line {recordLine} is never closed");
        if (any || field.Length > 0 || fields.Count > 0) EndRecord();
        return records;
    }
}
