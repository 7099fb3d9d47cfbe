using AttentionSharp.Data;
using AttentionSharp.Data.Translation;

namespace AttentionSharp.Tests.Data.Translation;

public class L10nCorpusTests
{
    [Theory]
    [InlineData("Save ~As...", "Speichern ~unter...", "Save As...", "Speichern unter...")]
    [InlineData("_Open", "Ö_ffnen", "Open", "Öffnen")]
    [InlineData("&File", "&Datei", "File", "Datei")]
    [InlineData("Find && Replace", "Suchen && Ersetzen", "Find && Replace", "Suchen && Ersetzen")]   // doubled: literal, kept
    [InlineData("R&amp;D report", "F&amp;E-Bericht", "R&D report", "F&E-Bericht")]                 // entity, not an accelerator
    [InlineData("<b>Bold</b> text", "<b>Fetter</b> Text", "Bold text", "Fetter Text")]
    [InlineData("_Open", "Öffnen", "Open", "Öffnen")]                                                  // marker only in English
    public void AcceleratorsAndMarkupAreRemovedConsistently(string en, string de, string wantEn, string wantDe)
    {
        var c = L10nCorpus.Clean(en, de);
        Assert.Equal(L10nCorpus.PairVerdict.Kept, c.Verdict);
        Assert.Equal(wantEn, c.English);
        Assert.Equal(wantDe, c.German);
    }

    [Fact]
    public void TwoMarkersAreNotAnAccelerator()
    {
        Assert.Null(L10nCorpus.AcceleratorAt("file_name and dir_name", '_'));
        Assert.Equal(5, L10nCorpus.AcceleratorAt("Save _As", '_'));
    }

    [Theory]
    [InlineData("Cannot open '%s': %s", "»%s« kann nicht geöffnet werden: %s", "Cannot open ' pha ': phb", "» pha « kann nicht geöffnet werden: phb")]
    [InlineData("Copy %1 to %2", "%2 aus %1 kopieren", "Copy pha to phb", "phb aus pha kopieren")]
    [InlineData("%s of %d", "%2$d von %1$s", "pha of phb", "phb von pha")]          // positional German arguments map to the plain English ones
    [InlineData("%(count)d items in {0}", "{0} enthält %(count)d Einträge", "pha items in phb", "phb enthält pha Einträge")]
    [InlineData("Restart %PRODUCTNAME now", "%PRODUCTNAME jetzt neu starten", "Restart pha now", "pha jetzt neu starten")]
    [InlineData("100% done", "100% fertig", "100% done", "100% fertig")]            // a percent sign before a space is text
    [InlineData("%d%% complete", "%d%% fertig", "pha % complete", "pha % fertig")]
    [InlineData("%lu bytes", "%lu Bytes", "pha bytes", "pha Bytes")]
    public void FormatSpecifiersBecomeNumberedPlaceholderWords(string en, string de, string wantEn, string wantDe)
    {
        var c = L10nCorpus.Clean(en, de);
        Assert.Equal(L10nCorpus.PairVerdict.Kept, c.Verdict);
        Assert.Equal(wantEn, c.English);
        Assert.Equal(wantDe, c.German);
    }

    [Theory]
    [InlineData("OK", "OK", L10nCorpus.PairVerdict.Identical)]
    [InlineData("Name", "", L10nCorpus.PairVerdict.Empty)]
    [InlineData("<b></b>", "<b></b>", L10nCorpus.PairVerdict.Empty)]
    [InlineData("%s: %s", "%s – %s", L10nCorpus.PairVerdict.PlaceholderOnly)]
    [InlineData("%s files", "%s Dateien in %s", L10nCorpus.PairVerdict.Kept)]         // same specifier text reuses its word
    [InlineData("Copy %1", "%2 kopieren", L10nCorpus.PairVerdict.PlaceholderMismatch)]
    public void PairsAreDroppedForTheRightReason(string en, string de, L10nCorpus.PairVerdict verdict) =>
        Assert.Equal(verdict, L10nCorpus.Clean(en, de).Verdict);

