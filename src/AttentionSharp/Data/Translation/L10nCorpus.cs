using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// One Debian package whose German gettext catalogs feed the localisation corpus: its files (embedded manifest
/// <c>l10n-de-PACKAGE.txt</c>: name, size, MD5 of each <c>.mo</c>) and the folder that holds them in the package.
/// </summary>
/// <param name="Package">Debian package name (bookworm).</param>
/// <param name="Folder">Folder of the catalogs inside the package's file system.</param>
public sealed record L10nPackage(string Package, string Folder)
{
    /// <summary>The dataset as the cache knows it: <c>l10n-de-PACKAGE</c>, obtained with <c>apt-get download PACKAGE</c>.</summary>
    public DatasetSource Source { get; } = new("l10n-de-" + Package, $"German gettext catalogs of Debian {Package}",
        DataFile.ReadManifest($"l10n-de-{Package}.txt"), [new DebianRoute(Package, n => Folder + n)]);
}

/// <summary>Counts of the corpus build, for the log and RESULTS.</summary>
/// <param name="Messages">Messages read (singular and plural forms counted separately, headers excluded).</param>
/// <param name="Empty">Dropped: empty English or German side (untranslated) after cleaning.</param>
/// <param name="Identical">Dropped: German equal to English.</param>
/// <param name="PlaceholderOnly">Dropped: no letter outside placeholders on the English side.</param>
/// <param name="PlaceholderMismatch">Dropped: a German placeholder with no English counterpart.</param>
/// <param name="Credits">Dropped: translator-credit entries.</param>
/// <param name="Duplicates">Dropped: the same (English, German) pair seen before.</param>
/// <param name="Kept">Pairs kept.</param>
public sealed record L10nStats(int Messages, int Empty, int Identical, int PlaceholderOnly, int PlaceholderMismatch, int Credits, int Duplicates, int Kept);

/// <summary>
/// English-German software-localisation pairs (the kind of corpus OPUS's GNOME, KDE4 and Ubuntu sets are) from the German
/// gettext catalogs (<see cref="MoCatalog"/>) shipped in <see cref="Packages"/>. Each message gives a pair (msgid, msgstr),
/// a plural message two (singular and plural forms). A side is cleaned by <see cref="Clean"/>: markup tags removed and
/// entities decoded, the keyboard-accelerator marker (<c>~</c>, <c>_</c> or <c>&amp;</c>) removed, format specifiers replaced by
/// numbered placeholder words, whitespace collapsed. Empty, identical, placeholder-only and translator-credit pairs are
/// dropped, exact duplicates removed, and the pairs split by a stable hash of the English side (5% dev, 5% test), so that
/// no English text is in two parts.
/// </summary>
public static partial class L10nCorpus
{
    const string Locale = "usr/share/locale/de/LC_MESSAGES/";

    /// <summary>
    /// The packages, largest first (Debian 12 bookworm versions in the manifests): LibreOffice's German resources, GCC 12's
    /// compiler messages, GIMP, Inkscape, digiKam, Gramps, VLC, Evolution, Git, GnuCash, util-linux, Audacity, Gnumeric,
    /// Freeciv (its core catalog), GTK 3, Claws Mail, Pidgin, GnuPG, coreutils, FileZilla, evolution-data-server, the GNU C
    /// library, dpkg, GNOME Builder, binutils, Rhythmbox, gettext, tar, APT and GNOME Settings (its main catalog).
    /// </summary>
    public static IReadOnlyList<L10nPackage> Packages { get; } =
    [
        new("libreoffice-l10n-de", "usr/lib/libreoffice/program/resource/de/LC_MESSAGES/"),
        .. new[]
        {
            "gcc-12-locales", "gimp-data", "inkscape", "digikam-data", "gramps", "vlc-l10n", "evolution-common", "git", "gnucash-common",
            "util-linux-locales", "audacity-data", "gnumeric-common", "freeciv-data", "libgtk-3-common", "claws-mail-i18n", "pidgin-data",
            "gnupg-l10n", "coreutils", "filezilla-common", "evolution-data-server-common", "libc-l10n", "dpkg", "gnome-builder",
            "binutils-common", "rhythmbox-data", "gettext", "tar", "apt", "gnome-control-center-data",
        }.Select(p => new L10nPackage(p, Locale)),
    ];

    /// <summary>Task names: English to German and German to English (same pairs, same split).</summary>
    public const string EnDe = "l10n-en-de", DeEn = "l10n-de-en";

