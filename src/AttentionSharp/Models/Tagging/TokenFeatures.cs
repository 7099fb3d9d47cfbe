using System.Text;

namespace AttentionSharp.Models.Tagging;

/// <summary>
/// The hand-made feature templates of the CRF baseline, for token i of a sentence: bias; word; lower-case word;
/// prefixes and suffixes of length 1-3 (of the lower-case word); word shape (<c>Xxxx</c> -> <c>Xx</c>, <c>1,000</c> -> <c>d,d</c>);
/// capitalisation (initial capital, all capitals, at sentence start), digit and hyphen flags; lower-case words at
/// offsets -2, -1, +1, +2 and 3-letter suffixes at -1 and +1 (<c>&lt;s&gt;</c> / <c>&lt;/s&gt;</c> outside the sentence).
/// </summary>
public static class TokenFeatures
{
    /// <summary>Number of features each token gets (every template fires once).</summary>
    public const int PerToken = 20;

    /// <summary>Word shape: character classes X x d and others kept, runs collapsed (<c>McDonald's</c> -> <c>XxXx'x</c>).</summary>
    public static string Shape(string word)
    {
        var sb = new StringBuilder();
        char last = '\0';
        foreach (char ch in word)
        {
            char c = char.IsUpper(ch) ? 'X' : char.IsLower(ch) ? 'x' : char.IsDigit(ch) ? 'd' : ch;
            if (c != last) sb.Append(c);
            last = c;
        }
        return sb.ToString();
    }

    static string Affix(string s, int n, bool prefix) => s.Length < n ? "" : prefix ? s[..n] : s[^n..];

    /// <summary>The <see cref="PerToken"/> feature strings of every token of a sentence.</summary>
    public static string[][] Extract(IReadOnlyList<string> words)
    {
        int n = words.Count;
        var lower = words.Select(w => w.ToLowerInvariant()).ToArray();
        string Lower(int i) => i < 0 ? "<s>" : i >= n ? "</s>" : lower[i];
        string Suf(int i) => i < 0 ? "<s>" : i >= n ? "</s>" : Affix(lower[i], 3, false);
        var result = new string[n][];
        for (int i = 0; i < n; i++)
        {
            string w = words[i], l = lower[i];
            bool initCap = w.Length > 0 && char.IsUpper(w[0]);
            bool allCaps = w.Any(char.IsLetter) && !w.Any(char.IsLower);
            result[i] =
            [
                "bias",
                "w=" + w,
                "l=" + l,
                "p1=" + Affix(l, 1, true), "p2=" + Affix(l, 2, true), "p3=" + Affix(l, 3, true),
                "s1=" + Affix(l, 1, false), "s2=" + Affix(l, 2, false), "s3=" + Affix(l, 3, false),
                "shape=" + Shape(w),
                "cap=" + (initCap ? 1 : 0) + (allCaps ? 1 : 0) + (i == 0 ? 1 : 0),
                "digit=" + (w.Any(char.IsDigit) ? 1 : 0),
                "hyphen=" + (w.Contains('-') ? 1 : 0),
                "l-2=" + Lower(i - 2), "l-1=" + Lower(i - 1), "l+1=" + Lower(i + 1), "l+2=" + Lower(i + 2),
                "s3-1=" + Suf(i - 1), "s3+1=" + Suf(i + 1),
                "l-1|l=" + Lower(i - 1) + "|" + l,
            ];
        }
        return result;
    }
}
