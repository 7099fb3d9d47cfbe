namespace AttentionSharp.Data;

/// <summary>
/// Noun-phrase chunks derived from the Brown tags, as a CoNLL-style BIO task (<c>B-NP</c>, <c>I-NP</c>, <c>O</c>):
/// an NP is a maximal run of determiners, pre-/post-quantifiers, possessive pronouns, numbers, ordinals, adjectives
/// and nouns (possessive nouns included), cut after its last non-possessive noun; a personal pronoun alone is an NP.
/// Contractions (tags with <c>+</c>) and foreign words end a run. A rule over the gold tags, not a treebank chunking.
/// </summary>
public static class BrownChunks
{
    static readonly HashSet<string> Inside = new(StringComparer.Ordinal)
    {
        "at", "ap", "abn", "abx", "dt", "dti", "dts", "dtx", "pp$", "wp$", "cd", "od", "jj", "jjr", "jjs", "jjt",
        "nn", "nns", "np", "nps", "nr", "nrs", "nn$", "nns$", "np$", "nps$", "nr$",
    };
    static readonly HashSet<string> Heads = new(StringComparer.Ordinal) { "nn", "nns", "np", "nps", "nr", "nrs" };
    static readonly HashSet<string> Pronouns = new(StringComparer.Ordinal) { "pps", "ppss", "ppo", "ppl", "ppls", "pn" };

    static string Base(string tag)
    {
        var t = tag.ToLowerInvariant();
        foreach (var _ in Enumerable.Range(0, 3))
            foreach (var suffix in new[] { "-tl", "-hl", "-nc" })
                if (t.Length > suffix.Length && t.EndsWith(suffix, StringComparison.Ordinal)) t = t[..^suffix.Length];
        return t.StartsWith("fw-", StringComparison.Ordinal) || t.Contains('+') ? "" : t;
    }

    /// <summary>The BIO NP tags of a sentence with Brown tags.</summary>
    public static string[] Tag(IReadOnlyList<string> brownTags)
    {
        var b = brownTags.Select(Base).ToArray();
        var result = Enumerable.Repeat("O", b.Length).ToArray();
        int i = 0;
        while (i < b.Length)
        {
            if (!Inside.Contains(b[i]))
            {
                if (Pronouns.Contains(b[i])) result[i] = "B-NP";
                i++;
                continue;
            }
            int end = i;
            while (end < b.Length && Inside.Contains(b[end])) end++;
            int lastHead = -1;
            for (int j = i; j < end; j++) if (Heads.Contains(b[j])) lastHead = j;
            if (lastHead >= 0)
            {
                result[i] = "B-NP";
                for (int j = i + 1; j <= lastHead; j++) result[j] = "I-NP";
            }
            i = end;
        }
        return result;
    }

    /// <summary>The sentence with its tags replaced by NP chunk tags.</summary>
    public static TaggedSentence Convert(TaggedSentence s) => new(s.Words, Tag(s.Tags));
}
