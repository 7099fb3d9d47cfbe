using System.Text;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Splits text into sentences for hierarchical models. A sentence ends at a line break, or after a run of
/// <c>. ! ?</c> (or <c>…</c>) followed by whitespace or the end, or after a CJK full stop, exclamation or question
/// mark (<c>。！？</c>) directly. Blank sentences are dropped, so every sentence returned has text.
/// </summary>
public static class SentenceSplitter
{
    /// <summary>The sentences of <paramref name="text"/>, trimmed, in order.</summary>
    public static List<string> Split(string? text)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return result;
        var current = new StringBuilder();
        void Flush()
        {
            var t = current.ToString().Trim();
            if (t.Length > 0) result.Add(t);
            current.Clear();
        }
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\n' or '\r') { Flush(); continue; }
            current.Append(c);
            if (c is '。' or '！' or '？') { Flush(); continue; }
            if (c is '.' or '!' or '?' or '…')
            {
                int j = i + 1;
                while (j < text.Length && text[j] is '.' or '!' or '?' or '…' or '"' or '\'' or ')' or '”' or '’') current.Append(text[j++]);
                i = j - 1;
                if (j >= text.Length || char.IsWhiteSpace(text[j])) Flush();
            }
        }
        Flush();
        return result;
    }
}
