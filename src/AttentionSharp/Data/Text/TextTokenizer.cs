using System.Globalization;
using System.Text;

namespace AttentionSharp.Data.Text;

/// <summary>
/// Splits text into lower-cased tokens. Rules: letters and digits form words; an apostrophe or hyphen between two
/// letters/digits stays inside the word (<c>don't</c>, <c>co-writer</c>), a dot or comma between two digits stays inside
/// the number (<c>3.5</c>, <c>1,000</c>); every other punctuation or symbol character is a token of its own; whitespace
/// separates. CJK ideographs, kana and CJK punctuation are one token per character (Chinese and Japanese are written
/// without spaces), so a Chinese review becomes a sequence of characters. Text is NFKC-normalised first (full-width
/// letters and digits become ASCII).
/// </summary>
public static class TextTokenizer
{
    /// <summary>The tokens of <paramref name="text"/>, in order; empty for null or blank text.</summary>
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text)) return tokens;
        string s = text.Normalize(NormalizationForm.FormKC);
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0) { tokens.Add(word.ToString().ToLowerInvariant()); word.Clear(); }
        }
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                // Characters outside the BMP (CJK extension B, emoji): one token each.
                Flush();
                tokens.Add(s.Substring(i, 2));
                i++;
                continue;
            }
            if (IsCjk(c)) { Flush(); tokens.Add(c.ToString()); continue; }
            if (char.IsLetterOrDigit(c) || IsCombining(c)) { word.Append(c); continue; }
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { Flush(); continue; }
            bool prevWord = word.Length > 0;
            bool nextWord = i + 1 < s.Length && char.IsLetterOrDigit(s[i + 1]) && !IsCjk(s[i + 1]);
            if (prevWord && nextWord && (c is '\'' or '\u2019' or '-'))
            {
                word.Append(c == '\u2019' ? '\'' : c);
                continue;
            }
            if (prevWord && nextWord && (c is '.' or ',') && char.IsDigit(word[^1]) && char.IsDigit(s[i + 1]))
            {
                word.Append(c);
                continue;
            }
            Flush();
            tokens.Add(c.ToString());
        }
        Flush();
        return tokens;
    }

    /// <summary>Whether <paramref name="c"/> is written without spaces and tokenised per character: CJK ideographs, kana, CJK symbols and full-width punctuation.</summary>
    public static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF'   // CJK unified ideographs
          or >= '\u3400' and <= '\u4DBF'   // extension A
          or >= '\uF900' and <= '\uFAFF'   // compatibility ideographs
          or >= '\u3040' and <= '\u30FF'   // hiragana, katakana
          or >= '\u3000' and <= '\u303F'   // CJK symbols and punctuation
          or >= '\uFF01' and <= '\uFF0F'   // full-width punctuation (left after NFKC only when unmapped)
          or >= '\uFF1A' and <= '\uFF20';

    static bool IsCombining(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
