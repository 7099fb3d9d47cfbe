namespace AttentionSharp.Data.Translation;

/// <summary>One aligned sentence pair: a source sentence and its reference translation.</summary>
/// <param name="Source">Source-language text.</param>
/// <param name="Target">Target-language text (the reference).</param>
public sealed record SentencePair(string Source, string Target);

/// <summary>A translation corpus split three ways.</summary>
/// <param name="Name">Task name, e.g. <c>dates</c> or <c>de-en</c>.</param>
/// <param name="Train">Training pairs.</param>
/// <param name="Dev">Development (validation) pairs.</param>
/// <param name="Test">Test pairs.</param>
public sealed record TranslationCorpus(string Name, IReadOnlyList<SentencePair> Train, IReadOnlyList<SentencePair> Dev, IReadOnlyList<SentencePair> Test)
{
    /// <summary>
    /// A generated task's corpus: train, dev and test drawn by <paramref name="generate"/>(count, seed) with different seeds
    /// derived from <paramref name="seed"/>; a dev or test source that also occurs in train is dropped from dev/test.
    /// </summary>
    public static TranslationCorpus Generated(string name, Func<int, int, List<SentencePair>> generate, int train, int dev, int test, int seed)
    {
        var tr = generate(train, seed);
        var seen = tr.Select(p => p.Source).ToHashSet();
        var dv = generate(dev * 2, seed + 1_000_003).Where(p => !seen.Contains(p.Source)).Take(dev).ToList();
        var te = generate(test * 2, seed + 2_000_003).Where(p => !seen.Contains(p.Source)).Take(test).ToList();
        return new TranslationCorpus(name, tr, dv, te);
    }

    /// <summary>How many of the <see cref="Train"/> pairs (at its end) are extra pairs added to the training part only (e.g. dictionary words and phrases).</summary>
    public int ExtraTrain { get; init; }

    /// <summary>This corpus with <paramref name="extra"/> appended to the training part; dev and test unchanged.</summary>
    public TranslationCorpus WithExtraTraining(IReadOnlyList<SentencePair> extra) =>
        this with { Train = [.. Train, .. extra], ExtraTrain = ExtraTrain + extra.Count };

    /// <summary>Splits <paramref name="pairs"/> by a stable hash of the source text: about <paramref name="devPercent"/>% dev, as many test, the rest train.</summary>
    public static TranslationCorpus SplitByHash(string name, IEnumerable<SentencePair> pairs, int devPercent = 5)
    {
        if (devPercent < 1 || devPercent > 33) throw new ArgumentException($"devPercent must be in 1..33; got {devPercent}");
        var train = new List<SentencePair>();
        var dev = new List<SentencePair>();
        var test = new List<SentencePair>();
        foreach (var p in pairs)
        {
            int bucket = StableHash.Bucket(p.Source, 100);
            (bucket < devPercent ? dev : bucket < 2 * devPercent ? test : train).Add(p);
        }
        return new TranslationCorpus(name, train, dev, test);
    }
}

/// <summary>A hash of text that is the same on every machine and .NET version (FNV-1a over UTF-8), unlike <see cref="string.GetHashCode()"/>.</summary>
public static class StableHash
{
    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text)) { h ^= b; h *= 1099511628211UL; }
        return h;
    }

    /// <summary>The bucket in <c>0..buckets-1</c> of <paramref name="text"/>.</summary>
    public static int Bucket(string text, int buckets) => (int)(Fnv1a(text) % (ulong)buckets);
}
