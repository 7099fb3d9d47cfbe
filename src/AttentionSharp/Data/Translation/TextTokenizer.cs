using System.Text;
using System.Text.RegularExpressions;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// The project's word tokenisation, used by word vocabularies and by <see cref="AttentionSharp.Training.Bleu"/>:
/// Unicode NFC, lower-case (invariant culture), then tokens are (1) single CJK ideographs, (2) letter runs with inner
/// apostrophes or hyphens (<c>didn't</c>, <c>e-mail</c>), (3) digit runs with inner <c>.</c>/<c>,</c> (<c>3.5</c>),
/// (4) any other single non-space character (punctuation). Whitespace only separates. The unknown-word symbol
/// <c>&lt;unk&gt;</c> that a word-level model may output stays one token, so in BLEU it counts as one hypothesis token
/// that matches no reference word (instead of three tokens <c>&lt;</c> <c>unk</c> <c>&gt;</c>).
/// </summary>
public static partial class TextTokenizer
{
    [GeneratedRegex(@"<unk>|\p{IsCJKUnifiedIdeographs}|[\p{L}\p{M}]+(?:['\-][\p{L}\p{M}]+)*|\p{N}+(?:[.,]\p{N}+)*|[^\s\p{L}\p{M}\p{N}]")]
    private static partial Regex Token();

    /// <summary>The tokens of <paramref name="text"/>.</summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var norm = text.Normalize(NormalizationForm.FormC).ToLowerInvariant().Replace('\u2019', '\'');
        return Token().Matches(norm).Select(m => m.Value).ToList();
    }

    /// <summary>Joins tokens with spaces, without a space before closing punctuation or after opening brackets.</summary>
    public static string Detokenize(IEnumerable<string> tokens)
    {
        var sb = new StringBuilder();
        bool glueNext = true;
        foreach (var t in tokens)
        {
            bool closing = t is "." or "," or "!" or "?" or ";" or ":" or ")" or "]" or "%";
            if (sb.Length > 0 && !glueNext && !closing) sb.Append(' ');
            sb.Append(t);
            glueNext = t is "(" or "[";
        }
        return sb.ToString();
    }
}
