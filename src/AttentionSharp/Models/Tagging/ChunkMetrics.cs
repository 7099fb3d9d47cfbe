namespace AttentionSharp.Models.Tagging;

/// <summary>A labelled span of tokens: <c>[Start, End)</c> of type <c>Type</c>.</summary>
/// <param name="Start">First token.</param>
/// <param name="End">One past the last token.</param>
/// <param name="Type">Chunk type, e.g. <c>PER</c> (empty when the tag had no type).</param>
public readonly record struct Chunk(int Start, int End, string Type);

/// <summary>
/// Token accuracy and chunk precision / recall / F1 with the semantics of the CoNLL-2000 <c>conlleval</c> script:
/// tags are <c>B-X</c>, <c>I-X</c>, <c>E-X</c>, <c>S-X</c> or <c>O</c> (a tag without a dash is its own prefix with an empty type);
/// a chunk starts at B or S, at I or E after O or after a tag of another type, and at any non-O tag whose type differs
/// from the previous one; a chunk is correct when its start, end and type all match a gold chunk.
/// F1 = 2 P R / (P + R).
/// </summary>
public sealed class ChunkMetrics
{
    /// <summary>Tokens seen.</summary>
    public long Tokens { get; private set; }
    /// <summary>Tokens whose predicted tag equals the gold tag.</summary>
    public long CorrectTokens { get; private set; }
    /// <summary>Gold chunks.</summary>
    public long GoldChunks { get; private set; }
    /// <summary>Predicted chunks.</summary>
    public long PredictedChunks { get; private set; }
    /// <summary>Predicted chunks that match a gold chunk exactly.</summary>
    public long CorrectChunks { get; private set; }

    /// <summary>Fraction of tokens tagged correctly (0 when none).</summary>
    public double Accuracy => Tokens == 0 ? 0 : (double)CorrectTokens / Tokens;
    /// <summary>Correct / predicted chunks (0 when none predicted).</summary>
    public double Precision => PredictedChunks == 0 ? 0 : (double)CorrectChunks / PredictedChunks;
    /// <summary>Correct / gold chunks (0 when no gold chunks).</summary>
    public double Recall => GoldChunks == 0 ? 0 : (double)CorrectChunks / GoldChunks;
    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Adds one sentence's gold and predicted tags (same length).</summary>
    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"gold and predicted tags must have the same length; got {gold.Count} and {predicted.Count}");
        Tokens += gold.Count;
        for (int i = 0; i < gold.Count; i++) if (gold[i] == predicted[i]) CorrectTokens++;
        var g = Chunks(gold);
        var p = Chunks(predicted);
        GoldChunks += g.Count;
        PredictedChunks += p.Count;
        var set = g.ToHashSet();
        CorrectChunks += p.Count(set.Contains);
    }

    static (string Prefix, string Type) Split(string tag)
    {
        int dash = tag.IndexOf('-');
        return dash < 0 ? (tag, "") : (tag[..dash], tag[(dash + 1)..]);
    }

    static bool EndOfChunk(string prev, string tag, string prevType, string type) =>
        (prev == "B" && tag is "B" or "S" or "O") || (prev == "I" && tag is "B" or "S" or "O") ||
        (prev == "E" && tag is "E" or "I" or "O" or "B" or "S") || prev == "S" ||
        (prev != "O" && prev != "." && prevType != type);

    static bool StartOfChunk(string prev, string tag, string prevType, string type) =>
        tag is "B" or "S" || (prev is "E" or "S" or "O" && tag is "I" or "E") ||
        (tag != "O" && tag != "." && prevType != type);

    /// <summary>The chunks of one sentence's tags, by the conlleval rules in the class summary.</summary>
    public static List<Chunk> Chunks(IReadOnlyList<string> tags)
    {
        var chunks = new List<Chunk>();
        string prev = "O", prevType = "";
        int start = -1;
        for (int i = 0; i <= tags.Count; i++)
        {
            var (tag, type) = i < tags.Count ? Split(tags[i]) : ("O", "");
            if (start >= 0 && EndOfChunk(prev, tag, prevType, type)) { chunks.Add(new Chunk(start, i, prevType)); start = -1; }
            if (i < tags.Count && StartOfChunk(prev, tag, prevType, type)) start = i;
            prev = tag; prevType = type;
        }
        return chunks;
    }
}
