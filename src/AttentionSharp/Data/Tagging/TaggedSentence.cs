namespace AttentionSharp.Data;

/// <summary>One sentence of a tagged corpus: its words and one tag per word.</summary>
public sealed record TaggedSentence
{
    /// <summary>Creates a sentence; words and tags must be non-empty and of equal length.</summary>
    public TaggedSentence(IReadOnlyList<string> words, IReadOnlyList<string> tags)
    {
        if (words.Count == 0) throw new ArgumentException("a sentence needs at least one word; got 0");
        if (words.Count != tags.Count) throw new ArgumentException($"a sentence needs one tag per word: {words.Count} words, got {tags.Count} tags");
        Words = words.ToArray();
        Tags = tags.ToArray();
    }

    /// <summary>The words.</summary>
    public string[] Words { get; }
    /// <summary>The tags, one per word.</summary>
    public string[] Tags { get; }
    /// <summary>Number of words.</summary>
    public int Length => Words.Length;
}