    /// <summary>Loads (obtaining and verifying the packages' catalogs first when needed) and splits the corpus; <paramref name="reverse"/> gives German to English.</summary>
    public static TranslationCorpus Load(string cacheRoot, TextWriter log, bool reverse)
    {
        var messages = new List<MoMessage>();
        foreach (var p in Packages)
        {
            string folder = p.Source.Ensure(cacheRoot, log);
            foreach (var f in p.Source.Files) messages.AddRange(MoCatalog.Read(Path.Combine(folder, f.Name)));
        }
        var (pairs, stats) = Build(messages);
        log.WriteLine($"l10n corpus: {Packages.Count} packages, {stats.Messages} messages; dropped {stats.Empty} empty, {stats.Identical} identical, " +
                      $"{stats.PlaceholderOnly} placeholder-only, {stats.PlaceholderMismatch} placeholder-mismatched, {stats.Credits} credits, " +
                      $"{stats.Duplicates} duplicate; {stats.Kept} pairs kept");
        var split = Split(pairs, reverse: false);
        foreach (var (part, ps) in new[] { ("train", split.Train), ("dev", split.Dev), ("test", split.Test) })
        {
            var e = LengthStats(ps.Select(p => p.Source));
            var g = LengthStats(ps.Select(p => p.Target));
            log.WriteLine($"  {part}: {ps.Count} pairs, {ps.Select(p => p.Source).Distinct().Count()} distinct English; words per side (English / German): " +
                          $"mean {e.Mean:F1} / {g.Mean:F1}, median {e.Median} / {g.Median}, 90th percentile {e.P90} / {g.P90}, max {e.Max} / {g.Max}; " +
                          $"{ps.Count(p => Tokenizer.Translation.Tokenize(p.Source).Count >= 6)} with >= 6 English words");
        }
        return Split(pairs, reverse);
    }

    /// <summary>Obtains and verifies every package's catalogs (<c>attn data get l10n-de</c>); returns the cache folders.</summary>
    public static List<string> EnsureAll(string cacheRoot, TextWriter log) => Packages.Select(p => p.Source.Ensure(cacheRoot, log)).ToList();

    /// <summary>The name <c>attn data get</c> knows for all of <see cref="Packages"/> at once.</summary>
    public const string AllName = "l10n-de";

    /// <summary>Splits English-German <paramref name="pairs"/> by a stable hash of the English side (5% dev, 5% test), reversed into German-English when asked.</summary>
    public static TranslationCorpus Split(IReadOnlyList<SentencePair> pairs, bool reverse)
    {
        var split = TranslationCorpus.SplitByHash(EnDe, pairs);
        if (!reverse) return split;
        static List<SentencePair> Flip(IReadOnlyList<SentencePair> ps) => ps.Select(p => new SentencePair(p.Target, p.Source)).ToList();
        return new TranslationCorpus(DeEn, Flip(split.Train), Flip(split.Dev), Flip(split.Test));
    }

    /// <summary>The cleaned, filtered, de-duplicated English-German pairs of <paramref name="messages"/>, in order, and the counts.</summary>
    public static (List<SentencePair> Pairs, L10nStats Stats) Build(IEnumerable<MoMessage> messages)
    {
        int read = 0, empty = 0, identical = 0, placeholderOnly = 0, mismatch = 0, credits = 0, duplicates = 0;
        var seen = new HashSet<(string, string)>();
        var pairs = new List<SentencePair>();
        foreach (var m in messages)
        {
            if (m.Id.Length == 0 && m.IdPlural == null) continue;   // the catalog header
            var raw = new List<(string En, string De)> { (m.Id, m.Translation) };
            if (m.IdPlural != null) raw.Add((m.IdPlural, m.Translations.Count > 1 ? m.Translations[1] : ""));
            foreach (var (en, de) in raw)
            {
                read++;
                if (IsCredits(en)) { credits++; continue; }
                var cleaned = Clean(en, de);
                switch (cleaned.Verdict)
                {
                    case PairVerdict.Empty: empty++; continue;
                    case PairVerdict.Identical: identical++; continue;
                    case PairVerdict.PlaceholderOnly: placeholderOnly++; continue;
                    case PairVerdict.PlaceholderMismatch: mismatch++; continue;
                }
                if (!seen.Add((cleaned.English, cleaned.German))) { duplicates++; continue; }
                pairs.Add(new SentencePair(cleaned.English, cleaned.German));
            }
        }
        return (pairs, new L10nStats(read, empty, identical, placeholderOnly, mismatch, credits, duplicates, pairs.Count));
    }

