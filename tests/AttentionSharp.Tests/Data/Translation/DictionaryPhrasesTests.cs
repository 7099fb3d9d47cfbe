using System.Text.Json;
using AttentionSharp.Data.Translation;
using AttentionSharp.Training;

namespace AttentionSharp.Tests.Data.Translation;

public class DictionaryPhrasesTests
{
    static SentencePair P(string s, string t) => new(s, t);

    [Fact]
    public void WordAndPhraseSubEntriesAreKeptSentencesAndPlaceholdersAreNot()
    {
        const string line = "Schaden {m} | jdm. schaden | keinen Schaden nehmen | Fragen kostet nichts. :: " +
                            "harm | to do sb. harm | to come to no harm | There is no harm in asking.";
        Assert.Equal([P("Schaden", "harm"), P("keinen Schaden nehmen", "to come to no harm")], DictionaryPhrases.ParseLine(line));
        // The sentence pair is the sentence corpus's, and only that one.
        Assert.Equal([P("Fragen kostet nichts.", "There is no harm in asking.")], TransDeEn.ParseLine(line));
        // "to" of English infinitives is kept as the dictionary writes it.
        Assert.Equal([P("keine Zeit haben", "to have no time")], DictionaryPhrases.ParseLine("keine Zeit haben {v} :: to have no time"));
    }

    [Fact]
    public void AlternativesAreSplitOnlyAgainstASingleItem()
    {
        // one German item, two English alternatives (and the reverse): every alternative translates the single side
        Assert.Equal(
            [P("Abholort", "collection location"), P("Abholort", "pickup location"), P("Abholorte", "collection locations"), P("Abholorte", "pickup locations")],
            DictionaryPhrases.ParseLine("Abholort {m} | Abholorte {pl} :: collection location; pickup location | collection locations; pickup locations"));
        Assert.Equal([P("Abhöranlage", "bugging system"), P("Abhörsystem", "bugging system")],
            DictionaryPhrases.ParseLine("Abhöranlage {f}; Abhörsystem {n} :: bugging system"));
        // alternatives on both sides are not aligned by the dictionary: skipped (the other sub-entry is kept)
        Assert.Equal([P("Abholungen", "collections")],
            DictionaryPhrases.ParseLine("Abholung {f}; Abholen {n} | Abholungen {pl} :: collection; pick-up | collections"));
        // a ';' inside a grammar note is not an alternative
        Assert.Equal([P("bestreuen", "to bestrew"), P("bestreuend", "bestrewing"), P("bestreut", "bestrewed"), P("bestreut", "bestrewn")],
            DictionaryPhrases.ParseLine("bestreuen {vt} | bestreuend | bestreut :: to bestrew {bestrewed; bestrewed, bestrewn} | bestrewing | bestrewed; bestrewn"));
    }

