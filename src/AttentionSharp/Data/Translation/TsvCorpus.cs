using System.Text;

namespace AttentionSharp.Data.Translation;

/// <summary>A user's corpus: UTF-8 files with one <c>source&lt;TAB&gt;target</c> pair per line.</summary>
public static class TsvCorpus
{
    /// <summary>Reads the pairs of <paramref name="path"/>; blank lines are skipped, any other line without exactly one tab is an <see cref="InvalidDataException"/>.</summary>
    public static List<SentencePair> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"TSV corpus '{path}' does not exist", path);
        var pairs = new List<SentencePair>();
        int n = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            n++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length != 2)
                throw new InvalidDataException($"{path}:{n}: expected 'source<TAB>target' (1 tab); got {parts.Length - 1} tabs");
            string s = TransDeEn.Normalise(parts[0]), t = TransDeEn.Normalise(parts[1]);
            if (s.Length == 0 || t.Length == 0) throw new InvalidDataException($"{path}:{n}: expected non-empty source and target; got an empty side");
            pairs.Add(new SentencePair(s, t));
        }
        if (pairs.Count == 0) throw new InvalidDataException($"TSV corpus '{path}' holds no pairs");
        return pairs;
    }

    /// <summary>The corpus from a train file and optional dev/test files; a missing split is held out from train by a stable hash.</summary>
    public static TranslationCorpus Load(string train, string? dev, string? test)
    {
        var all = Read(train);
        IReadOnlyList<SentencePair> tr = all, dv, te;
        if (dev != null && test != null) return new TranslationCorpus("tsv", all, Read(dev), Read(test));
        var split = TranslationCorpus.SplitByHash("tsv", all);
        tr = split.Train;
        dv = dev != null ? Read(dev) : split.Dev;
        te = test != null ? Read(test) : split.Test;
        if (dev != null) tr = [.. tr, .. split.Dev];
        if (test != null) tr = [.. tr, .. split.Test];
        return new TranslationCorpus("tsv", tr, dv, te);
    }
}
