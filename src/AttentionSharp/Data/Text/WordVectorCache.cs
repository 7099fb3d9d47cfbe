using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Trained word vectors kept in the data cache (<c>DATA/word-vectors/skipgram-KEY.bin</c>), keyed by a SHA-256 of the
/// skip-gram settings, the source names and every token of the training text, so the same settings on the same text
/// (e.g. the fixed sources shared by all folds) are trained once, and a different text never reuses vectors.
/// </summary>
public static class WordVectorCache
{
    /// <summary>The cache sub-folder.</summary>
    public const string Folder = "word-vectors";

    static readonly ConcurrentDictionary<string, List<List<string>>> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// The vectors trained by <see cref="SkipGramEmbeddings"/> with <paramref name="options"/> on <paramref name="sources"/>
    /// (see <see cref="UnlabelledText"/>; <c>train</c> stands for <paramref name="trainTexts"/>), from the cache when
    /// present, else trained and saved there.
    /// </summary>
    public static WordVectors GetOrTrain(string dataRoot, IReadOnlyList<string> sources, IReadOnlyList<string>? trainTexts, SkipGramOptions options, TextWriter log)
    {
        options.Validate();
        var texts = new List<List<string>>();
        var sizes = new List<string>();
        foreach (var s in sources)
        {
            var part = s == UnlabelledText.Train
                ? UnlabelledText.Tokenize(trainTexts ?? throw new ArgumentException($"pretraining source '{UnlabelledText.Train}' needs the fold's training texts"))
                : Loaded.GetOrAdd(dataRoot + "\n" + s, _ => UnlabelledText.Load(s, dataRoot, log));
            texts.AddRange(part);
            sizes.Add($"{s} {part.Count:N0} sequences, {part.Sum(t => t.Count):N0} tokens");
        }
        log.WriteLine("pretraining text: " + string.Join("; ", sizes));
        string description = $"{options.Describe()} text={string.Join("+", sources)} tokens={texts.Sum(t => t.Count)}";
        string path = Path.Combine(dataRoot, Folder, $"skipgram-{Key(options, sources, texts)}.bin");
        if (File.Exists(path))
        {
            var cached = WordVectors.Load(path);
            if (cached.Dimension == options.Dimension)
            {
                log.WriteLine($"word vectors: {cached.Count:N0} words from the cache, {path}");
                return cached;
            }
        }
        var vectors = SkipGramEmbeddings.Train(texts, options, log, description);
        vectors.Save(path);
        log.WriteLine($"word vectors: {vectors.Count:N0} words saved to {path}");
        return vectors;
    }

    /// <summary>The cache key: the first 16 hex digits of SHA-256 over the settings, the source names and every token.</summary>
    public static string Key(SkipGramOptions options, IReadOnlyList<string> sources, IEnumerable<IReadOnlyList<string>> texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(options.Describe() + "\n" + string.Join(",", sources) + "\n"));
        foreach (var t in texts)
        {
            foreach (var w in t) { hash.AppendData(Encoding.UTF8.GetBytes(w)); hash.AppendData(" "u8); }
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