    /// <summary>Whether <paramref name="english"/> is a translator-credit key (its "translation" is people's names).</summary>
    public static bool IsCredits(string english) =>
        english is "translator-credits" or "translator_credits" or "TRANSLATORS" or "Your names" or "Your emails" or "NAME OF TRANSLATORS" or "EMAIL OF TRANSLATORS"
        || english.StartsWith("translator-credits", StringComparison.Ordinal);

    /// <summary>What <see cref="Clean"/> decided about a pair.</summary>
    public enum PairVerdict
    {
        /// <summary>Kept.</summary>
        Kept,
        /// <summary>A side is empty after cleaning.</summary>
        Empty,
        /// <summary>The two sides are equal after cleaning.</summary>
        Identical,
        /// <summary>The English side has no letter outside placeholders.</summary>
        PlaceholderOnly,
        /// <summary>The German side has a placeholder the English side lacks.</summary>
        PlaceholderMismatch,
    }

    /// <summary>A cleaned pair and the verdict.</summary>
    /// <param name="English">Cleaned English side.</param>
    /// <param name="German">Cleaned German side.</param>
    /// <param name="Verdict">Kept or why dropped.</param>
    public sealed record CleanedPair(string English, string German, PairVerdict Verdict);

    /// <summary>
    /// Format specifiers, in the forms the catalogs use: printf (<c>%s</c>, <c>%d</c>, <c>%-10s</c>, <c>%.2f</c>, <c>%lu</c>,
    /// <c>%1$s</c>, <c>%'d</c>, <c>%zu</c>, <c>%&lt;PRIu64&gt;</c>), Qt/KDE <c>%1</c>, Python <c>%(name)s</c>, braces <c>{0}</c> / <c>{name}</c>,
    /// LibreOffice <c>$(ARG1)</c>, <c>%PRODUCTNAME</c>-style variables and shell <c>${NAME}</c>/<c>$NAME</c>. <c>%%</c> is a literal
    /// percent sign (matched first so that it is not read as a specifier).
    /// </summary>
    [GeneratedRegex(@"%%|%\((?<name>[A-Za-z_][A-Za-z0-9_]*)\)[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]|%(?<pos>\d+)\$[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcsSpn]|%(?<var>[A-Z][A-Z0-9_]{2,})|%[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t|I64)?(?:[diouxXeEfFgGaAcsSpn]|<PRI[a-zA-Z0-9]+>)|%(?<qt>[1-9]\d?)(?!\d)|\{(?<brace>\d+)\}|\{(?<bname>[A-Za-z_][A-Za-z0-9_]*)\}|\$\((?<lo>[A-Za-z][A-Za-z0-9_]*)\)|\$\{(?<sh>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Specifier();

    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")]
    private static partial Regex Markup();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>The accelerator characters, each tried in turn.</summary>
    static readonly char[] Accelerators = ['~', '_', '&'];

    /// <summary>
    /// Cleans one pair: (1) markup tags (<c>&lt;b&gt;</c>, <c>&lt;span ...&gt;</c>) removed; (2) the accelerator marker removed:
    /// the first of <c>~ _ &amp;</c> that occurs on the English side exactly once directly before a letter or digit (not doubled,
    /// not an entity like <c>&amp;amp;</c>) is removed there, and on the German side where it also occurs exactly once so;
    /// (3) entities decoded; (4) format specifiers replaced by placeholder words <c>pha</c>, <c>phb</c> ... numbered in order of
    /// first appearance on the English side; the German side's specifier gets the English one's word when they match by
    /// position (<c>%1$s</c>, <c>%1</c> and the first plain <c>%s</c> all mean argument 1), by name, or by identical text;
    /// (5) whitespace collapsed, Unicode NFC.
    /// </summary>
    public static CleanedPair Clean(string english, string german)
    {
        string en = Markup().Replace(english, " "), de = Markup().Replace(german, " ");
        foreach (char a in Accelerators)
        {
            if (AcceleratorAt(en, a) is not int i) continue;
            en = en.Remove(i, 1);
            if (AcceleratorAt(de, a) is int j) de = de.Remove(j, 1);
            break;
        }
        en = WebUtility.HtmlDecode(en);
        de = WebUtility.HtmlDecode(de);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        en = Specifier().Replace(en, PlaceholderReplacer(names, addNew: true, out _));
        de = Specifier().Replace(de, PlaceholderReplacer(names, addNew: false, out var missing));
        en = Finish(en);
        de = Finish(de);
        if (en.Length == 0 || de.Length == 0) return new CleanedPair(en, de, PairVerdict.Empty);
        if (missing[0] > 0) return new CleanedPair(en, de, PairVerdict.PlaceholderMismatch);
        if (string.Equals(en, de, StringComparison.Ordinal)) return new CleanedPair(en, de, PairVerdict.Identical);
        if (!HasWordOutsidePlaceholders(en)) return new CleanedPair(en, de, PairVerdict.PlaceholderOnly);
        return new CleanedPair(en, de, PairVerdict.Kept);
    }

    static string Finish(string s) => Spaces().Replace(s.Normalize(NormalizationForm.FormC), " ").Trim();

    /// <summary>Whether a letter occurs outside the placeholder words.</summary>
    static bool HasWordOutsidePlaceholders(string text) =>
        text.Split(' ').Any(w => !IsPlaceholderWord(w.Trim(',', '.', ':', ';', '(', ')', '"', '\'')) && w.Any(char.IsLetter));

    /// <summary>Whether <paramref name="word"/> is one of the placeholder words <c>pha</c> .. <c>phz</c>.</summary>
    public static bool IsPlaceholderWord(string word) => word.Length == 3 && word[0] == 'p' && word[1] == 'h' && word[2] is >= 'a' and <= 'z';

    /// <summary>The placeholder word of the <paramref name="index"/>-th (0-based) distinct specifier (<c>pha</c>, <c>phb</c> ..., <c>phz</c> from the 26th on).</summary>
    public static string PlaceholderWord(int index) => "ph" + (char)('a' + Math.Min(index, 25));

    static MatchEvaluator PlaceholderReplacer(Dictionary<string, string> names, bool addNew, out int[] missing)
    {
        int plain = 0;
        var miss = new int[1];
        missing = miss;
        return m =>
        {
            if (m.Value == "%%") return "%";
            string key = SpecifierKey(m, ref plain);
            if (names.TryGetValue(key, out var word) || (!addNew && names.TryGetValue("text:" + m.Value, out word))) return " " + word + " ";
            if (!addNew) { miss[0]++; return " "; }
            word = PlaceholderWord(names.Values.Distinct().Count());
            names[key] = word;
            names.TryAdd("text:" + m.Value, word);
            return " " + word + " ";
        };
    }

    /// <summary>What a specifier refers to: an argument position (printf positional or plain, Qt), a name, or a zero-based brace index.</summary>
    static string SpecifierKey(Match m, ref int plain)
    {
        if (m.Groups["pos"].Success) return "arg:" + int.Parse(m.Groups["pos"].Value);
        if (m.Groups["qt"].Success) return "arg:" + int.Parse(m.Groups["qt"].Value);
        if (m.Groups["brace"].Success) return "brace:" + m.Groups["brace"].Value;
        foreach (var g in new[] { "name", "var", "bname", "lo", "sh" })
            if (m.Groups[g].Success) return "name:" + m.Groups[g].Value;
        return "arg:" + ++plain;
    }

    /// <summary>The index of <paramref name="marker"/> when it occurs in <paramref name="text"/> exactly once as an accelerator (directly before a letter or digit, not doubled, not an entity); else null.</summary>
    public static int? AcceleratorAt(string text, char marker)
    {
        int? found = null;
        for (int i = 0; i < text.Length - 1; i++)
        {
            if (text[i] != marker) continue;
            if (text[i + 1] == marker) { i++; continue; }        // doubled: a literal marker
            if (!char.IsLetterOrDigit(text[i + 1])) continue;
            if (marker == '&' && IsEntity(text, i)) continue;
            if (found != null) return null;                      // more than one: not an accelerator
            found = i;
        }
        return found;
    }

    static bool IsEntity(string text, int amp)
    {
        int semi = text.IndexOf(';', amp);
        return semi > amp + 1 && semi - amp <= 10 && text.AsSpan(amp + 1, semi - amp - 1).ToString() is var e
               && (e.All(char.IsLetter) || (e[0] == '#' && e.Length > 1 && e[1..].All(c => char.IsDigit(c) || c is 'x' or 'X' || Uri.IsHexDigit(c))));
    }

    /// <summary>Length statistics of one side: count, mean, median, 90th percentile and maximum words (<see cref="Tokenizer.Translation"/> tokens).</summary>
    public static (int Count, double Mean, int Median, int P90, int Max) LengthStats(IEnumerable<string> texts)
    {
        var n = texts.Select(t => Tokenizer.Translation.Tokenize(t).Count).OrderBy(x => x).ToArray();
        if (n.Length == 0) return (0, 0, 0, 0, 0);
        return (n.Length, n.Average(), n[n.Length / 2], n[(int)(0.9 * (n.Length - 1))], n[^1]);
    }
}
