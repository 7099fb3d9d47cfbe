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
/// <param name="TrainMax">Corpus tasks: keep at most this many training pairs, those with the lowest FNV-1a hash of <c>source TAB target</c> (0 = all; not written when 0).</param>
/// <param name="DevMax">Corpus tasks: keep at most this many dev pairs (lowest hashes, as <paramref name="TrainMax"/>; 0 = all; the test part is never cut); not written when 0.</param>
/// <param name="TestOnTrain">Dev and test are the training part itself (after <paramref name="TrainMax"/>): the memorisation check of the pipeline (issue 25); not written when false.</param>
public sealed record TranslationTaskSpec(string Task, int DateTrain = 20000, int DateDev = 1000, int DateTest = 1000, int DataSeed = 1,
    string? TrainFile = null, string? DevFile = null, string? TestFile = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExtraPairs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int ExtraMax = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int TrainMax = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool TestOnTrain = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int DevMax = 0)
{
    /// <summary>The task names.</summary>
    public static readonly string[] Tasks = ["dates", "reverse", "de-en", L10nCorpus.EnDe, L10nCorpus.DeEn, "tsv"];

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
        if (TrainMax < 0) throw new ArgumentException($"train max must be 0 (all) or positive; got {TrainMax}");
        var corpus = Task switch
        {
            "dates" => DateTask.Corpus(DateTrain, DateDev, DateTest, DataSeed),
            "reverse" => ReverseTask.Corpus(DateTrain, DateDev, DateTest, DataSeed),
            "de-en" => TransDeEn.Load(cacheRoot, log, dictionary, ExtraMax),
            L10nCorpus.EnDe => L10nCorpus.Load(cacheRoot, log, reverse: false),
            L10nCorpus.DeEn => L10nCorpus.Load(cacheRoot, log, reverse: true),
            "tsv" => TsvCorpus.Load(TrainFile ?? throw new ArgumentException("--task tsv needs --train FILE"), DevFile, TestFile),
            _ => throw new ArgumentException($"task must be one of {string.Join(", ", Tasks)}; got '{Task}'"),
        };
        return Restrict(corpus, TrainMax, TestOnTrain, DevMax);
    }

    /// <summary>
    /// <paramref name="corpus"/> with at most <paramref name="trainMax"/> training pairs (the lowest FNV-1a hashes of
    /// <c>source TAB target</c>, in their original order; 0 = all) and, when <paramref name="testOnTrain"/>, dev and test
    /// replaced by that training part.
    /// </summary>
    public static TranslationCorpus Restrict(TranslationCorpus corpus, int trainMax, bool testOnTrain, int devMax = 0)
    {
        if (devMax > 0 && corpus.Dev.Count > devMax)
            corpus = corpus with { Dev = corpus.Dev.Select((p, i) => (Hash: StableHash.Fnv1a(p.Source + "\t" + p.Target), i, p)).OrderBy(x => x.Hash).ThenBy(x => x.i)
                .Take(devMax).OrderBy(x => x.i).Select(x => x.p).ToList() };
        if (trainMax > 0 && corpus.Train.Count > trainMax)
        {
            var keep = corpus.Train.Select((p, i) => (Hash: StableHash.Fnv1a(p.Source + "\t" + p.Target), i))
                .OrderBy(x => x.Hash).ThenBy(x => x.i).Take(trainMax).Select(x => x.i).ToHashSet();
            int extra = corpus.Train.Skip(corpus.Train.Count - corpus.ExtraTrain).Select((_, k) => corpus.Train.Count - corpus.ExtraTrain + k).Count(keep.Contains);
            corpus = corpus with { Train = corpus.Train.Where((_, i) => keep.Contains(i)).ToList(), ExtraTrain = extra };
        }
        return testOnTrain ? corpus with { Dev = corpus.Train, Test = corpus.Train } : corpus;
    }
}
