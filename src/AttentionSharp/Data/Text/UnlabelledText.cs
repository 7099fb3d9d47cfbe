using System.Text;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Unlabelled English text for word-vector pretraining, from the project's own data sources, tokenised by
/// <see cref="Tokenizer.Text"/> exactly like the classifiers' input: <c>brown</c> (the 500 Brown corpus texts, one
/// sequence per sentence, 1.16M tokens), <c>de-en</c> (the English side of the trans-de-en dictionary, one sequence per
/// entry alternative, notes stripped), <c>polarity-docs</c> / <c>polarity-sentences</c> (the texts of a Pang &amp; Lee
/// corpus, labels never read), and <c>train</c> (a fold's own training texts, given by the caller). A task's own
/// corpus is refused as a source, since it holds that task's test folds: use <c>train</c> for its training part.
/// </summary>
public static class UnlabelledText
{
    /// <summary>The Brown corpus words.</summary>
    public const string Brown = "brown";
    /// <summary>The English side of the trans-de-en dictionary.</summary>
    public const string DeEn = "de-en";
    /// <summary>Each fold's training texts (validation and test parts excluded).</summary>
    public const string Train = "train";

    /// <summary>Every source name.</summary>
    public static string[] Names { get; } = [Brown, DeEn, TextTasks.PolarityDocs, TextTasks.PolaritySentences, Train];

    /// <summary>The default sources for <paramref name="task"/>: Brown, de-en and the Pang &amp; Lee corpus that is not the task's (both for other tasks).</summary>
    public static string DefaultFor(string task) => task switch
    {
        TextTasks.PolaritySentences => $"{Brown},{DeEn},{TextTasks.PolarityDocs}",
        TextTasks.PolarityDocs => $"{Brown},{DeEn},{TextTasks.PolaritySentences}",
        _ => $"{Brown},{DeEn},{TextTasks.PolarityDocs},{TextTasks.PolaritySentences}",
    };

    /// <summary>Parses a comma-separated source list; refuses unknown names, repeats and the task's own corpus.</summary>
    public static IReadOnlyList<string> Parse(string list, string task)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"the pretraining text needs at least one source of {string.Join(", ", Names)}; got '{list}'");
        foreach (var n in names)
        {
            if (!Names.Contains(n)) throw new ArgumentException($"unknown pretraining text source '{n}'; known: {string.Join(", ", Names)}");
            if (n == task) throw new ArgumentException($"pretraining text '{n}' is the task's own corpus and holds its test folds; use '{Train}' for each fold's training texts");
        }
        if (names.Distinct().Count() != names.Length) throw new ArgumentException($"a pretraining text source is named twice in '{list}'");
        return names;
    }

    /// <summary>The token sequences of a fixed source (not <see cref="Train"/>), fetching its dataset into <paramref name="dataRoot"/> when needed.</summary>
    public static List<List<string>> Load(string source, string dataRoot, TextWriter log) => source switch
    {
        Brown => LoadBrown(BrownCorpus.Source.Ensure(dataRoot, log)),
        DeEn => LoadDeEn(File.ReadLines(Path.Combine(TransDeEn.Source.Ensure(dataRoot, log), TransDeEn.FileName), Encoding.UTF8)),
        TextTasks.PolarityDocs or TextTasks.PolaritySentences => Tokenize(TextTasks.Load(source, dataRoot, log).Texts),
        Train => throw new ArgumentException($"source '{Train}' is a fold's training texts; the caller passes them"),
        _ => throw new ArgumentException($"unknown pretraining text source '{source}'; known: {string.Join(", ", Names)}"),
    };

    /// <summary>Each text's tokens (empty texts dropped).</summary>
    public static List<List<string>> Tokenize(IEnumerable<string> texts) =>
        texts.Select(t => Tokenizer.Text.Tokenize(t)).Where(t => t.Count > 0).ToList();

    /// <summary>Every sentence of the Brown texts in <paramref name="folder"/> (all 500, sorted by name), tags dropped.</summary>
    public static List<List<string>> LoadBrown(string folder)
    {
        var docs = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Where(BrownCorpus.IsDocumentName).Order(StringComparer.Ordinal).ToArray();
        if (docs.Length == 0) throw new InvalidDataException($"'{folder}' holds no Brown texts (files named ca01 ... cr09)");
        return Tokenize(docs.SelectMany(n => BrownCorpus.ParseDocument(File.ReadAllText(Path.Combine(folder, n)), n)).Select(s => string.Join(' ', s.Words)));
    }

    /// <summary>The English side of dictionary lines <c>German :: English</c>: one sequence per alternative (split at <c>|</c> and <c>;</c>), notes stripped.</summary>
    public static List<List<string>> LoadDeEn(IEnumerable<string> lines)
    {
        var texts = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int sep = line.IndexOf(" :: ", StringComparison.Ordinal);
            if (sep < 0) continue;
            foreach (var part in line[(sep + 4)..].Split([" | ", "; "], StringSplitOptions.RemoveEmptyEntries))
                texts.Add(TransDeEn.StripNotes(part));
        }
        return Tokenize(texts);
    }
}