    [Fact]
    public void NotesAndGlossesAreRemovedAndBadSidesDropped()
    {
        Assert.Equal([P("Abietat", "abietate")],
            DictionaryPhrases.ParseLine("Abietat {n} (Salz oder Ester der Abietinsäure) [chem.] :: abietate (salt or ester of abietic acid)"));
        Assert.Equal("Abhören", DictionaryPhrases.Clean("Abhören {n} (mit (einem) Stethoskop) [med.]"));       // nested glosses
        Assert.Equal("Reißverschluss", DictionaryPhrases.Clean("Rei\u00DFverschluss\u00A0{m}"));
        Assert.Empty(DictionaryPhrases.ParseLine("Abholzen {n} / Abholzung {f} von Sträuchern :: shrub clearing"));        // '/'
        Assert.Empty(DictionaryPhrases.ParseLine("Er sagt, dass ... kommt :: he says that ... comes"));                  // '...'
        Assert.Empty(DictionaryPhrases.ParseLine("etw. abholen :: to collect sth."));                                    // placeholders
        Assert.Empty(DictionaryPhrases.ParseLine("Leerstelle {f} :: {n} [comp.]"));                                        // empty side
        Assert.Empty(DictionaryPhrases.ParseLine("Klammer {f} (offen :: bracket"));                                      // unbalanced
        Assert.Empty(DictionaryPhrases.ParseLine("eins | zwei :: one"));                                                  // sides do not align
        Assert.Empty(DictionaryPhrases.ParseLine("# Version :: devel"));
        const string nine = "eins zwei drei vier fünf sechs sieben acht neun :: one two three four five six seven eight nine";
        Assert.Empty(DictionaryPhrases.ParseLine(nine));                                                                  // > 8 words
        Assert.Single(DictionaryPhrases.ParseLine(nine, maxWords: 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => DictionaryPhrases.ParseLine(nine, maxWords: 0).ToList());
    }

    [Fact]
    public void ParseDeDuplicatesBySourceAndTarget()
    {
        var all = DictionaryPhrases.Parse(["Zeit {f} :: time", "Zeit {f} [ugs.] :: time", "Zeit {f} :: period", "Uhrzeit {f} :: time"]);
        Assert.Equal([P("Zeit", "time"), P("Zeit", "period"), P("Uhrzeit", "time")], all);
    }

    [Fact]
    public void LeakageKeyIgnoresCaseAndPunctuation()
    {
        Assert.Equal("ich habe keine zeit", DictionaryPhrases.LeakageKey("Ich habe keine Zeit."));
        Assert.Equal(DictionaryPhrases.LeakageKey("She didn’t mean any harm!"), DictionaryPhrases.LeakageKey("she didn't mean any harm"));
        Assert.NotEqual(DictionaryPhrases.LeakageKey("keine Zeit"), DictionaryPhrases.LeakageKey("keine Zeit haben"));
    }

    [Fact]
    public void SubsetIsAFixedHashOrderedCap()
    {
        var pairs = Enumerable.Range(0, 500).Select(i => P($"Wort{i}", $"word{i}")).ToList();
        var a = DictionaryPhrases.Subset(pairs, 50);
        Assert.Equal(50, a.Count);
        Assert.Equal(50, a.Distinct().Count());
        Assert.Equal(a, DictionaryPhrases.Subset(pairs.AsEnumerable().Reverse().ToList(), 50));       // independent of file order
        Assert.Equal(pairs.OrderBy(p => StableHash.Fnv1a(p.Source + "\t" + p.Target)).Take(50), a);
        Assert.NotEqual(pairs.Take(50), a);
        Assert.Equal(pairs, DictionaryPhrases.Subset(pairs, 0));                                        // 0 = all
        Assert.Equal(pairs, DictionaryPhrases.Subset(pairs, 10_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => DictionaryPhrases.Subset(pairs, -1));
    }

    /// <summary>A small dictionary text: <paramref name="n"/> sentence lines, each with a word sub-entry.</summary>
    static List<string> Dictionary(int n) =>
        Enumerable.Range(0, n).Select(i => $"Haus{i} {{n}} | Das Haus {i} ist groß. :: house{i} | House {i} is big.").ToList();

    [Fact]
    public void ExtraPairsGoToTrainingOnlyDevAndTestAreUnchanged()
    {
        var lines = Dictionary(400);
        var plain = TransDeEn.FromLines(lines, withDictionaryPhrases: false, extraMax: 0, TextWriter.Null);
        var log = new StringWriter();
        var extra = TransDeEn.FromLines(lines, withDictionaryPhrases: true, extraMax: 0, log);
        Assert.NotEmpty(plain.Dev);
        Assert.NotEmpty(plain.Test);
        Assert.Equal(plain.Dev, extra.Dev);
        Assert.Equal(plain.Test, extra.Test);
        Assert.Equal(0, plain.ExtraTrain);
        Assert.Equal(400, extra.ExtraTrain);
        Assert.Equal(plain.Train, extra.Train.Take(plain.Train.Count));                                  // sentence pairs first, as before
        Assert.Equal(Enumerable.Range(0, 400).Select(i => P($"Haus{i}", $"house{i}")).ToHashSet(), extra.Train.Skip(plain.Train.Count).ToHashSet());
        Assert.Contains("400 parsed, 0 dropped", log.ToString());
        Assert.Contains("400 added", log.ToString());

        var capped = TransDeEn.FromLines(lines, withDictionaryPhrases: true, extraMax: 25, TextWriter.Null);
        Assert.Equal(25, capped.ExtraTrain);
        Assert.Equal(plain.Dev, capped.Dev);
        Assert.Equal(plain.Test, capped.Test);
        Assert.Throws<ArgumentOutOfRangeException>(() => TransDeEn.FromLines(lines, true, -1, TextWriter.Null));
    }

    [Fact]
    public void PhrasesMatchingADevOrTestSideAreDropped()
    {
        var lines = Dictionary(400);
        var plain = TransDeEn.FromLines(lines, false, 0, TextWriter.Null);
        var dev = plain.Dev[0];
        var test = plain.Test[0];
        var train = plain.Train[0];
        // phrase entries that repeat a held-out side (without its full stop, in other case) and one that repeats a training side
        string Bare(string s) => s.TrimEnd('.').ToLowerInvariant();
        lines.Add($"Satz {{m}} :: {Bare(dev.Target)}");
        lines.Add($"{Bare(test.Source)} :: sentence");
        lines.Add($"{Bare(train.Source)} :: sentence two");
        var log = new StringWriter();
        var extra = TransDeEn.FromLines(lines, true, 0, log);
        Assert.Equal(plain.Dev, extra.Dev);
        Assert.Equal(plain.Test, extra.Test);
        var added = extra.Train.Skip(plain.Train.Count).ToList();
        Assert.Contains(P(Bare(train.Source), "sentence two"), added);
        Assert.DoesNotContain(added, p => p.Target == Bare(dev.Target) || p.Source == Bare(test.Source));
        Assert.Contains("403 parsed, 2 dropped", log.ToString());
        var held = plain.Dev.Concat(plain.Test).SelectMany(p => new[] { p.Source, p.Target }).Select(DictionaryPhrases.LeakageKey).ToHashSet();
        Assert.DoesNotContain(added, p => held.Contains(DictionaryPhrases.LeakageKey(p.Source)) || held.Contains(DictionaryPhrases.LeakageKey(p.Target)));
    }

    [Fact]
    public void TaskSpecRecordsExtraPairsOnlyWhenAskedAndRejectsBadValues()
    {
        // Without extra pairs the stored options are those of older runs (no new keys), so their resume identity is unchanged.
        string plain = JsonSerializer.Serialize(new TranslationTaskSpec("de-en"), Checkpoint.Json);
        Assert.DoesNotContain("Extra", plain);
        var spec = new TranslationTaskSpec("de-en", ExtraPairs: "dictionary", ExtraMax: 5000);
        string json = JsonSerializer.Serialize(spec, Checkpoint.Json);
        Assert.Contains("\"ExtraPairs\":\"dictionary\"", json);
        Assert.Equal(spec, JsonSerializer.Deserialize<TranslationTaskSpec>(json, Checkpoint.Json));
        Assert.Equal(new TranslationTaskSpec("de-en"), JsonSerializer.Deserialize<TranslationTaskSpec>(plain, Checkpoint.Json));

        var e = Assert.Throws<ArgumentException>(() => new TranslationTaskSpec("de-en", ExtraPairs: "wiki").Load("/nowhere", TextWriter.Null));
        Assert.Contains("extra pairs must be one of none, dictionary; got 'wiki'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TranslationTaskSpec("dates", ExtraPairs: "dictionary").Load("/nowhere", TextWriter.Null));
        Assert.Contains("only defined for the de-en task; got task 'dates'", e.Message);
        Assert.Equal(0, new TranslationTaskSpec("dates", DateTrain: 10, DateDev: 5, DateTest: 5, ExtraPairs: "none").Load("/nowhere", TextWriter.Null).ExtraTrain);
    }
}
