using System.Globalization;

namespace AttentionSharp.Data.Translation;

/// <summary>
/// The generated date-normalisation task: a date written by a person in one of several cultures (month and day names from
/// .NET <see cref="CultureInfo"/>: en-US, en-GB, de-DE, fr-FR, es-ES, zh-CN) and format, to ISO <c>yyyy-MM-dd</c>.
/// Deterministic by seed (given the same ICU culture data). Unambiguous: the only all-numeric day/month order is the US <c>M/d/yyyy</c>
/// (with slashes), the others use dots (<c>dd.MM.yyyy</c>) or put the year first (<c>yyyy/M/d</c>).
/// </summary>
public static class DateTask
{
    /// <summary>The cultures whose month and day names are used.</summary>
    public static readonly string[] Cultures = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "zh-CN"];

    static readonly string[] CommonFormats = ["d MMMM yyyy", "dd MMM yyyy", "dddd, d MMMM yyyy", "d MMM yy", "dd.MM.yyyy", "d-MMM-yyyy"];
    static readonly string[] UsFormats = ["MMMM d, yyyy", "MMM d, yyyy", "dddd, MMMM d, yyyy", "M/d/yyyy", "MMMM d yyyy"];
    static readonly string[] ZhFormats = ["yyyy年M月d日", "yyyy年MM月dd日", "yyyy年M月d日 dddd", "yyyy/M/d"];

    /// <summary>First date generated (inclusive).</summary>
    public static readonly DateTime First = new(1950, 1, 1);
    /// <summary>Last date generated (inclusive).</summary>
    public static readonly DateTime Last = new(2049, 12, 31);

    /// <summary>Writes <paramref name="date"/> the way a person of <paramref name="culture"/> might, using format number <paramref name="formatIndex"/> (modulo the culture's formats).</summary>
    public static string Humanise(DateTime date, string culture, int formatIndex)
    {
        var ci = CultureInfo.GetCultureInfo(culture);
        string[] formats = culture switch
        {
            "zh-CN" => ZhFormats,
            "en-US" => UsFormats,
            _ => CommonFormats,
        };
        string text = date.ToString(formats[((formatIndex % formats.Length) + formats.Length) % formats.Length], ci);
        return culture == "zh-CN" ? text : text.ToLower(ci);
    }

    /// <summary>The ISO form <c>yyyy-MM-dd</c>.</summary>
    public static string Iso(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary><paramref name="count"/> pairs (human date, ISO date) drawn uniformly over dates, cultures and formats from <paramref name="seed"/>.</summary>
    public static List<SentencePair> Generate(int count, int seed)
    {
        if (count < 0) throw new ArgumentException($"count must be >= 0; got {count}");
        var rng = new Random(seed);
        int days = (int)(Last - First).TotalDays + 1;
        var list = new List<SentencePair>(count);
        for (int i = 0; i < count; i++)
        {
            var date = First.AddDays(rng.Next(days));
            string culture = Cultures[rng.Next(Cultures.Length)];
            list.Add(new SentencePair(Humanise(date, culture, rng.Next(16)), Iso(date)));
        }
        return list;
    }

    /// <summary>The task's corpus: train, dev and test drawn with different seeds derived from <paramref name="seed"/>; a dev or test source that also occurs in train is dropped from dev/test.</summary>
    public static TranslationCorpus Corpus(int train, int dev, int test, int seed) =>
        TranslationCorpus.Generated("dates", Generate, train, dev, test, seed);
}
