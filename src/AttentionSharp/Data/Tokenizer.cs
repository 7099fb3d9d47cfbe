using System.Globalization;
using System.Text;

namespace AttentionSharp.Data;

/// <summary>Which characters are written without spaces and so become one token each.</summary>
public enum CjkTokens
{
    /// <summary>The CJK unified ideographs (U+4E00-U+9FFF) only; kana join words like letters.</summary>
    Ideographs,
    /// <summary>Ideographs (with extension A and the compatibility block), hiragana, katakana, CJK symbols and full-width punctuation.</summary>
    IdeographsKanaAndPunctuation,
}

/// <summary>
/// The rules of a <see cref="Tokenizer"/>. The two presets are the project's two uses: <see cref="Text"/> (vocabularies of
/// the text classifiers, relation extraction, the n-gram peers) and <see cref="Translation"/> (translation vocabularies,
/// byte-pair encoding and <see cref="AttentionSharp.Training.Bleu"/>, so BLEU is computed on these tokens).
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>Unicode normalisation applied first: FormKC maps full-width letters and digits to ASCII, FormC keeps them.</summary>
    public NormalizationForm Normalization { get; init; } = NormalizationForm.FormKC;

    /// <summary>Lower-case every token (invariant culture).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Letters and digits form one word (<c>mp3</c>); when false, letter runs and number runs are separate tokens (<c>mp</c> <c>3</c>).</summary>
    public bool LettersAndDigitsInOneWord { get; init; } = true;

    /// <summary>Which characters are tokens of their own because their scripts are written without spaces.</summary>
    public CjkTokens Cjk { get; init; } = CjkTokens.IdeographsKanaAndPunctuation;

    /// <summary>Replace the right single quotation mark (U+2019) by the ASCII apostrophe everywhere, not only inside words.</summary>
    public bool AsciiApostrophes { get; init; }

    /// <summary>Strings kept as one token wherever they occur (e.g. <c>&lt;unk&gt;</c>, which a word-level model may output).</summary>
    public IReadOnlyList<string> KeepWhole { get; init; } = [];

    /// <summary>NFKC, letters and digits in one word, CJK and kana per character: the text classifiers' tokens.</summary>
    public static TokenizerOptions Text { get; } = new();

    /// <summary>NFC, letter runs apart from number runs, ideographs per character, ASCII apostrophes, <c>&lt;unk&gt;</c> whole: the tokens BLEU is computed on.</summary>
    public static TokenizerOptions Translation { get; } = new()
    {
        Normalization = NormalizationForm.FormC,
        LettersAndDigitsInOneWord = false,
        Cjk = CjkTokens.Ideographs,
        AsciiApostrophes = true,
        KeepWhole = ["<unk>"],
    };
}

