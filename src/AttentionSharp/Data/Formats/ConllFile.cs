using System.Text;

namespace AttentionSharp.Data;

/// <summary>One sentence of a CoNLL column file: its rows of columns (first = token, last = tag when tagged).</summary>
/// <param name="Rows">The columns of each token line.</param>
/// <param name="FirstLine">1-based line number of the sentence's first token (for messages).</param>
public sealed record ConllSentence(IReadOnlyList<string[]> Rows, int FirstLine)
{
    /// <summary>The tokens (first column).</summary>
    public string[] Tokens => Rows.Select(r => r[0]).ToArray();
    /// <summary>The tags (last column); only meaningful in files with at least two columns.</summary>
    public string[] Tags => Rows.Select(r => r[^1]).ToArray();
}

/// <summary>
/// Reads and writes CoNLL column files: one token a line, columns separated by spaces or tabs, the token first and
/// the tag (BIO or any label) last, sentences separated by blank lines; <c>-DOCSTART-</c> lines are skipped.
/// Errors are <see cref="InvalidDataException"/>s naming file and line.
/// </summary>
public static class ConllFile
{
    /// <summary>Reads sentences; every token line must have the same number of columns (at least <paramref name="minColumns"/>).</summary>
    public static List<ConllSentence> Read(string path, int minColumns = 2)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CoNLL file '{path}' does not exist", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, path, minColumns);
    }

    /// <summary>Parses CoNLL text from a reader; <paramref name="name"/> names it in messages.</summary>
    public static List<ConllSentence> Parse(TextReader reader, string name, int minColumns = 2)
    {
        var sentences = new List<ConllSentence>();
        var rows = new List<string[]>();
        int lineNo = 0, first = 0, columns = -1, columnsLine = 0;
        void Flush()
        {
            if (rows.Count > 0) sentences.Add(new ConllSentence(rows.ToArray(), first));
            rows.Clear();
        }
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            var cols = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length == 0) { Flush(); continue; }
            if (cols[0] == "-DOCSTART-") { Flush(); continue; }
            if (cols.Length < minColumns)
                throw new InvalidDataException($"{name} line {lineNo}: expected at least {minColumns} columns (token ... tag); got {cols.Length}: '{line.Trim()}'");
            if (columns < 0) { columns = cols.Length; columnsLine = lineNo; }
            else if (cols.Length != columns)
                throw new InvalidDataException($"{name} line {lineNo}: misaligned columns: expected {columns} (as on line {columnsLine}); got {cols.Length}: '{line.Trim()}'");
            if (rows.Count == 0) first = lineNo;
            rows.Add(cols);
        }
        Flush();
        if (sentences.Count == 0) throw new InvalidDataException($"{name} holds no sentences (only blank lines or -DOCSTART-); expected token lines");
        return sentences;
    }

    /// <summary>Reads tagged sentences: tokens from the first column, tags from the last.</summary>
    public static List<TaggedSentence> ReadTagged(string path) =>
        Read(path, 2).Select(s => new TaggedSentence(s.Tokens, s.Tags)).ToList();

    /// <summary>Checks that every tag is in <paramref name="known"/>, naming file, line and the known tags otherwise.</summary>
    public static void CheckTags(IReadOnlyList<ConllSentence> sentences, ISet<string> known, string name)
    {
        foreach (var s in sentences)
            for (int i = 0; i < s.Rows.Count; i++)
                if (!known.Contains(s.Rows[i][^1]))
                    throw new InvalidDataException($"{name} line {s.FirstLine + i}: tag '{s.Rows[i][^1]}' is not in the model's tag set " +
                                                   $"({string.Join(" ", known.Order(StringComparer.Ordinal))})");
    }

    /// <summary>Writes sentences atomically: each row's columns plus the extra column of <paramref name="extra"/>, tab-separated.</summary>
    public static void Write(string path, IReadOnlyList<ConllSentence> sentences, IReadOnlyList<IReadOnlyList<string>>? extra = null)
    {
        if (extra != null && extra.Count != sentences.Count)
            throw new ArgumentException($"one extra column per sentence needed: {sentences.Count} sentences, got {extra.Count}");
        var sb = new StringBuilder();
        for (int s = 0; s < sentences.Count; s++)
        {
            var rows = sentences[s].Rows;
            if (extra != null && extra[s].Count != rows.Count)
                throw new ArgumentException($"sentence {s + 1} has {rows.Count} tokens; got {extra[s].Count} extra values");
            for (int i = 0; i < rows.Count; i++)
            {
                sb.Append(string.Join('\t', rows[i]));
                if (extra != null) sb.Append('\t').Append(extra[s][i]);
                sb.Append('\n');
            }
            sb.Append('\n');
        }
        Training.AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes tagged sentences as <c>token TAB tag</c> lines.</summary>
    public static void WriteTagged(string path, IReadOnlyList<TaggedSentence> sentences) =>
        Write(path, sentences.Select((s, i) => new ConllSentence(s.Words.Zip(s.Tags, (w, t) => new[] { w, t }).ToArray(), 0)).ToList());
}
