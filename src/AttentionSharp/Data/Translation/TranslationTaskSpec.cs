using System.Text.Json.Serialization;

namespace AttentionSharp.Data.Translation;

/// <summary>Which corpus a translation run uses, recorded in its checkpoint so that eval rebuilds the same splits.</summary>
/// <param name="Task"><c>dates</c>, <c>reverse</c> (<see cref="ReverseTask"/>), <c>de-en</c> or <c>tsv</c>.</param>
/// <param name="DateTrain">Generated tasks (dates, reverse): training pairs generated.</param>
/// <param name="DateDev">Generated tasks: dev pairs.</param>
/// <param name="DateTest">Generated tasks: test pairs.</param>
/// <param name="DataSeed">Generated tasks: generator seed.</param>
/// <param name="TrainFile">TSV: training file (full path).</param>
/// <param name="DevFile">TSV: dev file, or null to hold out by hash.</param>
/// <param name="TestFile">TSV: test file, or null to hold out by hash.</param>
/// <param name="ExtraPairs">de-en: extra training pairs, <c>dictionary</c> (<see cref="DictionaryPhrases"/>) or null for none; not written when null, so older runs keep their identity.</param>
/// <param name="ExtraMax">de-en: most extra pairs used (0 = all); not written when 0.</param>
public sealed record TranslationTaskSpec(string Task, int DateTrain = 20000, int DateDev = 1000, int DateTest = 1000, int DataSeed = 1,
    string? TrainFile = null, string? DevFile = null, string? TestFile = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExtraPairs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int ExtraMax = 0)
{
    /// <summary>The task names.</summary>
    public static readonly string[] Tasks = ["dates", "reverse", "de-en", "tsv"];

    /// <summary>The kinds of extra training pairs (<c>none</c> is stored as null).</summary>
    public static readonly string[] ExtraKinds = ["none", "dictionary"];

    /// <summary>Loads the corpus (de-en: from the dataset cache under <paramref name="cacheRoot"/>, obtaining it if needed; with the extra pairs asked for).</summary>
    public TranslationCorpus Load(string cacheRoot, TextWriter log)
    {
        bool dictionary = ExtraPairs switch
        {
            null or "none" => false,
            "dictionary" => true,
            _ => throw new ArgumentException($"extra pairs must be one of {string.Join(", ", ExtraKinds)}; got '{ExtraPairs}'"),
        };
        if (dictionary && Task != "de-en") throw new ArgumentException($"extra pairs 'dictionary' are only defined for the de-en task; got task '{Task}'");
        return Task switch
        {
            "dates" => DateTask.Corpus(DateTrain, DateDev, DateTest, DataSeed),
            "reverse" => ReverseTask.Corpus(DateTrain, DateDev, DateTest, DataSeed),
            "de-en" => TransDeEn.Load(cacheRoot, log, dictionary, ExtraMax),
            "tsv" => TsvCorpus.Load(TrainFile ?? throw new ArgumentException("--task tsv needs --train FILE"), DevFile, TestFile),
            _ => throw new ArgumentException($"task must be one of {string.Join(", ", Tasks)}; got '{Task}'"),
        };
    }
}