/// <summary>
/// Splits text into tokens. Rules, after Unicode normalisation: letters, digits and combining marks form words (with
/// <see cref="TokenizerOptions.LettersAndDigitsInOneWord"/> false, letter runs and number runs are separate); an
/// apostrophe (<c>'</c> or U+2019) or hyphen between two word characters stays inside the word (<c>don't</c>,
/// <c>co-writer</c>), a dot or comma between two digits stays inside the number (<c>3.5</c>, <c>1,000</c>); CJK characters
/// (<see cref="TokenizerOptions.Cjk"/>) and characters outside the BMP (emoji) are one token each; every other punctuation or
/// symbol character is a token of its own; whitespace and control characters separate.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>The text classifiers' tokenizer (<see cref="TokenizerOptions.Text"/>).</summary>
    public static Tokenizer Text { get; } = new(TokenizerOptions.Text);

    /// <summary>The translation tokenizer (<see cref="TokenizerOptions.Translation"/>), on which BLEU is computed.</summary>
    public static Tokenizer Translation { get; } = new(TokenizerOptions.Translation);

    readonly TokenizerOptions _options;

    /// <summary>A tokenizer with the given rules.</summary>
    public Tokenizer(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var k in options.KeepWhole)
            if (string.IsNullOrEmpty(k) || k.Any(char.IsWhiteSpace))
                throw new ArgumentException($"TokenizerOptions.KeepWhole must hold non-empty strings without whitespace; got '{k}'");
        _options = options;
    }

    /// <summary>The rules this tokenizer applies.</summary>
    public TokenizerOptions Options => _options;

    /// <summary>The tokens of <paramref name="text"/>, in order; empty for null or blank text.</summary>
    public List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text)) return tokens;
        var o = _options;
        string s = text.Normalize(o.Normalization);
        if (o.AsciiApostrophes) s = s.Replace('\u2019', '\'');
        var word = new StringBuilder();
        bool numberRun = false; // whether the word being read began with a number (letters and digits apart)
        void Add(string t) => tokens.Add(o.LowerCase ? t.ToLowerInvariant() : t);
        void Flush()
        {
            if (word.Length > 0) { Add(word.ToString()); word.Clear(); }
        }
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            string? kept = KeptAt(s, i);
            if (kept != null)
            {
                Flush();
                tokens.Add(kept);
                i += kept.Length - 1;
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                Flush();
                Add(s.Substring(i, 2));
                i++;
                continue;
            }
            if (IsCjk(c, o.Cjk)) { Flush(); Add(c.ToString()); continue; }
            if (IsWordChar(c))
            {
                // A letter run and a number run are separate words unless letters and digits join.
                if (!o.LettersAndDigitsInOneWord && word.Length > 0 && IsNumber(c) != numberRun && !IsCombining(c)) Flush();
                if (word.Length == 0) numberRun = IsNumber(c);
                word.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { Flush(); continue; }
            bool prevWord = word.Length > 0;
            bool nextWord = i + 1 < s.Length && IsWordChar(s[i + 1]) && !IsCombining(s[i + 1]) && !IsCjk(s[i + 1], o.Cjk);
            if (prevWord && nextWord && (c is '\'' or '\u2019' or '-')
                && (o.LettersAndDigitsInOneWord || (!numberRun && !IsNumber(s[i + 1]))))
            {
                word.Append(c == '\u2019' ? '\'' : c);
                continue;
            }
            if (prevWord && nextWord && (c is '.' or ',') && IsNumber(word[^1]) && IsNumber(s[i + 1]))
            {
                word.Append(c);
                continue;
            }
            Flush();
            Add(c.ToString());
        }
        Flush();
        return tokens;
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

    /// <summary>Whether <paramref name="c"/> is written without spaces and tokenised per character under <paramref name="rule"/>.</summary>
    public static bool IsCjk(char c, CjkTokens rule = CjkTokens.IdeographsKanaAndPunctuation) => rule switch
    {
        CjkTokens.Ideographs => c is >= '\u4E00' and <= '\u9FFF',
        _ => c is >= '\u4E00' and <= '\u9FFF'   // CJK unified ideographs
              or >= '\u3400' and <= '\u4DBF'   // extension A
              or >= '\uF900' and <= '\uFAFF'   // compatibility ideographs
              or >= '\u3040' and <= '\u30FF'   // hiragana, katakana
              or >= '\u3000' and <= '\u303F'   // CJK symbols and punctuation
              or >= '\uFF01' and <= '\uFF0F'   // full-width punctuation (left after NFKC only when unmapped)
              or >= '\uFF1A' and <= '\uFF20',
    };

    string? KeptAt(string s, int i)
    {
        var comparison = _options.LowerCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var k in _options.KeepWhole)
            if (i + k.Length <= s.Length && string.Compare(s, i, k, 0, k.Length, comparison) == 0)
                return _options.LowerCase ? k.ToLowerInvariant() : k;
        return null;
    }

    static bool IsWordChar(char c) => char.IsLetter(c) || IsNumber(c) || IsCombining(c);
    static bool IsNumber(char c) => char.IsNumber(c);
    static bool IsCombining(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