    [Fact]
    public void BuildCountsDropsAndDeduplicatesAndReadsPlurals()
    {
        MoMessage M(string id, string de, string? plural = null, string? de2 = null) =>
            new(null, id, plural, plural == null ? [de] : [de, de2!]);
        var (pairs, stats) = L10nCorpus.Build(
        [
            new MoMessage(null, "", null, ["Content-Type: text/plain; charset=UTF-8\n"]),   // header: not a message
            M("_Open", "Ö_ffnen"), M("~Open", "Ö~ffnen"),                                   // duplicate once the markers are gone
            M("OK", "OK"), M("Cancel", ""), M("translator-credits", "Erika Mustermann"),
            M("%d file", "%d Datei", "%d files", "%d Dateien"),
        ]);
        Assert.Equal([new SentencePair("Open", "Öffnen"), new SentencePair("pha file", "pha Datei"), new SentencePair("pha files", "pha Dateien")], pairs);
        Assert.Equal(new L10nStats(Messages: 7, Empty: 1, Identical: 1, PlaceholderOnly: 0, PlaceholderMismatch: 0, Credits: 1, Duplicates: 1, Kept: 3), stats);
    }

    [Fact]
    public void SplitKeepsEachEnglishTextInOnePartAndReversesForGermanToEnglish()
    {
        var pairs = Enumerable.Range(0, 2000).SelectMany(i => new[] { new SentencePair($"text {i}", $"Text {i}"), new SentencePair($"text {i}", $"Textstück {i}") }).ToList();
        var s = L10nCorpus.Split(pairs, reverse: false);
        Assert.Equal(4000, s.Train.Count + s.Dev.Count + s.Test.Count);
        var parts = new[] { s.Train, s.Dev, s.Test }.Select(p => p.Select(x => x.Source).ToHashSet()).ToArray();
        Assert.Empty(parts[0].Intersect(parts[1]));
        Assert.Empty(parts[0].Intersect(parts[2]));
        Assert.Empty(parts[1].Intersect(parts[2]));
        Assert.InRange(s.Dev.Count, 100, 300);   // about 5%
        var r = L10nCorpus.Split(pairs, reverse: true);
        Assert.Equal(L10nCorpus.DeEn, r.Name);
        Assert.Equal(s.Test.Select(p => (p.Target, p.Source)), r.Test.Select(p => (p.Source, p.Target)));
    }

    [Fact]
    public void EveryPackageHasAnEmbeddedManifestAndTheTasksAreKnown()
    {
        Assert.Equal(30, L10nCorpus.Packages.Count);
        Assert.All(L10nCorpus.Packages, p => Assert.NotEmpty(p.Source.Files));
        Assert.Contains(L10nCorpus.Packages, p => p.Package == "libreoffice-l10n-de" && p.Source.Files.Count == 33);
        Assert.Contains(L10nCorpus.EnDe, TranslationTaskSpec.Tasks);
        Assert.Contains(L10nCorpus.DeEn, TranslationTaskSpec.Tasks);
        Assert.Contains(DatasetCatalog.All, d => d.Name == "l10n-de-gcc-12-locales");
    }

    [Fact]
    public void RestrictKeepsAFixedSubsetAndCanTestOnTrain()
    {
        var train = Enumerable.Range(0, 100).Select(i => new SentencePair($"s{i}", $"t{i}")).ToList();
        var corpus = new TranslationCorpus("x", train, [new("d", "d")], [new("e", "e")]);
        var a = TranslationTaskSpec.Restrict(corpus, 10, testOnTrain: false);
        var b = TranslationTaskSpec.Restrict(corpus, 10, testOnTrain: true);
        Assert.Equal(10, a.Train.Count);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(b.Train, b.Dev);
        Assert.Equal(b.Train, b.Test);
        Assert.Single(a.Dev);
        Assert.Same(corpus, TranslationTaskSpec.Restrict(corpus, 0, false));
    }
}
